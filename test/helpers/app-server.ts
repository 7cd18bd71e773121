/**
 * Starts the real production server (build/server.js) on a free port with a fresh
 * database, plus the local Shopify stand-in it talks to. Tests talk to it over HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { inject } from "vitest";
import { createDb, type Db } from "../../db/prisma";
import { migrate } from "../../scripts/lib/migrate";
import { createDatabase } from "../../scripts/lib/pg-server";
import { startLocalShopify, type LocalShopify } from "../../scripts/local-shopify/server";
import { demoServerArgs } from "../../scripts/demo/args";

export const root = path.resolve(import.meta.dirname, "../..");
export const API_KEY = "test-api-key";
export const API_SECRET = "test-api-secret-0123456789";
export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

export interface TestApp {
  url: string;
  /** The server process's pid (for kill -9 and memory readings). */
  pid: number;
  dbUrl: string;
  db: Db;
  shopify: LocalShopify;
  logs: string[];
  stop(): Promise<void>;
}

/** A fresh, migrated database: a SQLite file per call, or a new PostgreSQL database. */
export async function freshDatabase(kind: "sqlite" | "postgres"): Promise<string> {
  const name = `t_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  let url: string;
  if (kind === "postgres") {
    url = await createDatabase(inject("pgBaseUrl"), name);
  } else {
    mkdirSync(path.join(root, ".tmp"), { recursive: true });
    url = `file:${path.join(root, ".tmp", `${name}.sqlite`)}`;
  }
  await migrate(url, { quiet: true });
  return url;
}

/**
 * `demoFor`: run the demo server (scripts/demo/server.ts: the same build with the demo layer
 * in front) serving that shop, for tests that need its App Bridge stand-in and session tokens.
 */
export async function startApp(opts: { db?: "sqlite" | "postgres"; dbUrl?: string; env?: Record<string, string>; demoFor?: string } = {}): Promise<TestApp> {
  const dbUrl = opts.dbUrl ?? (await freshDatabase(opts.db ?? "sqlite"));
  const shopify = await startLocalShopify({ apiKey: API_KEY, apiSecret: API_SECRET });
  const logs: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    opts.demoFor ? demoServerArgs(root) : ["--import", "./scripts/local-shopify/intercept.mjs", "build/server.js"],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "0",
        DATABASE_URL: dbUrl,
        SHOPIFY_API_KEY: API_KEY,
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_APP_URL: "http://127.0.0.1",
        LOCAL_SHOPIFY_URL: shopify.url,
        // Tests seed rows with old timestamps; the retention schedule would delete them
        // mid-test. test/integration/retention.test.ts turns it on where it is the subject.
        RETENTION_INTERVAL_HOURS: "0",
        // Likewise the step alarm (test/integration/step-alarm.test.ts turns it on).
        STEP_ALARM_CHECK_SECONDS: "0",
        ...(opts.demoFor ? { DEMO_SERVER_SHOP: opts.demoFor } : {}),
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join("")}`)), 30_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      const match = text.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => logs.push(c.toString()));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${logs.join("")}`)));
  });
  const { db } = createDb(dbUrl);
  return {
    url,
    pid: child.pid!,
    dbUrl,
    db,
    shopify,
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      await db.$disconnect();
      await shopify.close();
    },
  };
}
