/**
 * applyRetention (app/services/retention.server.ts) on a real SQLite file and a real
 * PostgreSQL database: shops with different settings lose exactly their own old events
 * and sessions, in batches smaller than the data, and nothing else.
 */
import { visitorBucket } from "../../core/diagnosis/paths";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/prisma";
import { applyRetention, type RetentionProgress } from "../../app/services/retention.server";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { freshDatabase, startApp, type TestApp } from "../helpers/app-server";
import { countRowsForShop, fillEveryTable } from "../helpers/rows";
import { adminHeaders } from "../helpers/shopify-auth";

const MIN = 60_000;
const DAY = 1_440 * MIN;
const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);
const BATCH = 25;
/** Session start ages in days: on both sides of 30, 395 and 400 days. */
const AGES = [0.5, 10, 29.5, 30.5, 45, 100, 394.5, 395.5, 399.5, 400.5, 800, 1200];
const COPIES = 5;
const EVENTS_PER_SESSION = 4;

type ShopRef = { id: number; domain: string };

/** Sessions of EVENTS_PER_SESSION events 10 minutes apart, plus one that spans `spanCutoff`. */
async function seedTraffic(db: Db, shop: ShopRef, spanCutoff: number): Promise<void> {
  const starts: number[] = [];
  for (const age of AGES) for (let c = 0; c < COPIES; c++) starts.push(NOW - age * DAY + c * MIN);
  starts.push(spanCutoff - 15 * MIN); // events at −15, −5, +5, +15 min around the cutoff
  const events = [];
  const sessions = [];
  for (const [i, start] of starts.entries()) {
    const clientId = `v${i}`;
    const sessionId = `${clientId}:${start}`;
    const times = Array.from({ length: EVENTS_PER_SESSION }, (_, k) => start + k * 10 * MIN);
    for (const [k, ts] of times.entries()) {
      events.push({ shopId: shop.id, eventId: `${clientId}-e${k}`, name: "page_viewed", ts: BigInt(ts), seq: k, clientId, sessionId, receivedAt: BigInt(ts) });
    }
    sessions.push({
      shopId: shop.id,
      id: sessionId,
      clientId,
      startTs: BigInt(times[0]),
      endTs: BigInt(times[times.length - 1]),
      eventCount: times.length,
      source: "direct",
      visitorType: "new",
    });
  }
  await db.event.createMany({ data: events });
  await db.visitorSession.createMany({ data: sessions });
}

async function snapshot(db: Db) {
  const events = await db.event.findMany({ select: { shopId: true, eventId: true, ts: true, sessionId: true } });
  const sessions = await db.visitorSession.findMany({ select: { shopId: true, id: true, endTs: true } });
  return { events, sessions };
}

const keys = (rows: { shopId: number; eventId?: string; id?: string }[]) => rows.map((r) => `${r.shopId}/${r.eventId ?? r.id}`).sort();

describe.each(["sqlite", "postgres"] as const)("data retention on %s", (kind) => {
  let db: Db;
  let a: ShopRef; // 30 days
  let b: ShopRef; // 400 days, plus a key this version does not know
  let c: ShopRef; // column default "{}" → 395 days
  let broken: ShopRef; // unreadable setting → skipped, nothing deleted
  let solo: ShopRef; // 30 days, run alone first with `shopId`
  const cutoff = (days: number) => NOW - days * DAY;

  beforeAll(async () => {
    db = createDb(await freshDatabase(kind)).db;
    a = await fillEveryTable(db, "keep-30.myshopify.com");
    b = await fillEveryTable(db, "keep-400.myshopify.com");
    c = await fillEveryTable(db, "keep-default.myshopify.com");
    broken = await fillEveryTable(db, "broken-settings.myshopify.com");
    solo = await fillEveryTable(db, "solo.myshopify.com");
    await db.shop.update({ where: { id: a.id }, data: { settings: JSON.stringify({ retentionDays: 30 }) } });
    await db.shop.update({ where: { id: b.id }, data: { settings: JSON.stringify({ retentionDays: 400, someday: true }) } });
    await db.shop.update({ where: { id: solo.id }, data: { settings: JSON.stringify({ retentionDays: 30 }) } });
    await db.shop.update({ where: { id: broken.id }, data: { settings: JSON.stringify({ retentionDays: 5 }) } });
    await seedTraffic(db, a, cutoff(30));
    await seedTraffic(db, b, cutoff(400));
    await seedTraffic(db, c, cutoff(395));
    await seedTraffic(db, broken, cutoff(30));
    await seedTraffic(db, solo, cutoff(30));
  });
  afterAll(() => db?.$disconnect());

  it("with shopId, touches only that shop", async () => {
    const before = await snapshot(db);
    const results = await applyRetention(db, { now: NOW, shopId: solo.id, batchSize: BATCH });
    expect(results.map((r) => r.shopId)).toEqual([solo.id]);
    expect(results[0].events).toBeGreaterThan(0);
    const after = await snapshot(db);
    expect(keys(after.events.filter((e) => e.shopId !== solo.id))).toEqual(keys(before.events.filter((e) => e.shopId !== solo.id)));
    expect(keys(after.sessions.filter((s) => s.shopId !== solo.id))).toEqual(keys(before.sessions.filter((s) => s.shopId !== solo.id)));
    expect(after.events.filter((e) => e.shopId === solo.id).every((e) => Number(e.ts) >= cutoff(30))).toBe(true);
  });

  it("deletes exactly each shop's old events and sessions, in batches, and nothing else", async () => {
    const cutoffs = new Map([
      [a.id, cutoff(30)],
      [b.id, cutoff(400)],
      [c.id, cutoff(395)],
      [solo.id, cutoff(30)],
    ]);
    const before = await snapshot(db);
    const otherTables = await Promise.all([a, b, c, broken].map((s) => countRowsForShop(db, s)));
    const keep = (shopId: number, ts: bigint) => !cutoffs.has(shopId) || Number(ts) >= cutoffs.get(shopId)!;
    const expectedEvents = before.events.filter((e) => keep(e.shopId, e.ts));
    const expectedSessions = before.sessions.filter((s) => keep(s.shopId, s.endTs));
    // The data must be bigger than a batch for batching to be exercised.
    for (const shop of [a, b, c]) {
      expect(before.events.filter((e) => e.shopId === shop.id && !keep(e.shopId, e.ts)).length).toBeGreaterThan(2 * BATCH);
    }

    // Funnel results: fillEveryTable's row entered in 1970; one more entered today stays.
    for (const shop of [a, b, c, broken]) {
      const funnel = await db.funnel.findFirstOrThrow({ where: { shopId: shop.id }, select: { id: true } });
      await db.funnelUnitDay.create({
        data: {
          shopId: shop.id,
          funnelId: funnel.id,
          unitId: `recent:${NOW}`,
          day: Math.floor(NOW / DAY),
          clientId: "recent",
          entryTs: BigInt(NOW - MIN),
          furthest: 1,
          msFromPrev: "",
          latestStartTs: BigInt(NOW - MIN),
          lastTs: BigInt(NOW - MIN),
          multi: false,
          source: "direct",
          visitorType: "new",
          loggedIn: false,
          visitorBucket: visitorBucket("recent"),
        },
      });
    }
    const progress: RetentionProgress[] = [];
    const results = await applyRetention(db, { now: new Date(NOW), batchSize: BATCH, onProgress: (p) => progress.push(p) });

    const after = await snapshot(db);
    expect(keys(after.events)).toEqual(keys(expectedEvents));
    expect(keys(after.sessions)).toEqual(keys(expectedSessions));
    // Counts per shop match what went.
    for (const shop of [a, b, c]) {
      const r = results.find((x) => x.shopId === shop.id)!;
      expect(r.retentionDays).toBe(shop === a ? 30 : shop === b ? 400 : 395);
      expect(r.events).toBe(before.events.filter((e) => e.shopId === shop.id).length - after.events.filter((e) => e.shopId === shop.id).length);
      expect(r.sessions).toBe(before.sessions.filter((s) => s.shopId === shop.id).length - after.sessions.filter((s) => s.shopId === shop.id).length);
      expect(r.events).toBeGreaterThan(0);
      expect(r.sessions).toBeGreaterThan(0);
      // Several statements, none larger than a batch.
      const steps = progress.filter((p) => p.shopId === shop.id && p.table === "Event").map((p) => p.events);
      expect(steps.length).toBeGreaterThan(2);
      steps.forEach((n, i) => expect(n - (steps[i - 1] ?? 0)).toBeLessThanOrEqual(BATCH));
      expect(steps.at(-1)).toBe(r.events);
    }
    const skipped = results.find((x) => x.shopId === broken.id)!;
    expect(skipped).toMatchObject({ events: 0, sessions: 0, funnelRows: 0, skipped: expect.stringContaining("retentionDays") });
    for (const shop of [a, b, c]) {
      expect(results.find((x) => x.shopId === shop.id)!.funnelRows).toBe(1);
      expect((await db.funnelUnitDay.findMany({ where: { shopId: shop.id }, select: { unitId: true } })).map((r) => r.unitId)).toEqual([`recent:${NOW}`]);
    }
    expect(await db.funnelUnitDay.count({ where: { shopId: broken.id } })).toBe(2);

    // The session spanning shop A's cutoff stays with its newer events; no event points
    // at a deleted session.
    const sessionKeys = new Set(after.sessions.map((s) => `${s.shopId}/${s.id}`));
    expect(after.events.filter((e) => !sessionKeys.has(`${e.shopId}/${e.sessionId}`))).toEqual([]);
    const spanning = after.events.filter((e) => e.shopId === a.id && e.sessionId === `v${AGES.length * COPIES}:${cutoff(30) - 15 * MIN}`);
    expect(spanning.map((e) => e.eventId).sort()).toEqual([`v${AGES.length * COPIES}-e2`, `v${AGES.length * COPIES}-e3`]);

    // Orders, funnels, audiences, syncs, sessions of Shopify and the shops themselves stay.
    const otherAfter = await Promise.all([a, b, c, broken].map((s) => countRowsForShop(db, s)));
    otherAfter.forEach((counts, i) => {
      // Activity buckets are derived from events and sessions: test/integration/activity.test.ts.
      const { Event: _e, VisitorSession: _v, FunnelUnitDay: _f, ActivityBucket: _a, ...rest } = counts;
      const { Event: _e0, VisitorSession: _v0, FunnelUnitDay: _f0, ActivityBucket: _a0, ...restBefore } = otherTables[i];
      expect(rest).toEqual(restBefore);
    });
    expect(await db.shop.findUniqueOrThrow({ where: { id: b.id }, select: { settings: true } })).toEqual({ settings: '{"retentionDays":400,"someday":true}' });

    // A second run finds nothing more.
    const again = await applyRetention(db, { now: NOW, batchSize: BATCH });
    expect(again.every((r) => r.events === 0 && r.sessions === 0 && r.funnelRows === 0)).toBe(true);
  });
});

describe.each(["sqlite", "postgres"] as const)("retention through the real server on %s", (kind) => {
  let app: TestApp;
  const SHOP = "retention-settings.myshopify.com";
  const settingsUrl = () => `${app.url}/app/settings?_data=routes%2Fapp.settings`;
  const post = (form: Record<string, string>) =>
    fetch(settingsUrl(), { method: "POST", headers: adminHeaders(SHOP), body: new URLSearchParams(form), redirect: "manual" });

  beforeAll(async () => {
    // 0.001 h = 3.6 s: the first run comes after min(1 minute, one interval).
    app = await startApp({ db: kind, env: { RETENTION_INTERVAL_HOURS: "0.001" } });
  });
  afterAll(() => app?.stop());

  it("the settings page shows the period and stores a valid one, keeping other settings", async () => {
    const shop = await ensureDemoShop(app.db, { domain: SHOP, ingestKey: "ik_retention_settings" });
    await app.db.shop.update({ where: { id: shop.id }, data: { settings: '{"otherFeature":"on"}' } });
    const page = await fetch(settingsUrl(), { headers: adminHeaders(SHOP) });
    expect(page.status).toBe(200);
    expect((await page.json()).retention).toEqual({ retentionDays: 395, problem: null });

    const res = await post({ intent: "retention", retentionDays: "45" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ intent: "retention", retentionDays: 45 });
    const row = await app.db.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(JSON.parse(row.settings)).toEqual({ otherFeature: "on", retentionDays: 45 });
    expect((await (await fetch(settingsUrl(), { headers: adminHeaders(SHOP) })).json()).retention.retentionDays).toBe(45);
  });

  it.each([
    [{ intent: "retention", retentionDays: "abc" }, "Retention must be a whole number of days"],
    [{ intent: "retention", retentionDays: "29" }, "Keep data for at least 30 days"],
    [{ intent: "retention", retentionDays: "5000" }, "Keep data for at most 1095 days (3 years)"],
    [{ intent: "retention" }, "Enter the number of days to keep data"],
    [{ intent: "launch-rockets" }, "Unknown form intent"],
  ])("answers 400 with a clear message for %j and stores nothing", async (form, message) => {
    const shop = await ensureDemoShop(app.db, { domain: SHOP, ingestKey: "ik_retention_settings" });
    const before = (await app.db.shop.findUniqueOrThrow({ where: { id: shop.id } })).settings;
    const res = await post(form);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe(message);
    expect((await app.db.shop.findUniqueOrThrow({ where: { id: shop.id } })).settings).toBe(before);
  });

  it("the server runs the job on its own schedule", async () => {
    const shop = await ensureDemoShop(app.db, { domain: "scheduled.myshopify.com", ingestKey: "ik_scheduled" });
    await app.db.shop.update({ where: { id: shop.id }, data: { settings: '{"retentionDays":30}' } });
    const now = Date.now();
    const row = (eventId: string, ts: number) => ({
      shopId: shop.id,
      eventId,
      name: "page_viewed",
      ts: BigInt(ts),
      seq: 0,
      clientId: eventId,
      sessionId: `${eventId}:${ts}`,
      receivedAt: BigInt(ts),
    });
    await app.db.event.createMany({ data: [row("old", now - 31 * DAY), row("new", now - 29 * DAY)] });
    await app.db.visitorSession.createMany({
      data: [
        {
          shopId: shop.id,
          id: `old:${now - 31 * DAY}`,
          clientId: "old",
          startTs: BigInt(now - 31 * DAY),
          endTs: BigInt(now - 31 * DAY),
          eventCount: 1,
          source: "direct",
          visitorType: "new",
        },
        {
          shopId: shop.id,
          id: `new:${now - 29 * DAY}`,
          clientId: "new",
          startTs: BigInt(now - 29 * DAY),
          endTs: BigInt(now - 29 * DAY),
          eventCount: 1,
          source: "direct",
          visitorType: "new",
        },
      ],
    });
    const deadline = Date.now() + 30_000;
    while ((await app.db.event.count({ where: { shopId: shop.id, eventId: "old" } })) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await app.db.event.findMany({ where: { shopId: shop.id }, select: { eventId: true } })).map((e) => e.eventId)).toEqual(["new"]);
    await expect.poll(() => app.db.visitorSession.count({ where: { shopId: shop.id } }), { timeout: 10_000 }).toBe(1);
    expect(app.logs.join("")).toMatch(/\[retention\] \d+ shops: deleted \d+ events/);
  });
});
