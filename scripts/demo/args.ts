import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Node arguments that start the demo server (./server.ts, TypeScript run through tsx)
 * with the local Shopify intercept; `root` is the repository, the process's cwd may be
 * another copy of build/ (the bench's snapshot).
 */
export function demoServerArgs(root: string): string[] {
  return [
    "--import",
    pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href,
    "--import",
    pathToFileURL(path.join(root, "scripts/local-shopify/intercept.mjs")).href,
    path.join(root, "scripts/demo/server.ts"),
  ];
}
