/**
 * Trust in the numbers, over real HTTP against the production build, on SQLite and
 * PostgreSQL: orders/create (signed like Shopify, idempotent, 401/400), coverage and
 * "why numbers differ" checked against the stored rows recomputed here independently
 * (Intl for local days, plain loops for matching), the setup checklist's states, and
 * tenant isolation. Events go through the real /collect endpoint, so sessions and bot
 * flags are the ingestion's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders, sendWebhook } from "../helpers/shopify-auth";
import { postBatch, visitor } from "../helpers/ingest";

const TZ = "America/New_York";
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const INGEST_URL = "http://127.0.0.1/collect"; // SHOPIFY_APP_URL of startApp + /collect
const BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/** Local "YYYY-MM-DD" / "HH:MM" in New York, computed independently of the app. */
const nyDate = (ts: number) => new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" }).format(ts);
const nyClock = (ts: number) => new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ts);
/** The instant New York's wall clock shows hh:mm, `daysAgo` local days before today. */
function nyAt(daysAgo: number, hh: number, mm = 0): number {
  const [y, m, d] = nyDate(Date.now()).split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d - daysAgo));
  for (const offset of [4, 5]) {
    const ts = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hh + offset, mm);
    if (nyDate(ts) === day.toISOString().slice(0, 10) && nyClock(ts) === `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}`) return ts;
  }
  throw new Error("no such wall-clock time");
}
/** Midnight UTC `daysAgo` UTC days before today, plus an offset. */
const utcMidnight = (daysAgo: number) => Math.floor(Date.now() / DAY) * DAY - daysAgo * DAY;

let seq = 0;
const ev = (clientId: string, name: string, ts: number, extra: Record<string, unknown> = {}) => ({
  id: `${clientId}-${++seq}`,
  name,
  ts: new Date(ts).toISOString(),
  seq,
  clientId: visitor(clientId),
  path: "/",
  ...extra,
});
const purchase = (clientId: string, ts: number, order: number) =>
  ev(clientId, "checkout_completed", ts, {
    path: "/checkouts/c/thank-you",
    checkoutToken: `tok-${order}`,
    orderId: `gid://shopify/Order/${order}`,
    value: 50,
    currency: "USD",
  });

const orderPayload = (id: number | string, createdAt: number, source: string | null = "web", over: Record<string, unknown> = {}) => ({
  id,
  admin_graphql_api_id: `gid://shopify/Order/${id}`,
  name: `#${id}`,
  created_at: new Date(createdAt).toISOString(),
  total_price: "50.00",
  currency: "USD",
  source_name: source,
  checkout_token: source === "web" ? `tok-${id}` : null,
  email: "buyer@example.com",
  customer: { id: 9, email: "buyer@example.com", first_name: "Jane" },
  line_items: [{ title: "Mug" }],
  ...over,
});

describe.each(["sqlite", "postgres"] as const)("trust in the numbers on %s", (kind) => {
  let app: TestApp;
  const shops: Record<string, { id: number; domain: string; key: string }> = {};

  /** An installed shop: its offline token valid at the local Admin API, its pixel there as given. */
  async function install(name: string, pixel: "current" | "outdated" | "none" = "current") {
    const domain = `${name}-${kind}.myshopify.com`;
    const key = `ik_${name}_${kind}`;
    const row = await ensureDemoShop(app.db, { domain, ingestKey: key, timeZone: TZ });
    // As after an install by an app with protected customer data access.
    await app.db.shop.update({ where: { id: row.id }, data: { ordersWebhook: "subscribed" } });
    const token = `shpat_${name}_${kind}`;
    await app.db.session.update({ where: { id: `offline_${domain}` }, data: { accessToken: token } });
    app.shopify.tokens.set(token, domain);
    const settings = JSON.stringify({ ingestUrl: INGEST_URL, ingestKey: pixel === "outdated" ? "ik_old" : key });
    app.shopify.shops.set(domain, {
      name,
      ianaTimezone: TZ,
      currencyCode: "USD",
      pixel: pixel === "none" ? null : { id: row.webPixelId!, settings },
      customerTags: new Map(),
    });
    shops[name] = { id: row.id, domain, key };
    return shops[name];
  }

  async function collect(shop: { domain: string; key: string }, events: ReturnType<typeof ev>[], ua = BROWSER_UA) {
    for (let i = 0; i < events.length; i += 50) {
      const res = await postBatch(app.url, { v: 1, shop: shop.domain, key: shop.key, ua, events: events.slice(i, i + 50) });
      expect(res.status, res.text).toBe(202);
      expect(res.json.rejected).toEqual([]);
    }
  }

  const loader = async (path: string, route: string, domain: string) => {
    const sep = path.includes("?") ? "&" : "?";
    const res = await fetch(`${app.url}${path}${sep}_data=${encodeURIComponent(route)}`, { headers: adminHeaders(domain), redirect: "manual" });
    return { status: res.status, json: await res.json() };
  };
  const setup = (domain: string) => loader("/app/setup", "routes/app.setup", domain);
  const coverage = (domain: string, query = "") => loader(`/app/coverage${query ? `?${query}` : ""}`, "routes/app.coverage", domain);
  const states = (checklist: { items: { key: string; state: string }[] }) => Object.fromEntries(checklist.items.map((i) => [i.key, i.state]));

  beforeAll(async () => {
    app = await startApp({ db: kind, env: { INGEST_MAX_AGE_HOURS: String(24 * 40), INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" } });
  });
  afterAll(() => app?.stop());

  describe("orders/create webhook", () => {
    it("stores only the reconciliation fields, once, however often Shopify delivers", async () => {
      const shop = await install("orders");
      const createdAt = Date.parse("2026-11-20T15:15:00Z");
      const payload = orderPayload(5_123_456_789_012, createdAt, "web", { total_price: "199.90", currency: "EUR" });
      for (let i = 0; i < 2; i++) expect((await sendWebhook(app.url, "orders/create", shop.domain, payload)).status).toBe(200);
      // Two concurrent deliveries of another order: still one row.
      const twice = orderPayload(77, createdAt, "pos");
      const both = await Promise.all([sendWebhook(app.url, "orders/create", shop.domain, twice), sendWebhook(app.url, "orders/create", shop.domain, twice)]);
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      const rows = await app.db.order.findMany({ where: { shopId: shop.id }, orderBy: { orderId: "asc" } });
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        orderId: "5123456789012",
        createdAt: BigInt(createdAt),
        totalPrice: 199.9,
        currency: "EUR",
        onlineStore: true,
        checkoutToken: "tok-5123456789012",
      });
      expect(rows[1]).toMatchObject({ orderId: "77", onlineStore: false, checkoutToken: null });
      expect(Object.keys(rows[0]).sort()).toEqual(["checkoutToken", "createdAt", "currency", "onlineStore", "orderId", "receivedAt", "shopId", "totalPrice"]);
    });

    it("answers 401 to a bad or missing HMAC and 400 with the reason to a payload it cannot read; nothing stored", async () => {
      const shop = await install("orders-bad");
      const payload = orderPayload(1, Date.now());
      expect((await sendWebhook(app.url, "orders/create", shop.domain, payload, { secret: "wrong-secret" })).status).toBe(401);
      expect((await sendWebhook(app.url, "orders/create", shop.domain, payload, { hmac: null })).status).toBe(401);
      const bad = await sendWebhook(app.url, "orders/create", shop.domain, { ...payload, id: "not-a-number", total_price: "lots" });
      expect(bad.status).toBe(400);
      const message = await bad.text();
      expect(message).toContain("id: must be a numeric id");
      expect(message).toContain("total_price");
      expect((await sendWebhook(app.url, "orders/create", shop.domain, { id: 2 })).status).toBe(400);
      expect(await app.db.order.count({ where: { shopId: shop.id } })).toBe(0);
    });

    it("accepts and ignores an order for a shop it does not know", async () => {
      const res = await sendWebhook(app.url, "orders/create", `nobody-${kind}.myshopify.com`, orderPayload(3, Date.now()));
      expect(res.status).toBe(200);
    });
  });

  describe("coverage and why numbers differ, on hand-built data", () => {
    let a: { id: number; domain: string; key: string };
    let b: { id: number; domain: string; key: string };

    beforeAll(async () => {
      a = await install("cov-a");
      b = await install("cov-b");
      const events = [
        // v1: views, carts and buys in one session (order 1001).
        ev("v1", "product_viewed", nyAt(3, 14, 0), { productId: "gid://shopify/Product/1" }),
        ev("v1", "product_added_to_cart", nyAt(3, 14, 2)),
        ev("v1", "checkout_started", nyAt(3, 14, 5), { checkoutToken: "tok-1001" }),
        purchase("v1", nyAt(3, 14, 9), 1001),
        // v2: buys at 23:50 New York time: UTC says tomorrow, the shop's day is today (order 1002).
        ev("v2", "product_viewed", nyAt(3, 23, 40)),
        purchase("v2", nyAt(3, 23, 50), 1002),
        // v3: a session across midnight UTC (one for us, two for Shopify).
        ev("v3", "page_viewed", utcMidnight(4) - 10 * MIN),
        ev("v3", "product_viewed", utcMidnight(4) + 5 * MIN),
        ev("v3", "page_viewed", utcMidnight(4) + 15 * MIN),
        // v6: views a product, comes back two days later and buys without viewing again (order 1003).
        ev("v6", "product_viewed", nyAt(7, 10, 0)),
        ev("v6", "page_viewed", nyAt(5, 11, 0)),
        ev("v6", "checkout_started", nyAt(5, 11, 3), { checkoutToken: "tok-1003" }),
        purchase("v6", nyAt(5, 11, 8), 1003),
        // v9: a purchase the pixel saw but Shopify never sent an order for (order 1099).
        purchase("v9", nyAt(2, 12, 0), 1099),
      ];
      // v5: a kiosk session of 26 hours, an event every 20 minutes: two UTC midnights inside.
      for (let t = utcMidnight(11) - HOUR; t <= utcMidnight(11) + 25 * HOUR; t += 20 * MIN) events.push(ev("v5", "page_viewed", t));
      await collect(a, events);
      // Bots: one buys (order 1005: Shopify has it, but a bot's event does not count as seen), one browses.
      await collect(a, [ev("bot1", "product_viewed", nyAt(4, 12, 0)), purchase("bot1", nyAt(4, 12, 5), 1005)], BOT_UA);
      await collect(a, [ev("bot2", "page_viewed", nyAt(6, 9, 0)), ev("bot2", "page_viewed", nyAt(6, 9, 1)), ev("bot2", "page_viewed", nyAt(6, 9, 2))], BOT_UA);

      const orders = [
        orderPayload(1001, nyAt(3, 14, 8)),
        orderPayload(1002, nyAt(3, 23, 49)),
        orderPayload(1003, nyAt(5, 11, 7)),
        orderPayload(1005, nyAt(4, 12, 4)),
        orderPayload(1006, nyAt(3, 10, 0)), // a visitor without consent: never seen
        orderPayload(1007, nyAt(2, 0, 20)), // just after local midnight
        orderPayload(2001, nyAt(4, 16, 0), "pos"),
        orderPayload(2002, nyAt(6, 16, 0), "shopify_draft_order"),
        orderPayload(1008, nyAt(45, 12, 0)), // outside the last 30 days
      ];
      for (const o of orders) expect((await sendWebhook(app.url, "orders/create", a.domain, o)).status).toBe(200);
      // Shop B: different numbers, to prove isolation.
      await collect(b, [ev("b1", "product_viewed", nyAt(2, 10, 0)), purchase("b1", nyAt(2, 10, 5), 1001)]);
      expect((await sendWebhook(app.url, "orders/create", b.domain, orderPayload(1001, nyAt(2, 10, 4)))).status).toBe(200);
      expect((await sendWebhook(app.url, "orders/create", b.domain, orderPayload(1010, nyAt(2, 11, 0)))).status).toBe(200);
    });

    /**
     * Coverage recomputed from the stored rows with Intl and loops, for the range the server
     * used: a matched pair on its purchase's day, a missed order on its creation day.
     */
    async function expectedCoverage(shopId: number, from: number, to: number, now: number) {
      const orders = await app.db.order.findMany({ where: { shopId } });
      const purchases = (await app.db.event.findMany({ where: { shopId, name: "checkout_completed" } })).filter((e) => !e.isBot);
      const seen = new Set(purchases.filter((e) => e.orderId).map((e) => e.orderId));
      const byId = new Map(orders.map((o) => [o.orderId, o]));
      const empty = () => ({
        onlineOrders: 0,
        seen: 0,
        missed: 0,
        missedRecent: 0,
        rate: null as number | null,
        otherChannelOrders: 0,
        pixelPurchases: 0,
        pixelPurchasesWithoutOrder: 0,
        unmatched: { awaitingOrder: 0, otherChannel: 0, noOrder: 0 },
      });
      const days = new Map<string, ReturnType<typeof empty>>();
      const total = empty();
      const day = (ts: number) => {
        const k = nyDate(ts);
        if (!days.has(k)) days.set(k, empty());
        return days.get(k)!;
      };
      for (const o of orders) {
        const ts = Number(o.createdAt);
        if (ts < from || ts >= to) continue;
        for (const f of [day(ts), total]) {
          if (!o.onlineStore) f.otherChannelOrders++;
          else if (!seen.has(o.orderId)) {
            f.missed++;
            f.onlineOrders++;
            if (ts >= now - HOUR) f.missedRecent++;
          }
        }
      }
      for (const e of purchases) {
        const ts = Number(e.ts);
        if (ts < from || ts >= to) continue;
        const o = e.orderId ? byId.get(e.orderId) : undefined;
        for (const f of [day(ts), total]) {
          f.pixelPurchases++;
          if (o?.onlineStore) {
            f.seen++;
            f.onlineOrders++;
            continue;
          }
          f.pixelPurchasesWithoutOrder++;
          if (o) f.unmatched.otherChannel++;
          else if (ts >= now - HOUR) f.unmatched.awaitingOrder++;
          else f.unmatched.noOrder++;
        }
      }
      for (const f of [total, ...days.values()]) f.rate = f.onlineOrders ? f.seen / f.onlineOrders : null;
      return { days, total, empty };
    }

    it("coverage per day and for the range equals the stored orders and events, recomputed independently", async () => {
      const { status, json } = await coverage(a.domain, "range=last30");
      expect(status).toBe(200);
      const c = json.coverage;
      // The range: 30 New York days ending today, starting at local midnight.
      expect(c.range).toMatchObject({ preset: "last30", days: 30, timeZone: TZ, toDate: nyDate(json.now) });
      expect(nyClock(c.range.from)).toBe("00:00");
      expect(nyDate(c.range.from)).toBe(c.range.fromDate);
      expect(c.days).toHaveLength(30);
      expect(c.days[0].date).toBe(c.range.fromDate);
      expect(c.days[29].date).toBe(c.range.toDate);

      const want = await expectedCoverage(a.id, c.range.from, c.range.to, json.now);
      for (const d of c.days) expect(d, d.date).toEqual({ date: d.date, ...(want.days.get(d.date) ?? want.empty()) });
      expect(c.total).toEqual(want.total);
      // And the hand-built expectations: 1001, 1002, 1003 matched; 1005 (bot), 1006, 1007 missed; 2 other channels; 1099 without order.
      expect(c.total).toEqual({
        onlineOrders: 6,
        seen: 3,
        missed: 3,
        missedRecent: 0,
        rate: 0.5,
        otherChannelOrders: 2,
        pixelPurchases: 4,
        pixelPurchasesWithoutOrder: 1,
        unmatched: { awaitingOrder: 0, otherChannel: 0, noOrder: 1 },
      });
      // The page lists which purchase has no order, and which orders the pixel missed.
      expect(json.lists.unmatchedPurchases).toEqual([{ orderId: "1099", ts: nyAt(2, 12, 0), reason: "noOrder" }]);
      expect(json.lists.missedOrders.map((o: { orderId: string }) => o.orderId)).toEqual(["1007", "1006", "1005"]);
      // 23:50 New York time counts on the shop's day, not UTC's.
      expect(c.days.find((d: { date: string }) => d.date === nyDate(nyAt(3, 12))).onlineOrders).toBe(3);
    });

    it("a custom range and a bad range", async () => {
      const from = nyDate(nyAt(3, 12));
      const { json } = await coverage(a.domain, `range=custom&from=${from}&to=${from}`);
      expect(json.coverage.days).toHaveLength(1);
      expect(json.coverage.total).toMatchObject({ onlineOrders: 3, seen: 2, pixelPurchases: 2 });
      const bad = await coverage(a.domain, "range=forever");
      expect(bad.status).toBe(400);
      expect(bad.json.error).toContain("range must be one of");
      const backwards = await coverage(a.domain, "range=custom&from=2026-11-05&to=2026-11-01");
      expect(backwards.status).toBe(400);
      expect(backwards.json.error).toContain("must be on or before");
    });

    it("purchases without an order get their likely reason: awaiting the webhook, another channel, none; recent missed orders are flagged", async () => {
      const c = await install("cov-c");
      const now = Date.now();
      await collect(c, [
        purchase("c1", now - 5 * MIN, 3001), // its order arrives below: matched
        purchase("c2", now - 10 * MIN, 3002), // no order yet, a few minutes old
        purchase("c3", nyAt(2, 9, 0), 3003), // paid online for a draft order
        purchase("c4", nyAt(3, 9, 0), 3004), // no order, days later
      ]);
      for (const o of [
        orderPayload(3001, now - 5 * MIN - 2_000),
        orderPayload(3003, nyAt(2, 8, 59), "shopify_draft_order"),
        orderPayload(3005, now - 3 * MIN),
      ]) {
        expect((await sendWebhook(app.url, "orders/create", c.domain, o)).status).toBe(200);
      }
      const { json } = await coverage(c.domain, "range=last7");
      const t = json.coverage.total;
      expect(t).toEqual({
        onlineOrders: 2,
        seen: 1,
        missed: 1,
        missedRecent: 1,
        rate: 0.5,
        otherChannelOrders: 1,
        pixelPurchases: 4,
        pixelPurchasesWithoutOrder: 3,
        unmatched: { awaitingOrder: 1, otherChannel: 1, noOrder: 1 },
      });
      expect(t).toEqual((await expectedCoverage(c.id, json.coverage.range.from, json.coverage.range.to, json.now)).total);
      expect(json.lists.unmatchedPurchases.map((p: { orderId: string; reason: string }) => [p.orderId, p.reason])).toEqual([
        ["3002", "awaitingOrder"],
        ["3003", "otherChannel"],
        ["3004", "noOrder"],
      ]);
      expect(json.lists.missedOrders).toEqual([{ orderId: "3005", createdAt: Date.parse(new Date(now - 3 * MIN).toISOString()), recent: true }]);
    });

    it("why numbers differ: midnight-UTC sessions, bots, consent and units, against the stored rows", async () => {
      const { json } = await coverage(a.domain, "range=last30");
      const d = json.differences;
      const { from, to } = json.coverage.range;
      const sessions = (await app.db.visitorSession.findMany({ where: { shopId: a.id } })).filter((s) => Number(s.startTs) >= from && Number(s.startTs) < to);
      const human = sessions.filter((s) => !s.isBot);
      const utcDay = (ts: bigint) => Math.floor(Number(ts) / DAY);
      const events = await app.db.event.findMany({ where: { shopId: a.id } });
      const inRange = (ts: bigint) => Number(ts) >= from && Number(ts) < to;
      const buys = events.filter((e) => e.name === "checkout_completed" && !e.isBot && inRange(e.ts));
      const later = new Set(
        buys
          .filter((p) => !events.some((v) => v.sessionId === p.sessionId && v.name === "product_viewed"))
          .filter((p) =>
            events.some(
              (v) =>
                v.clientId === p.clientId &&
                v.name === "product_viewed" &&
                !v.isBot &&
                v.sessionId !== p.sessionId &&
                v.ts < p.ts &&
                Number(v.ts) >= Number(p.ts) - 7 * DAY,
            ),
          )
          .map((p) => p.clientId),
      );
      expect(d).toMatchObject({
        sessions: human.length,
        sessionsCrossingUtcMidnight: human.filter((s) => utcDay(s.endTs) > utcDay(s.startTs)).length,
        extraShopifySessions: human.reduce((n, s) => n + utcDay(s.endTs) - utcDay(s.startTs), 0),
        sessionsByShopifyRule: human.length + human.reduce((n, s) => n + utcDay(s.endTs) - utcDay(s.startTs), 0),
        botSessions: sessions.filter((s) => s.isBot).length,
        botEvents: events.filter((e) => e.isBot && inRange(e.ts)).length,
        purchasingVisitors: new Set(buys.map((p) => p.clientId)).size,
        purchasedInLaterSession: later.size,
        consent: { onlineOrders: 6, seen: 3, missed: 3, rate: 0.5 },
        range: { fromDate: json.coverage.range.fromDate, toDate: json.coverage.range.toDate, timeZone: TZ, days: 30 },
      });
      // The hand-built truth: v3 crosses one UTC midnight, the kiosk two; two bots; v6 bought in a later session.
      expect(d).toMatchObject({
        sessionsCrossingUtcMidnight: 2,
        extraShopifySessions: 3,
        botSessions: 2,
        botEvents: 5,
        purchasingVisitors: 4,
        purchasedInLaterSession: 1,
      });
      // v1, v2, v3, v5, v9 and v6's two visits.
      expect(d.sessions).toBe(7);
    });

    it("a session token for shop A never reads shop B's numbers, whatever the URL says", async () => {
      const asA = await coverage(a.domain, `range=last30&shop=${b.domain}`);
      const asB = await coverage(b.domain, "range=last30");
      expect(asA.json.coverage.total.onlineOrders).toBe(6);
      expect(asB.json.coverage.total).toMatchObject({ onlineOrders: 2, seen: 1, missed: 1, otherChannelOrders: 0, pixelPurchases: 1 });
      expect(asB.json.differences).toMatchObject({ sessions: 1, botSessions: 0, purchasingVisitors: 1 });
      const wantB = await expectedCoverage(b.id, asB.json.coverage.range.from, asB.json.coverage.range.to, asB.json.now);
      expect(asB.json.coverage.total).toEqual(wantB.total);
      expect(asB.json.lists.missedOrders.map((o: { orderId: string }) => o.orderId)).toEqual(["1010"]);
      const setupB = await setup(b.domain);
      expect(setupB.json.coverage.total).toEqual(asB.json.coverage.total);
      expect(setupB.json.checklist.events.standard.count7d).toBe(
        await app.db.event.count({ where: { shopId: b.id, ts: { gte: BigInt(setupB.json.checklist.now - 7 * DAY) } } }),
      );
    });
  });

  describe("setup checklist", () => {
    it("fresh shop: pixel connected and its settings current in Shopify; embed and events to do", async () => {
      const shop = await install("fresh");
      const { status, json } = await setup(shop.domain);
      expect(status).toBe(200);
      const c = json.checklist;
      expect(states(c)).toEqual({ pixel: "done", embed: "todo", events: "todo", orders: "done" });
      expect(c.complete).toBe(false);
      expect(c.pixel).toMatchObject({ status: "created", settings: { result: "current" }, canRetry: false, ingestUrl: INGEST_URL });
      expect(c.embed.deepLink).toBe(`https://${shop.domain}/admin/themes/current/editor?context=apps&activateAppId=test-api-key/micro-conversions`);
      expect(c.events.standard).toMatchObject({ count7d: 0, latestTs: null });
      expect(c.events.quiet.state).toBe("no-events");
      // The ingest key is never part of what the page receives.
      expect(JSON.stringify(json)).not.toContain(shop.key);
      expect(json.coverage.total).toMatchObject({ onlineOrders: 0, rate: null });
    });

    it("standard events only: events done, the embed still to do", async () => {
      const shop = await install("std");
      const now = Date.now();
      await collect(shop, [ev("s1", "page_viewed", now - 30 * MIN), ev("s1", "product_viewed", now - 29 * MIN), ev("s2", "page_viewed", now - 5 * MIN)]);
      const c = (await setup(shop.domain)).json.checklist;
      expect(states(c)).toEqual({ pixel: "done", embed: "todo", events: "done", orders: "done" });
      expect(c.events.standard).toMatchObject({ count7d: 3, latestTs: Date.parse(new Date(now - 5 * MIN).toISOString()) });
      expect(c.events.custom).toMatchObject({ count7d: 0, latestTs: null });
      expect(c.items[1].summary).toContain("no page-level (mc:) events have arrived");
    });

    it("with mc: events: every item done", async () => {
      const shop = await install("mc");
      const now = Date.now();
      await collect(shop, [
        ev("m1", "page_viewed", now - 20 * MIN),
        ev("m1", "mc:scroll_depth", now - 19 * MIN, { props: { percent: 50 } }),
        ev("m1", "mc:form_start", now - 18 * MIN, { props: { formType: "contact" } }),
      ]);
      const c = (await setup(shop.domain)).json.checklist;
      expect(states(c)).toEqual({ pixel: "done", embed: "done", events: "done", orders: "done" });
      expect(c.complete).toBe(true);
      expect(c.embed.detected).toBe(true);
      const latestMc = await app.db.event.findFirst({ where: { shopId: shop.id, name: { startsWith: "mc:" } }, orderBy: { ts: "desc" } });
      expect(c.events.custom).toMatchObject({ count7d: 2, latestTs: Number(latestMc!.ts) });
      expect(c.events.standard.count7d).toBe(1);
    });

    it("quiet shop: hourly traffic for three days, then ten silent hours → warning", async () => {
      const shop = await install("quiet");
      const lastHour = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
      const events = [];
      for (let h = 0; h < 72; h++) events.push(ev(`q${h % 5}`, h % 4 === 0 ? "mc:scroll_depth" : "page_viewed", lastHour - h * HOUR + 5 * MIN));
      await collect(shop, events);
      const c = (await setup(shop.domain)).json.checklist;
      expect(states(c).events).toBe("warning");
      expect(c.events.quiet).toMatchObject({ state: "quiet", usualGapMs: 2 * HOUR, activeHours: 72 });
      expect(c.events.quiet.silentForMs).toBe(c.now - (lastHour + 5 * MIN));
      expect(c.items[2].summary).toMatch(/^No events for (9 h \d+ min|10 h), while this shop usually has at most 2 h between active hours/);
      expect(c.complete).toBe(false);
    });

    it("pixel settings out of date or pixel removed in Shopify are caught; the retry fixes both", async () => {
      const outdated = await install("outdated", "outdated");
      let c = (await setup(outdated.domain)).json.checklist;
      expect(states(c).pixel).toBe("warning");
      expect(c.pixel).toMatchObject({ settings: { result: "outdated", differs: ["ingestKey"] }, canRetry: true });

      const removed = await install("removed", "none");
      c = (await setup(removed.domain)).json.checklist;
      expect(states(c).pixel).toBe("error");
      expect(c.pixel.settings).toEqual({ result: "missing" });

      for (const shop of [outdated, removed]) {
        const res = await fetch(`${app.url}/app/setup?_data=routes%2Fapp.setup`, {
          method: "POST",
          headers: adminHeaders(shop.domain),
          body: new URLSearchParams(),
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ ok: true, pixelStatus: "created", pixelError: null });
        expect(JSON.parse(app.shopify.shops.get(shop.domain)!.pixel!.settings)).toEqual({ ingestUrl: INGEST_URL, ingestKey: shop.key, queryParams: "" });
        c = (await setup(shop.domain)).json.checklist;
        expect(states(c).pixel).toBe("done");
        expect(c.pixel.settings).toEqual({ result: "current" });
      }
    });

    it("a failed pixel shows Shopify's error and a retry; the Admin API failing just leaves the settings unchecked", async () => {
      const shop = await install("failed", "none");
      await app.db.shop.update({ where: { id: shop.id }, data: { pixelStatus: "failed", pixelError: "ACCESS_DENIED: missing write_pixels" } });
      let c = (await setup(shop.domain)).json.checklist;
      expect(states(c).pixel).toBe("error");
      expect(c.items[0].details[0]).toBe("Error: ACCESS_DENIED: missing write_pixels");
      expect(c.pixel.canRetry).toBe(true);
      const retried = await fetch(`${app.url}/app/setup?_data=routes%2Fapp.setup`, {
        method: "POST",
        headers: adminHeaders(shop.domain),
        body: new URLSearchParams(),
      });
      expect(await retried.json()).toMatchObject({ ok: true, pixelStatus: "created" });

      app.shopify.failNext("http500", 5, "webPixel");
      const res = await setup(shop.domain);
      app.shopify.clearFailures();
      expect(res.status).toBe(200);
      c = res.json.checklist;
      expect(c.pixel.settings.result).toBe("unchecked");
      expect(states(c).pixel).toBe("done");
    });
  });
});
