/**
 * The real production server (build/server.js) as a child process, started the way
 * test/helpers/app-server.ts starts it (env, PORT=0, wait for the "listening on" line),
 * but from a snapshot of the build: other work on the machine may rebuild build/ while
 * a benchmark runs, and the figures must belong to one build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/** Children still running and other sync clean-ups, run when the bench exits early (Ctrl-C, a crash). */
const cleanups = new Set<() => void>();
export function onExit(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const fn of cleanups) {
      try {
        fn();
      } catch {
        /* best effort */
      }
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
}

export const BENCH_API_KEY = "bench-api-key";
export const BENCH_API_SECRET = "bench-api-secret-0123456789";
/** A merchant's browser: headless Chromium's "HeadlessChrome" is answered as a bot (410) by Shopify's library. */
export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/**
 * Copies build/ into `dir` and links generated/ (the Prisma clients, loaded from the
 * working directory) beside it. Packages still resolve from the repository's
 * node_modules, since `dir` is inside the repository.
 */
export function snapshotBuild(root: string, dir: string): string {
  const build = path.join(root, "build");
  for (const f of ["server.js", "server/index.js", "client"]) {
    if (!existsSync(path.join(build, f))) throw new Error(`build/${f} is missing: run without --skip-build (or npm run build)`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(build, path.join(dir, "build"), { recursive: true });
  symlinkSync(path.join(root, "generated"), path.join(dir, "generated"), "dir");
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  logs: string[];
  /** SIGTERM (the server closes and exits 0, so --cpu-prof profiles get written), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node …args` in `cwd` (its own process group, so a wrapper's children go too)
 * and waits for a line matching `ready` (default: "listening on http://…"); its first
 * group is the URL.
 */
export async function spawnListening(opts: {
  cwd: string;
  args: string[];
  env: Record<string, string | undefined>;
  ready?: RegExp;
  timeoutMs?: number;
  label: string;
  /** Each chunk of the child's stdout (e.g. to show a wrapper's progress). */
  onOutput?: (text: string) => void;
}): Promise<ServerProcess> {
  const logs: string[] = [];
  // The latest output: what explains a failure comes last.
  const keep = (text: string) => {
    logs.push(text);
    if (logs.length > 400) logs.shift();
  };
  const ready = opts.ready ?? /listening on (http:\/\/[\w.[\]:-]+:\d+)/;
  const child: ChildProcess = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  hookExit();
  const forget = onExit(() => signal("SIGKILL"));
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running = false;
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal("SIGKILL");
      reject(new Error(`${opts.label} did not start within ${(opts.timeoutMs ?? 60_000) / 1000} s:\n${logs.join("")}`));
    }, opts.timeoutMs ?? 60_000);
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      opts.onOutput?.(text);
      keep(text);
      seen = (seen + text).slice(-4_000);
      const match = seen.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr!.on("data", (c: Buffer) => {
      keep(c.toString());
    });
    child.once("exit", (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label} exited (${code ?? sig}):\n${logs.join("")}`));
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label} could not start in ${opts.cwd}: ${e.message}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    logs,
    async stop(graceMs = 15_000) {
      if (running) {
        signal("SIGTERM");
        const timer = setTimeout(() => signal("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Whatever the leader left behind in its group (a wrapper's child).
      signal("SIGKILL");
      forget();
    },
  };
}

/**
 * The app's server on `dbUrl` with ingestion limits opened up for load tests
 * (the production defaults would answer 429s to one address sending thousands of requests).
 */
export function startAppServer(opts: { appDir: string; dbUrl: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<ServerProcess> {
  return spawnListening({
    cwd: opts.appDir,
    args: [...(opts.nodeArgs ?? []), "build/server.js"],
    label: "app server",
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: opts.dbUrl,
      SHOPIFY_API_KEY: BENCH_API_KEY,
      SHOPIFY_API_SECRET: BENCH_API_SECRET,
      SHOPIFY_APP_URL: "http://127.0.0.1",
      INGEST_IP_RPS: "1e9",
      INGEST_IP_BURST: "1e9",
      INGEST_SHOP_RPS: "1e9",
      INGEST_SHOP_BURST: "1e9",
      INGEST_MAX_PENDING: "100000",
      // The load generator's connections all come from 127.0.0.1: it stands for many clients.
      SERVER_MAX_CONNECTIONS_PER_ADDRESS: "100000",
      ...opts.env,
    },
  });
}
