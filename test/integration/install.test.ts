import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { sessionToken } from "../helpers/shopify-auth";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { SHOPIFY_APP_URL: "https://mc.example.test" } });
});
afterAll(() => app?.stop());

/** What Shopify admin does when a merchant opens the app: load /app with embedded params and a session token. */
async function openApp(shop: string) {
  const host = Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url");
  return fetch(`${app.url}/app?embedded=1&shop=${shop}&host=${host}&id_token=${sessionToken(shop)}`, { headers: { "User-Agent": BROWSER_UA } });
}

describe("install (token exchange + afterAuth) against the local Admin API", () => {
  it("records the shop from the Admin API and creates its web pixel with the ingest settings", async () => {
    const shop = "fresh-install.myshopify.com";
    const res = await openApp(shop);
    expect(res.status).toBe(200);
    // Local Shopify's shop query answers America/New_York / USD by default.
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row).toMatchObject({ timeZone: "America/New_York", currency: "USD", pixelStatus: "created", uninstalledAt: null });
    const pixel = app.shopify.shops.get(shop)!.pixel!;
    expect(row.webPixelId).toBe(pixel.id);
    expect(JSON.parse(pixel.settings)).toEqual({ ingestUrl: "https://mc.example.test/collect", ingestKey: row.ingestKey });
    expect(await app.db.session.count({ where: { shop } })).toBe(1);
  });

  it("is idempotent: a second auth updates the same pixel and keeps the ingest key", async () => {
    const shop = "fresh-install.myshopify.com";
    const before = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    await app.db.session.deleteMany({ where: { shop } }); // forces a new token exchange
    app.shopify.calls.length = 0;
    expect((await openApp(shop)).status).toBe(200);
    const after = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(after.ingestKey).toBe(before.ingestKey);
    expect(after.webPixelId).toBe(before.webPixelId);
    expect(app.shopify.calls.map((c) => c.operation)).toEqual(["shop", "webPixelUpdate"]);
  });

  it("a new shop time zone rebuilds the precomputed funnel results (they are keyed by local day)", async () => {
    const shop = "fresh-install.myshopify.com";
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    await app.db.funnel.create({ data: { shopId: row.id, name: "F", resultsState: "ready", resultsMark: 1n } });
    // Same zone: nothing to rebuild.
    await app.db.session.deleteMany({ where: { shop } });
    expect((await openApp(shop)).status).toBe(200);
    expect(await app.db.funnel.findMany({ where: { shopId: row.id }, select: { resultsState: true } })).toEqual([{ resultsState: "ready" }]);
    // The merchant moved the shop to another zone.
    app.shopify.shops.get(shop)!.ianaTimezone = "Asia/Tokyo";
    await app.db.session.deleteMany({ where: { shop } });
    expect((await openApp(shop)).status).toBe(200);
    // Reset (mark cleared; the server's refresher may already have started the new build).
    const [f] = await app.db.funnel.findMany({ where: { shopId: row.id }, select: { resultsMark: true } });
    expect(f.resultsMark === null || f.resultsMark > 1n).toBe(true);
    expect((await app.db.shop.findUniqueOrThrow({ where: { domain: shop } })).timeZone).toBe("Asia/Tokyo");
  });

  it("falls back to update when the pixel already exists for the app (TAKEN)", async () => {
    const shop = "taken-pixel.myshopify.com";
    app.shopify.shops.set(shop, { name: "Taken", ianaTimezone: "Europe/Berlin", currencyCode: "EUR", pixel: { id: "gid://shopify/WebPixel/7", settings: "{}" }, customerTags: new Map() });
    app.shopify.calls.length = 0;
    expect((await openApp(shop)).status).toBe(200);
    expect(app.shopify.calls.map((c) => c.operation)).toEqual(["shop", "webPixelCreate", "webPixel", "webPixelUpdate"]);
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row).toMatchObject({ webPixelId: "gid://shopify/WebPixel/7", pixelStatus: "created", timeZone: "Europe/Berlin", currency: "EUR" });
    expect(JSON.parse(app.shopify.shops.get(shop)!.pixel!.settings).ingestKey).toBe(row.ingestKey);
  });

  it("stores a failed pixel creation with its error, and the Settings action retries it", async () => {
    const shop = "flaky.myshopify.com";
    app.shopify.failNext("http500", 5, "webPixelCreate"); // more than the client retries
    expect((await openApp(shop)).status).toBe(200); // the admin still opens
    const failed = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(failed.pixelStatus).toBe("failed");
    expect(failed.pixelError).toBeTruthy();
    app.shopify.clearFailures();
    app.shopify.calls.length = 0;
    const retried = await fetch(`${app.url}/app/settings?_data=routes%2Fapp.settings`, {
      method: "POST",
      headers: { Authorization: `Bearer ${sessionToken(shop)}`, "User-Agent": BROWSER_UA, "Content-Type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ pixelStatus: "created" });
    const fixed = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(fixed).toMatchObject({ pixelStatus: "created", pixelError: null });
  });
});
