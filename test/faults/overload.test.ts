/**
 * Traffic above capacity gets 503/429 with Retry-After instead of unbounded memory; the
 * service recovers by itself. Slow or stuck clients cannot hold the server.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { makeBatches, peakRssMiB } from "../helpers/load-client";

const SHOP = "overload.myshopify.com";
const KEY = "ik_overload_key_000000000000";

// On PostgreSQL: its driver is asynchronous, so requests keep arriving while a write
// waits and the pending bound is what protects memory. (The SQLite driver is synchronous:
// a stalled write blocks the process and requests queue in the kernel's accept backlog.)
describe("overload (PostgreSQL)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({
      db: "postgres",
      env: { INGEST_MAX_PENDING: "40", INGEST_IP_RPS: "1000000", INGEST_IP_BURST: "1000000", INGEST_SHOP_RPS: "1000000", INGEST_SHOP_BURST: "1000000" },
    });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("sheds load with 503 + Retry-After while the database stalls, keeps memory bounded, and recovers", async () => {
    // Another connection locks the events table for a few seconds (a long migration, a
    // slow disk): the writer cannot commit, so pending work hits its bound.
    const { default: pg } = await import("pg");
    const blocker = new pg.Client({ connectionString: app.dbUrl });
    await blocker.connect();
    await blocker.query(`BEGIN; LOCK TABLE "Event" IN EXCLUSIVE MODE`);
    const release = setTimeout(() => void blocker.query("ROLLBACK").then(() => blocker.end()), 4_000);

    const batches = makeBatches({ shop: SHOP, key: KEY, visitors: 2_000, eventsPerVisitor: 20, prefix: "ovl" });
    const statuses = new Map<number, number>();
    let missingRetryAfter = 0;
    let next = 0;
    const until = Date.now() + 8_000;
    // No retries: this is the flood, not a well-behaved pixel.
    const worker = async () => {
      while (Date.now() < until && next < batches.length) {
        const res = await fetch(`${app.url}/collect`, { method: "POST", body: batches[next++].body });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if ((res.status === 503 || res.status === 429) && !res.headers.get("retry-after")) missingRetryAfter++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    clearTimeout(release);
    const rss = await peakRssMiB(app.pid);
    console.log(`[overload] statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS ${rss} MiB`);

    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503)).toEqual([]);
    expect(missingRetryAfter).toBe(0);
    expect(rss).toBeLessThan(600);

    // Recovers by itself once the database does: a request after the stall is accepted.
    await new Promise((r) => setTimeout(r, 500));
    const after = await fetch(`${app.url}/collect`, { method: "POST", body: batches[batches.length - 1].body });
    expect(after.status).toBe(202);
  }, 120_000);
});

describe("per-address flood", () => {
  let app: TestApp;
  beforeAll(async () => {
    // 300 requests at once from one address, each on its own connection: the subject is the
    // request rate limit, so the per-address connection cap is lifted.
    app = await startApp({ env: { INGEST_IP_RPS: "5", INGEST_IP_BURST: "5", SERVER_MAX_CONNECTIONS_PER_ADDRESS: "1000" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("answers 429 with Retry-After once an address exceeds its rate", async () => {
    const batches = makeBatches({ shop: SHOP, key: KEY, visitors: 300, eventsPerVisitor: 1, prefix: "ip" });
    const results = await Promise.all(
      batches.map(async (b) => {
        const res = await fetch(`${app.url}/collect`, { method: "POST", body: b.body });
        await res.arrayBuffer();
        return { status: res.status, retryAfter: res.headers.get("retry-after") };
      }),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(100);
    expect(limited.every((r) => Number(r.retryAfter) >= 1)).toBe(true);
    expect(results.filter((r) => r.status !== 429 && r.status !== 202)).toEqual([]);
  }, 60_000);
});

describe("slow and stuck clients", () => {
  let app: TestApp;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    app = await startApp({ env: { SERVER_HEADERS_TIMEOUT_MS: "1500", SERVER_REQUEST_TIMEOUT_MS: "3000" } });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await app?.stop();
  });

  const open = () =>
    new Promise<Socket>((resolve) => {
      const { hostname, port } = new URL(app.url);
      const s = connect(Number(port), hostname, () => resolve(s));
      s.on("error", () => {});
      sockets.push(s);
    });
  const closedWithin = (s: Socket, ms: number) =>
    new Promise<{ closed: boolean; data: string }>((resolve) => {
      let data = "";
      s.on("data", (d) => (data += d.toString()));
      const timer = setTimeout(() => resolve({ closed: false, data }), ms);
      s.on("close", () => {
        clearTimeout(timer);
        resolve({ closed: true, data });
      });
    });

  it("closes a connection whose headers never finish", async () => {
    const s = await open();
    s.write("POST /collect HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
    const r = await closedWithin(s, 8_000);
    expect(r.closed).toBe(true);
  });

  it("times out a body that trickles in", async () => {
    const s = await open();
    s.write("POST /collect HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n{");
    const trickle = setInterval(() => s.writable && s.write(" "), 500);
    const r = await closedWithin(s, 10_000);
    clearInterval(trickle);
    expect(r.closed).toBe(true);
    expect(r.data === "" || /^HTTP\/1\.1 408/.test(r.data)).toBe(true);
  });

  it("keeps serving while hundreds of idle connections are open", async () => {
    for (let i = 0; i < 300; i++) await open();
    const started = Date.now();
    const res = await fetch(`${app.url}/collect`, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
