/**
 * Settings are validated at start-up (a bad value stops the real server, naming it), and
 * the per-address rate limit believes X-Forwarded-For only from configured trusted proxies.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { API_KEY, API_SECRET, root, startApp, type TestApp } from "../helpers/app-server";
import { makeBatches } from "../helpers/load-client";

const SHOP = "settings.myshopify.com";
const KEY = "ik_settings_key_00000000000000";

/** Runs build/server.js with one bad setting; resolves with its exit code and stderr. */
function startWith(extra: Record<string, string>): Promise<{ code: number | null; stderr: string; listened: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["build/server.js"], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "0",
        DATABASE_URL: "file:./.tmp/settings-never-opened.sqlite",
        SHOPIFY_API_KEY: API_KEY,
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_APP_URL: "http://127.0.0.1",
        RETENTION_INTERVAL_HOURS: "0",
        ...extra,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let listened = false;
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout!.on("data", (c: Buffer) => {
      if (/listening on/.test(c.toString())) {
        listened = true;
        child.kill("SIGKILL");
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, listened });
    });
  });
}

describe("bad settings stop start-up", () => {
  it.each([
    ["INGEST_SHOP_RPS", "abc"],
    ["INGEST_IP_RPS", "0"],
    ["SERVER_MAX_CONNECTIONS_PER_ADDRESS", "lots"],
    ["TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"],
    ["AUDIENCE_SYNC_LEASE_MS", "-1"],
  ])("%s=%s: the process exits non-zero and says which setting", async (name, value) => {
    const run = await startWith({ [name]: value });
    expect(run.listened).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain(name);
  });
});

/** Sends `count` batches, each claiming another X-Forwarded-For address; returns the statuses. */
async function rotatingForwardedFor(app: TestApp, count: number, prefix: string): Promise<number[]> {
  const batches = makeBatches({ shop: SHOP, key: KEY, visitors: count, eventsPerVisitor: 1, prefix });
  const statuses: number[] = [];
  for (const [i, b] of batches.entries()) {
    const res = await fetch(`${app.url}/collect`, { method: "POST", body: b.body, headers: { "X-Forwarded-For": `198.51.100.${i % 250}` } });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

describe("X-Forwarded-For without trusted proxies", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { INGEST_IP_RPS: "1", INGEST_IP_BURST: "5" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("is ignored: a client rotating it still hits the per-address 429", async () => {
    const statuses = await rotatingForwardedFor(app, 30, "xff-ignored");
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(6);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(24);
    expect(statuses.filter((s) => s !== 202 && s !== 429)).toEqual([]);
  });
});

describe("X-Forwarded-For behind a trusted proxy", () => {
  let app: TestApp;
  beforeAll(async () => {
    // The test client connects from 127.0.0.1: it plays the proxy.
    app = await startApp({ env: { INGEST_IP_RPS: "1", INGEST_IP_BURST: "5", TRUSTED_PROXIES: "127.0.0.0/8, ::1" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("is honoured: each forwarded client has its own limit", async () => {
    const statuses = await rotatingForwardedFor(app, 30, "xff-trusted");
    expect(statuses).toEqual(Array(30).fill(202));
  });

  it("limits the forwarded client, not the proxy", async () => {
    const batches = makeBatches({ shop: SHOP, key: KEY, visitors: 15, eventsPerVisitor: 1, prefix: "xff-one" });
    const statuses: number[] = [];
    for (const b of batches) {
      // The client's own claim (left) is not believed; the proxy's entry (right) is.
      const res = await fetch(`${app.url}/collect`, {
        method: "POST",
        body: b.body,
        headers: { "X-Forwarded-For": `10.${statuses.length}.0.1, 203.0.113.50` },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(202));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
  });
});
