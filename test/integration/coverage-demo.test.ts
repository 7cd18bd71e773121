/**
 * Coverage that adds up, on the demo's own data (`npm run demo`'s seeding: simulated
 * traffic through the real pixel bundle, its orders and the A/B test's purchases with
 * their orders through signed orders/create webhooks), on SQLite and PostgreSQL. The
 * coverage page's and the dashboard card's numbers are checked against the stored Event
 * and Order rows, counted here in SQL: matched + missed = online-store orders, matched +
 * without an order = pixel purchases, and every demo purchase has its order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../scripts/lib/demo-data";
import { seedDemoExperiment } from "../../scripts/lib/demo-experiment";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { API_SECRET, startApp, type TestApp } from "../helpers/app-server";
import { loaderData } from "../helpers/loader-data";
import { adminHeaders } from "../helpers/shopify-auth";

const num = (v: unknown) => Number(v);

describe.each(["sqlite", "postgres"] as const)("coverage on the demo data (%s)", (kind) => {
  let app: TestApp;
  let shop: { id: number; domain: string; ingestKey: string };
  let experimentOrders = 0;

  const get = async (path: string, route: string) => {
    const res = await fetch(`${app.url}${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(route)}`, { headers: adminHeaders(shop.domain) });
    expect(res.status).toBe(200);
    return loaderData(res);
  };

  /** The stored rows of the range, counted in SQL independently of the app's queries. */
  async function counted(from: number, to: number) {
    const one = async (sql: string) => num((await app.db.$queryRawUnsafe<{ n: unknown }[]>(sql, shop.id, from, to))[0].n);
    const purchase = `e."shopId" = $1 AND e."name" = 'checkout_completed' AND e."isBot" = false AND e."ts" >= $2 AND e."ts" < $3`;
    return {
      purchases: await one(`SELECT COUNT(*) AS "n" FROM "Event" e WHERE ${purchase}`),
      onlineOrders: await one(
        `SELECT COUNT(*) AS "n" FROM "Order" o WHERE o."shopId" = $1 AND o."onlineStore" = true AND o."createdAt" >= $2 AND o."createdAt" < $3`,
      ),
      matched: await one(
        `SELECT COUNT(*) AS "n" FROM "Event" e JOIN "Order" o ON o."shopId" = e."shopId" AND o."orderId" = e."orderId" AND o."onlineStore" = true WHERE ${purchase}`,
      ),
      otherChannels: await one(
        `SELECT COUNT(*) AS "n" FROM "Order" o WHERE o."shopId" = $1 AND o."onlineStore" = false AND o."createdAt" >= $2 AND o."createdAt" < $3`,
      ),
      withoutOrder: await one(
        `SELECT COUNT(*) AS "n" FROM "Event" e WHERE ${purchase} AND NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."shopId" = e."shopId" AND o."orderId" = e."orderId")`,
      ),
    };
  }

  beforeAll(async () => {
    // As scripts/demo.mts runs the server: 30 days of backfill from one address.
    app = await startApp({ db: kind, env: { INGEST_MAX_AGE_HOURS: String(24 * 35), INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" } });
    shop = await ensureDemoShop(app.db);
    await seedDemoData({ db: app.db, shop, ingestUrl: `${app.url}/collect`, appUrl: app.url, apiSecret: API_SECRET, visitors: 300 });
    const exp = await seedDemoExperiment({ appUrl: app.url, ingestKey: shop.ingestKey, shop: shop.domain, visitors: 300, webhookSecret: API_SECRET });
    experimentOrders = exp.orders;
  }, 300_000);
  afterAll(() => app?.stop());

  it("every demo purchase, A/B test included, has its order: matched + missed and matched + without an order reconcile with the stored rows", async () => {
    expect(experimentOrders).toBeGreaterThan(5);
    // 90 days hold the whole demo (30 days of traffic, a 14-day test).
    const { coverage: c, lists } = await get("/app/coverage?range=last90", "routes/app.coverage");
    const t = c.total;
    const db = await counted(c.range.from, c.range.to);
    expect(db.purchases).toBeGreaterThan(20);
    expect(t.pixelPurchases).toBe(db.purchases);
    expect(t.onlineOrders).toBe(db.onlineOrders);
    expect(t.seen).toBe(db.matched);
    expect(t.otherChannelOrders).toBe(db.otherChannels);
    expect(t.seen + t.missed).toBe(db.onlineOrders);
    expect(t.seen + t.pixelPurchasesWithoutOrder).toBe(db.purchases);
    // The demo's exceptions are counted and stated: none of its purchases lacks an order;
    // the orders the pixel missed are the purchases of visitors without consent.
    expect(db.withoutOrder).toBe(0);
    expect(t.pixelPurchasesWithoutOrder).toBe(0);
    expect(t.unmatched).toEqual({ awaitingOrder: 0, otherChannel: 0, noOrder: 0 });
    expect(lists.unmatchedPurchases).toEqual([]);
    expect(t.missed).toBeGreaterThan(0);
    expect(lists.missedOrders.length).toBe(Math.min(t.missed, 50));
    // Each day reconciles too, and the days add up to the range.
    for (const d of c.days) {
      expect(d.seen + d.missed, d.date).toBe(d.onlineOrders);
      expect(d.seen + d.pixelPurchasesWithoutOrder, d.date).toBe(d.pixelPurchases);
    }
    expect(c.days.reduce((s: number, d: { pixelPurchases: number }) => s + d.pixelPurchases, 0)).toBe(db.purchases);
  });

  it("the dashboard's coverage card and the Setup page show the coverage page's numbers for the last 30 days", async () => {
    const page = await get("/app/coverage", "routes/app.coverage");
    const dashboard = await get("/app", "routes/app._index");
    const setup = await get("/app/setup", "routes/app.setup");
    expect(dashboard.panels.coverage.total).toEqual(page.coverage.total);
    expect(setup.coverage.total).toEqual(page.coverage.total);
    const t = page.coverage.total;
    const db = await counted(page.coverage.range.from, page.coverage.range.to);
    // A pair whose order and purchase straddle the range's first midnight counts on its purchase's day.
    expect(t.pixelPurchases).toBe(db.purchases);
    expect(t.seen).toBe(db.matched);
    expect(t.seen + t.missed).toBe(t.onlineOrders);
    expect(t.seen + t.pixelPurchasesWithoutOrder).toBe(t.pixelPurchases);
  });
});
