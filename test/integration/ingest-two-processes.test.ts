/**
 * Two server processes on one database, as behind a load balancer: the same visitors'
 * batches reach both at once. The stored sessions and every event's session must be
 * what one writer derives from all the stored events, and the activity buckets what a
 * rebuild gives. On PostgreSQL the two writers' transactions really overlap; without the
 * visitor lock each would re-derive the visitor from half of its events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildActivity } from "../../app/services/activity.server";
import { sessionsFor, type SessionEventRow } from "../../ingest/sessions";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { seededRandom } from "../helpers/funnel-seed";
import { postBatch, visitor, type CompactLike } from "../helpers/ingest";
import { BROWSER_UA, freshDatabase, startApp, type TestApp } from "../helpers/app-server";

const SHOP = "two-processes.myshopify.com";
const KEY = "ik_two_processes_key_123456";
const MIN = 60_000;
const NAMES = ["page_viewed", "product_viewed", "product_added_to_cart", "checkout_started", "mc:scroll_depth"];

/** 24 visitors × 16 events over the last 20 hours, with > 30 min gaps that split sessions; in 2-event batches, shuffled. */
function batches(now: number): CompactLike[][] {
  const rnd = seededRandom(7);
  const events: CompactLike[] = [];
  for (let v = 0; v < 24; v++) {
    let ts = now - 20 * 60 * MIN + Math.floor(rnd() * 60 * MIN);
    for (let i = 0; i < 16; i++) {
      ts += rnd() < 0.15 ? 31 * MIN + Math.floor(rnd() * 60 * MIN) : Math.floor(rnd() * 12 * MIN);
      const name = NAMES[Math.floor(rnd() * NAMES.length)];
      events.push({
        id: `two-${v}-${i}`,
        name,
        ts: new Date(Math.min(ts, now - MIN)).toISOString(),
        seq: i,
        clientId: visitor(`tp-visitor-${v}`),
        path: "/",
        ...(name === "checkout_started" ? { checkoutToken: `tok-${v}-${i}` } : {}),
      });
    }
  }
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  const out: CompactLike[][] = [];
  for (let i = 0; i < events.length; i += 2) out.push(events.slice(i, i + 2));
  return out;
}

/** Posts like the pixel: a 503 (capacity, or a transaction that lost a lock race) is retried. */
async function deliver(url: string, events: CompactLike[]) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await postBatch(url, { v: 1, shop: SHOP, key: KEY, events }, { "User-Agent": BROWSER_UA });
    if (res.status === 202) return;
    expect(res.status, res.text).toBe(503);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("batch never accepted");
}

describe.each(["sqlite", "postgres"] as const)("two ingestion processes on one %s database", (kind) => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const dbUrl = await freshDatabase(kind);
    [a, b] = await Promise.all([startApp({ dbUrl }), startApp({ dbUrl })]);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it("store the sessions one writer derives from all the events, and buckets equal to a rebuild", async () => {
    const shopId = (await ensureDemoShop(a.db, { domain: SHOP, ingestKey: KEY })).id;
    const all = batches(Date.now());
    // 16 requests in flight at a time, alternating between the processes.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < all.length) {
          const i = next++;
          await deliver((i % 2 === 0 ? a : b).url, all[i]);
        }
      }),
    );

    const stored = await a.db.event.findMany({ where: { shopId }, orderBy: [{ clientId: "asc" }, { ts: "asc" }, { seq: "asc" }] });
    expect(stored).toHaveLength(all.flat().length);
    const byVisitor = new Map<string, SessionEventRow[]>();
    for (const e of stored) {
      const row = { ...e, ts: Number(e.ts), isBot: e.isBot } as unknown as SessionEventRow;
      byVisitor.set(e.clientId, [...(byVisitor.get(e.clientId) ?? []), row]);
    }
    const expected = [...byVisitor.values()].flatMap((events) => sessionsFor(events, false));
    expect(expected.length).toBeGreaterThan(byVisitor.size); // some visitors have several sessions
    const sessions = await a.db.visitorSession.findMany({ where: { shopId }, orderBy: { id: "asc" } });
    const shape = (s: {
      id: string;
      clientId: string;
      startTs: number | bigint;
      endTs: number | bigint;
      eventCount: number;
      visitorType: string;
      addToCart: boolean;
    }) => ({
      id: s.id,
      clientId: s.clientId,
      startTs: Number(s.startTs),
      endTs: Number(s.endTs),
      eventCount: s.eventCount,
      visitorType: s.visitorType,
      addToCart: s.addToCart,
    });
    expect(sessions.map(shape)).toEqual(expected.map(shape).sort((x, y) => (x.id < y.id ? -1 : 1)));
    // Every event sits in the session whose time span holds it.
    for (const e of stored) {
      const mine = expected.find((s) => s.clientId === e.clientId && s.startTs <= Number(e.ts) && Number(e.ts) <= s.endTs);
      expect(e.sessionId).toBe(mine?.id);
    }

    const kept = await a.db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } });
    await rebuildActivity(a.db, shopId);
    const rebuilt = await a.db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } });
    const nonZero = (rows: typeof kept) => rows.filter((r) => Object.entries(r).some(([k, v]) => k !== "bucket" && k !== "shopId" && v !== 0));
    expect(nonZero(kept)).toEqual(nonZero(rebuilt));
  });
});
