import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * `npm run build`, quietly (its output only on failure). Vitest's variables are
 * removed, or vite.config.ts would leave out the Remix plugin.
 */
export function buildApp(): void {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST"))) as NodeJS.ProcessEnv;
  env.NODE_ENV = "production";
  try {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: root, env, stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`build failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`, { cause: error });
  }
}
