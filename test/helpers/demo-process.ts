/** Runs `npm run demo`'s script (build skipped: the test setup built already) on a free port. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { root } from "./app-server";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface DemoProcess {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

export async function startDemo(opts: { dbFile: string; env?: Record<string, string> }): Promise<DemoProcess> {
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/demo.mts"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), SKIP_BUILD: "1", DEMO_VISITORS: "400", DATABASE_URL: `file:${opts.dbFile}`, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output.join("")}`)), 240_000);
    child.stdout!.on("data", (c: Buffer) => {
      output.push(c.toString());
      const m = output.join("").match(/Open:\s+(http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on("data", (c: Buffer) => output.push(c.toString()));
    child.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output.join("")}`)));
  });
  return {
    url,
    output,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
