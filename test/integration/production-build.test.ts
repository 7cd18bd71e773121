import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../helpers/app-server";

/** Every text file of the production build: the bundled server, the Remix server build, the client assets. */
function builtFiles(): string[] {
  const out: string[] = [path.join(root, "build/server.js")];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(m?js|css|json|html|map)$/.test(name)) out.push(file);
    }
  };
  walk(path.join(root, "build/server"));
  walk(path.join(root, "build/client"));
  return out;
}

/** Strings only the demo's code contains: its routes, the App Bridge stand-in, token minting. */
const DEMO_MARKERS = ["/demo/session-token", "/demo/app-bridge.js", "__standIn", "routes/demo", "mintSessionToken", "ui-nav-menu::before"];

describe("the production build holds no demo code", () => {
  it("each marker is really in the demo's sources (so the search below can find something)", () => {
    const demoSources = ["scripts/demo/layer.ts", "scripts/demo/app-bridge-stand-in.js", "scripts/demo/session-token.ts"]
      .map((f) => readFileSync(path.join(root, f), "utf8"))
      .join("\n");
    for (const marker of DEMO_MARKERS.filter((m) => m !== "routes/demo")) expect(demoSources, marker).toContain(marker);
  });

  it("no built server or client file contains a demo route, the stand-in or token minting", () => {
    const files = builtFiles();
    expect(files.some((f) => f.endsWith(path.join("build", "server", "index.js")))).toBe(true);
    expect(files.some((f) => f.includes(path.join("build", "client", "assets")))).toBe(true);
    const found = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return DEMO_MARKERS.filter((m) => text.includes(m)).map((m) => `${path.relative(root, file)}: ${m}`);
    });
    expect(found).toEqual([]);
  });
});
