/**
 * Activity buckets on a real server and database (SQLite and PostgreSQL): after
 * out-of-order, duplicated, partly-bot traffic through POST /collect, the buckets the
 * writer kept, and the sessions' key-event flags, equal a rebuild from the stored rows;
 * the dashboard's figures equal counts made here from the stored sessions and events;
 * retention leaves the buckets equal to a rebuild of what remains.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildActivity } from "../../app/services/activity.server";
import { applyRetention } from "../../app/services/retention.server";
import type { Db } from "../../db/prisma";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { seededRandom } from "../helpers/funnel-seed";
import { postBatch, visitor, type CompactLike } from "../helpers/ingest";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";
import { loaderData } from "../helpers/loader-data";

const SHOP = "activity-shop.myshopify.com";
const KEY = "ik_activity_shop_key_123456";
const BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const MIN = 60_000;
const HOUR = 60 * MIN;
const NAMES = ["page_viewed", "product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed", "mc:scroll_depth", "mc:form_start"];

/** Visitors with sessions that split (> 30 min gaps), cross midnight UTC and buy, over the last 60 hours. */
function traffic(seed: number, now: number) {
  const rnd = seededRandom(seed);
  const events: (CompactLike & { bot: boolean })[] = [];
  for (let v = 0; v < 30; v++) {
    const bot = v % 7 === 3;
    // Some visitors start just before a midnight UTC, so their sessions cross it.
    const midnight = Math.floor((now - 30 * HOUR) / (24 * HOUR)) * 24 * HOUR;
    let ts = v % 5 === 0 ? midnight - Math.floor(rnd() * 20 * MIN) : now - 60 * HOUR + Math.floor(rnd() * 55 * HOUR);
    const count = 3 + Math.floor(rnd() * 12);
    for (let i = 0; i < count; i++) {
      ts += rnd() < 0.2 ? 31 * MIN + Math.floor(rnd() * 3 * HOUR) : Math.floor(rnd() * 10 * MIN);
      if (ts > now - MIN) break;
      const name = NAMES[Math.floor(rnd() * NAMES.length)];
      events.push({
        id: `act-${seed}-${v}-${i}`,
        name,
        ts: new Date(ts).toISOString(),
        seq: i,
        clientId: visitor(`visitor-${seed}-${v}`),
        path: "/",
        bot,
        ...(name === "checkout_started" ? { checkoutToken: `tok-${seed}-${v}-${i}` } : {}),
        ...(name === "checkout_completed" ? { orderId: String(1_000_000 + seed * 10_000 + v * 100 + i) } : {}),
      });
    }
  }
  // Arrival order is not event order: shuffle, and resend a tenth (retries).
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  return [...events, ...events.filter(() => rnd() < 0.1)];
}

async function send(app: TestApp, events: (CompactLike & { bot: boolean })[], seed: number) {
  const rnd = seededRandom(seed + 1);
  for (let i = 0; i < events.length;) {
    const size = 1 + Math.floor(rnd() * 15);
    const slice = events.slice(i, i + size);
    i += size;
    // One user agent per batch, as from one browser.
    for (const bot of [false, true]) {
      const part = slice.filter((e) => e.bot === bot).map(({ bot: _bot, ...e }) => e);
      if (part.length === 0) continue;
      const res = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, events: part, ...(bot ? { ua: BOT_UA } : {}) }, { "User-Agent": BROWSER_UA });
      expect(res.status).toBe(202);
    }
  }
}

type Bucket = Record<string, number>;
async function buckets(db: Db, shopId: number): Promise<Bucket[]> {
  const rows = await db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } });
  return rows.map(({ shopId: _s, ...r }) => r as unknown as Bucket).filter((r) => Object.entries(r).some(([k, v]) => k !== "bucket" && v !== 0));
}
async function flags(db: Db, shopId: number) {
  return db.visitorSession.findMany({
    where: { shopId },
    orderBy: { id: "asc" },
    select: { id: true, addToCart: true, checkoutStart: true, purchase: true, productView: true },
  });
}

describe.each(["sqlite", "postgres"] as const)("activity buckets on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  const now = Date.now();

  beforeAll(async () => {
    app = await startApp({ db: kind });
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY })).id;
  });
  afterAll(() => app?.stop());

  it("the writer's buckets and session flags equal a rebuild from the stored rows", async () => {
    await send(app, traffic(11, now), 11);
    await send(app, traffic(12, now), 12); // a second wave lands in and around the first one's sessions
    const kept = { buckets: await buckets(app.db, shopId), flags: await flags(app.db, shopId) };
    expect(kept.buckets.length).toBeGreaterThan(20);
    const all = await app.db.event.findMany({ where: { shopId }, select: { name: true, isBot: true, sessionId: true } });
    // The flags say what the sessions hold (bot sessions included).
    for (const f of kept.flags) {
      const names = new Set(all.filter((e) => e.sessionId === f.id).map((e) => e.name));
      expect(f).toEqual({
        id: f.id,
        addToCart: names.has("product_added_to_cart"),
        checkoutStart: names.has("checkout_started"),
        purchase: names.has("checkout_completed"),
        productView: names.has("product_viewed"),
      });
    }
    expect(kept.flags.some((f) => f.purchase)).toBe(true);
    expect(kept.flags.some((f) => f.productView) && kept.flags.some((f) => !f.productView)).toBe(true);
    const sum = (k: string) => kept.buckets.reduce((a, b) => a + b[k], 0);
    expect(sum("events")).toBe(all.length);
    expect(sum("customEvents")).toBe(all.filter((e) => e.name.startsWith("mc:")).length);
    expect(sum("botEvents")).toBeGreaterThan(0);
    expect(sum("utcMidnightSessions")).toBeGreaterThan(0);

    await rebuildActivity(app.db, shopId);
    expect(await buckets(app.db, shopId)).toEqual(kept.buckets);
    expect(await flags(app.db, shopId)).toEqual(kept.flags);
  });

  it("the dashboard's sessions and key rates equal counts of the stored sessions", async () => {
    const res = await fetch(`${app.url}/app?_data=routes%2Fapp._index`, { headers: adminHeaders(SHOP) });
    expect(res.status).toBe(200);
    const d = await loaderData(res);
    const sessions = await app.db.visitorSession.findMany({ where: { shopId, isBot: false } });
    const inRange = sessions.filter((s) => Number(s.startTs) >= d.range.from && Number(s.startTs) < d.range.to);
    expect(inRange.length).toBeGreaterThan(0);
    expect(d.sessions.current).toBe(inRange.length);
    const rate = (key: string) => d.rates.find((r: { key: string }) => r.key === key);
    expect(rate("addToCart")).toMatchObject({ sessions: inRange.filter((s) => s.addToCart).length, of: inRange.length });
    expect(rate("purchase").sessions).toBe(inRange.filter((s) => s.purchase).length);
    expect(d.tracking.events).toBe(await app.db.event.count({ where: { shopId } }));
    expect(d.tracking.customEvents).toBe(await app.db.event.count({ where: { shopId, name: { startsWith: "mc:" } } }));
    // The deferred trust cards count the same sessions over the same range.
    expect(d.panels.coverage.range).toMatchObject({ from: d.range.from, to: d.range.to });
    expect(d.panels.differences.sessions).toBe(inRange.length);
    const bots = await app.db.visitorSession.findMany({ where: { shopId, isBot: true } });
    expect(d.panels.differences.botSessions).toBe(bots.filter((s) => Number(s.startTs) >= d.range.from && Number(s.startTs) < d.range.to).length);
  });

  it("retention leaves the buckets equal to a rebuild of the rows that remain", async () => {
    await app.db.shop.update({ where: { id: shopId }, data: { settings: JSON.stringify({ retentionDays: 30 }) } });
    // 30 days back from 31 days ahead: the cutoff falls inside the traffic, mid-bucket.
    const [result] = await applyRetention(app.db, { now: now + 31 * 24 * HOUR - 37 * HOUR - 7 * MIN, shopId });
    expect(result.events).toBeGreaterThan(0);
    expect(await app.db.event.count({ where: { shopId } })).toBeGreaterThan(0);
    const kept = await buckets(app.db, shopId);
    await rebuildActivity(app.db, shopId);
    expect(await buckets(app.db, shopId)).toEqual(kept);
  });
});
