/**
 * The group commit runs two ways: on SQLite as one message to the SQLite thread
 * (ingest/write-group-procedure.ts), on PostgreSQL statement by statement through the
 * executor. The same jobs — sessions arriving out of order, retried batches, later copies
 * of the same event id and reloaded purchases (same order, later) — must leave the same
 * rows either way: SQLite through its procedure, SQLite statement by statement, and
 * PostgreSQL. Many jobs are in flight at once, so the writer groups them (and on SQLite
 * sends the next group while one runs) as it does under load.
 */
import { describe, expect, it } from "vitest";
import { createSqlExecutor, type SqlExecutor } from "../../db/executor";
import { createDb } from "../../db/prisma";
import { toRow, type EventRow } from "../../ingest/normalize";
import { IngestWriter } from "../../ingest/writer.server";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { freshDatabase } from "../helpers/app-server";
import { seededRandom } from "../helpers/funnel-seed";
import { visitor } from "../helpers/ingest";

const MIN = 60_000;
const NOW = Date.now();

type Compact = {
  id: string;
  name: string;
  ts: string;
  seq: number;
  clientId: string;
  path: string;
  checkoutToken?: string;
  orderId?: string;
  productId?: string;
};

/** Jobs (20 at most per job, like the pixel's batches) of `visitors` seeded journeys with retries and later copies. */
function jobsFor(shopId: number, visitors: number, seed: number): EventRow[][] {
  const rnd = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const row = (e: Compact): EventRow => {
    const r = toRow(e, { shopId, receivedAt: NOW, isBot: false, maxAgeMs: 72 * 60 * MIN });
    if (!("row" in r)) throw new Error(r.reason);
    return r.row;
  };
  const jobs: EventRow[][] = [];
  for (let v = 0; v < visitors; v++) {
    const clientId = visitor(`wg-${seed}-${v}`);
    const events: Compact[] = [];
    let t = NOW - 10 * 60 * MIN + v * 7 * MIN;
    let seq = 0;
    const sessions = int(1, 3);
    for (let s = 0; s < sessions; s++) {
      for (let k = int(2, 8); k > 0; k--) {
        t += int(5, 300) * 1000;
        events.push({
          id: `wg${seed}-${v}-${seq}`,
          name: rnd() < 0.5 ? "page_viewed" : "product_viewed",
          ts: new Date(t).toISOString(),
          seq: seq++,
          clientId,
          path: "/products/p",
          productId: String(int(1, 9)),
        });
      }
      if (rnd() < 0.4) {
        const token = `tok-${seed}-${v}-${s}`;
        t += MIN;
        events.push({
          id: `wg${seed}-${v}-${seq}`,
          name: "checkout_started",
          ts: new Date(t).toISOString(),
          seq: seq++,
          clientId,
          path: "/checkouts/c",
          checkoutToken: token,
        });
        if (rnd() < 0.6) {
          t += MIN;
          const order = String(70_000 + seed * 1000 + v * 10 + s);
          const purchase = {
            id: `wg${seed}-${v}-${seq}`,
            name: "checkout_completed",
            ts: new Date(t).toISOString(),
            seq: seq++,
            clientId,
            path: "/thank-you",
            checkoutToken: token,
            orderId: order,
          };
          events.push(purchase);
          // The thank-you page reloaded in a later session: a later copy of the same order.
          if (rnd() < 0.5) events.push({ ...purchase, id: `${purchase.id}-reload`, ts: new Date(t + 50 * MIN).toISOString(), seq: seq++ });
        }
      }
      t += int(35, 120) * MIN; // past the 30-minute session gap
    }
    // A later copy of one event id (a clock that moved on between two sends).
    const copied = events[int(0, events.length - 1)];
    events.push({ ...copied, ts: new Date(Date.parse(copied.ts) + 2000).toISOString() });
    // Split into batches, some sent twice (retries).
    for (let i = 0; i < events.length;) {
      const n = int(1, 6);
      const batch = events.slice(i, i + n).map(row);
      jobs.push(batch);
      if (rnd() < 0.2) jobs.push(batch.map((r) => ({ ...r })));
      i += n;
    }
  }
  // Out of order: a visitor's later sessions may arrive first.
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
  }
  return jobs;
}

/** The shop's rows as plain values, in a fixed order (bigint, 0/1 and booleans made alike). */
async function dump(url: string, shopId: number) {
  const { db } = createDb(url);
  try {
    const plain = (r: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v instanceof Date ? v.getTime() : v]));
    const events = (await db.event.findMany({ where: { shopId }, orderBy: { eventId: "asc" } })).map(plain);
    const sessions = (await db.visitorSession.findMany({ where: { shopId }, orderBy: { id: "asc" } })).map(plain);
    const buckets = (await db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } }))
      .map(plain)
      .filter((b) => Object.entries(b).some(([k, v]) => k !== "bucket" && k !== "shopId" && v !== 0));
    const stale = (await db.staleVisitor.findMany({ where: { shopId }, orderBy: { clientId: "asc" } })).map((s) => s.clientId);
    return { events, sessions, buckets, stale };
  } finally {
    await db.$disconnect();
  }
}

async function store(kind: "sqlite" | "postgres", how: "procedure" | "statements", seed: number) {
  const url = await freshDatabase(kind);
  const { db } = createDb(url);
  const shopId = (await ensureDemoShop(db, { domain: "write-group.myshopify.com", ingestKey: "ik_write_group_0123456789" })).id;
  await db.$disconnect();
  const app = createSqlExecutor(url);
  const exec: SqlExecutor = how === "procedure" ? app : { ...app, runProcedure: undefined };
  if (how === "procedure") expect(exec.runProcedure).toBeTypeOf("function");
  try {
    const writer = new IngestWriter(exec, { maxBatchEvents: 60 });
    const jobs = jobsFor(shopId, 40, seed);
    const answers = await Promise.all(jobs.map((rows) => writer.submit(rows)));
    expect(answers.every((a) => a.rejected.length === 0)).toBe(true);
    return { ...(await dump(url, shopId)), inserted: answers.reduce((n, a) => n + a.inserted, 0), jobs: jobs.length };
  } finally {
    await exec.close();
  }
}

describe("one group commit, stored through the SQLite procedure, statement by statement, and on PostgreSQL", () => {
  it.each([1, 2])("leaves the same events, sessions, activity and markers (seed %i)", async (seed) => {
    const procedure = await store("sqlite", "procedure", seed);
    const statements = await store("sqlite", "statements", seed);
    const postgres = await store("postgres", "statements", seed);
    // The workload is what it claims: several group commits, sessions, replaced copies.
    expect(procedure.jobs).toBeGreaterThan(60);
    expect(procedure.sessions.length).toBeGreaterThan(40);
    expect(procedure.events.some((e) => String(e.eventId).endsWith("-reload"))).toBe(false);
    expect(procedure.events.filter((e) => e.name === "checkout_completed").length).toBeGreaterThan(3);
    expect(procedure.stale.length).toBe(40);

    expect(statements).toEqual(procedure);
    expect(postgres).toEqual(procedure);
  });
});
