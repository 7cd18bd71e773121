/**
 * Starts a throw-away PostgreSQL server (Debian's `postgresql` package) on a local
 * port, for tests and schema tooling. Trust auth on 127.0.0.1 only; data in /tmp.
 * When PG_TEST_URL is set, that server is used instead and nothing is started.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, chownSync } from "node:fs";

export interface PgServer {
  /** Base URL without database name, e.g. postgresql://postgres@127.0.0.1:54329 */
  baseUrl: string;
  stop(): void;
  /** Fault tests: stop at once, like a crash (`pg_ctl -m immediate`), then start again on the same data. */
  crash(): void;
  restart(): void;
}

function pgBinDir(): string {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) throw new Error("PostgreSQL is not installed: apt-get install -y postgresql");
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return `${root}/${versions[0]}/bin`;
}

/** Major version of the installed PostgreSQL ("?" when none is). */
export function pgVersion(): string {
  try {
    return pgBinDir().split("/").at(-2) ?? "?";
  } catch {
    return "?";
  }
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root). */
function runPg(bin: string, args: string[]) {
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot ? "runuser" : bin;
  const full = asRoot ? ["-u", "postgres", "--", bin, ...args] : args;
  const r = spawnSync(cmd, full, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * `dir`: keep the server's files there instead of /tmp/mc-pg-<port>, and start on the
 * data already in it (a cached benchmark data set); a new server when it holds none.
 */
export function startPgServer(port = 54329, opts: { dir?: string } = {}): PgServer {
  const unsupported = () => {
    throw new Error("crash/restart need a server this process started");
  };
  if (process.env.PG_TEST_URL) return { baseUrl: process.env.PG_TEST_URL.replace(/\/+$/, ""), stop() {}, crash: unsupported, restart: unsupported };
  const bin = pgBinDir();
  const dir = opts.dir ?? `/tmp/mc-pg-${port}`;
  const baseUrl = `postgresql://postgres@127.0.0.1:${port}`;
  // Reuse a server a previous run left up on this port.
  const ready = spawnSync(`${bin}/pg_isready`, ["-h", "127.0.0.1", "-p", String(port)]);
  if (ready.status === 0) return { baseUrl, stop() {}, crash: unsupported, restart: unsupported };
  if (!opts.dir || !existsSync(`${dir}/data/PG_VERSION`)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
      chownSync(dir, uid, gid);
    }
    runPg(`${bin}/initdb`, ["-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  }
  const start = () =>
    runPg(`${bin}/pg_ctl`, [
      "-D",
      `${dir}/data`,
      "-l",
      `${dir}/log`,
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      "start",
    ]);
  start();
  return {
    baseUrl,
    crash() {
      runPg(`${bin}/pg_ctl`, ["-D", `${dir}/data`, "-m", "immediate", "-w", "stop"]);
    },
    restart: start,
    stop() {
      try {
        runPg(`${bin}/pg_ctl`, ["-D", `${dir}/data`, "-m", "fast", "-w", "stop"]);
      } catch {
        /* already stopped */
      }
    },
  };
}

/** Creates a fresh, empty database on the server and returns its URL. */
export async function createDatabase(baseUrl: string, name: string): Promise<string> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return `${baseUrl}/${name}`;
}
