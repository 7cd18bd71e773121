import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, freshDatabase, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders, sendWebhook, sessionToken } from "../helpers/shopify-auth";
import { compact, postBatch } from "../helpers/ingest";

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
    // No kept query parameters yet: the optional field is sent empty.
    expect(JSON.parse(pixel.settings)).toEqual({ ingestUrl: "https://mc.example.test/collect", ingestKey: row.ingestKey, queryParams: "" });
    expect(await app.db.session.count({ where: { shop } })).toBe(1);
  });

  it("the first page after install shows the pixel as the install left it, not the row's 'pending' default", async () => {
    // /app runs the layout's and the dashboard's loaders at once; only one of them runs the
    // install hook, the other must wait for it before reading the shop.
    for (const shop of ["first-page-a.myshopify.com", "first-page-b.myshopify.com", "first-page-c.myshopify.com"]) {
      const res = await openApp(shop);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).not.toContain("has not been created");
      expect(html).toContain(`Connected (pixel ${app.shopify.shops.get(shop)!.pixel!.id})`);
    }
  });

  it("saving the kept query parameters on Settings puts them into the pixel's settings at Shopify, and clearing them does too", async () => {
    const shop = "params.myshopify.com";
    expect((await openApp(shop)).status).toBe(200);
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    const save = (list: string) =>
      fetch(`${app.url}/app/settings?_data=routes%2Fapp.settings`, {
        method: "POST",
        headers: { ...adminHeaders(shop), "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ intent: "queryParams", allowedQueryParams: list }),
      });
    const pixelSettings = () => JSON.parse(app.shopify.shops.get(shop)!.pixel!.settings);

    app.shopify.calls.length = 0;
    const saved = await save("Ref, partner_id utm_source");
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ intent: "queryParams", allowedQueryParams: ["ref", "partner_id"], pixelStatus: "created" });
    expect(app.shopify.calls.map((c) => c.operation)).toEqual(["webPixelUpdate"]);
    expect(pixelSettings()).toEqual({ ingestUrl: "https://mc.example.test/collect", ingestKey: row.ingestKey, queryParams: "ref,partner_id" });

    // An invalid list changes nothing, at Shopify either.
    app.shopify.calls.length = 0;
    expect((await save("ref, email")).status).toBe(400);
    expect(app.shopify.calls).toEqual([]);
    expect(pixelSettings().queryParams).toBe("ref,partner_id");

    // A re-auth keeps the list in the pixel.
    await app.db.session.deleteMany({ where: { shop } });
    expect((await openApp(shop)).status).toBe(200);
    expect(pixelSettings().queryParams).toBe("ref,partner_id");

    expect((await save("")).status).toBe(200);
    expect(pixelSettings()).toEqual({ ingestUrl: "https://mc.example.test/collect", ingestKey: row.ingestKey, queryParams: "" });
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
    expect(app.shopify.calls.map((c) => c.operation)).toEqual(["shop", "webhookSubscriptionCreate", "webPixelUpdate"]);
    expect(app.shopify.shops.get(shop)!.webhooks).toHaveLength(1); // "already taken" for the same address: still one
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
    app.shopify.shops.set(shop, {
      name: "Taken",
      ianaTimezone: "Europe/Berlin",
      currencyCode: "EUR",
      pixel: { id: "gid://shopify/WebPixel/7", settings: "{}" },
      customerTags: new Map(),
    });
    app.shopify.calls.length = 0;
    expect((await openApp(shop)).status).toBe(200);
    expect(app.shopify.calls.map((c) => c.operation)).toEqual(["shop", "webhookSubscriptionCreate", "webPixelCreate", "webPixel", "webPixelUpdate"]);
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

  it("subscribes the shop to orders/create at install (approved protected customer data)", async () => {
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: "fresh-install.myshopify.com" } });
    expect(row).toMatchObject({ ordersWebhook: "subscribed", ordersWebhookError: null });
    expect(app.shopify.shops.get("fresh-install.myshopify.com")!.webhooks).toEqual([
      expect.objectContaining({ topic: "ORDERS_CREATE", callbackUrl: "https://mc.example.test/webhooks/orders/create" }),
    ]);
  });

  it("a stale pixel id after a reinstall: the update answers NOT_FOUND, the query finds none, the pixel is created again", async () => {
    const shop = "reinstalled.myshopify.com";
    expect((await openApp(shop)).status).toBe(200);
    const first = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    // Uninstall: Shopify drops the app's tokens, web pixel and shop webhooks; the app marks the shop.
    app.shopify.uninstall(shop);
    expect((await sendWebhook(app.url, "app/uninstalled", shop, { id: 1, domain: shop, myshopify_domain: shop })).status).toBe(200);
    app.shopify.calls.length = 0;
    expect((await openApp(shop)).status).toBe(200);
    expect(app.shopify.calls.map((c) => c.operation)).toEqual(["shop", "webhookSubscriptionCreate", "webPixelUpdate", "webPixel", "webPixelCreate"]);
    const after = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    const pixel = app.shopify.shops.get(shop)!.pixel!;
    expect(after).toMatchObject({ pixelStatus: "created", webPixelId: pixel.id, ingestKey: first.ingestKey, uninstalledAt: null, ordersWebhook: "subscribed" });
    expect(pixel.id).not.toBe(first.webPixelId);
    expect(JSON.parse(pixel.settings).ingestKey).toBe(first.ingestKey);
  });

  it("an update refused with a top-level error falls back to query-then-update", async () => {
    const shop = "reinstalled.myshopify.com";
    await app.db.session.deleteMany({ where: { shop } });
    app.shopify.failNext("throttle", 1, "webPixelUpdate");
    app.shopify.calls.length = 0;
    expect((await openApp(shop)).status).toBe(200);
    // The stand-in lists the calls it answered: the throttled update is not among them.
    expect(app.shopify.calls.map((c) => c.operation)).toEqual(["shop", "webhookSubscriptionCreate", "webPixel", "webPixelUpdate"]);
    expect(await app.db.shop.findUniqueOrThrow({ where: { domain: shop } })).toMatchObject({ pixelStatus: "created", pixelError: null });
  });

  it("NO_EXTENSION, INVALID_SETTINGS and ACCESS_DENIED leave the pixel failed with what to do; the admin still opens", async () => {
    const noExtension = "no-extension.myshopify.com";
    app.shopify.shops.set(noExtension, {
      name: "NoExt",
      ianaTimezone: "UTC",
      currencyCode: "USD",
      pixel: null,
      customerTags: new Map(),
      pixelExtension: false,
    });
    expect((await openApp(noExtension)).status).toBe(200);
    const a = await app.db.shop.findUniqueOrThrow({ where: { domain: noExtension } });
    expect(a.pixelStatus).toBe("failed");
    expect(a.pixelError).toMatch(/^NO_EXTENSION: No extension found\. .*shopify app deploy/);

    const noScope = "no-pixel-scope.myshopify.com";
    app.shopify.shops.set(noScope, {
      name: "NoScope",
      ianaTimezone: "UTC",
      currencyCode: "USD",
      pixel: null,
      customerTags: new Map(),
      scopes: ["read_customer_events", "read_orders"],
    });
    expect((await openApp(noScope)).status).toBe(200);
    const b = await app.db.shop.findUniqueOrThrow({ where: { domain: noScope } });
    expect(b.pixelStatus).toBe("failed");
    expect(b.pixelError).toContain("ACCESS_DENIED: Access denied for webPixelCreate field");
    expect(b.pixelError).toContain("needs the write_pixels scope");

    // Settings the extension's definition refuses (its ingestKey field requires at least one character).
    const badSettings = "bad-settings.myshopify.com";
    app.shopify.shops.set(badSettings, {
      name: "Bad",
      ianaTimezone: "UTC",
      currencyCode: "USD",
      pixel: { id: "gid://shopify/WebPixel/77", settings: "{}" },
      customerTags: new Map(),
    });
    await app.db.shop.create({ data: { domain: badSettings, name: "Bad", ingestKey: "", webPixelId: "gid://shopify/WebPixel/77", pixelStatus: "created" } });
    expect((await openApp(badSettings)).status).toBe(200);
    const c = await app.db.shop.findUniqueOrThrow({ where: { domain: badSettings } });
    expect(c.pixelStatus).toBe("failed");
    expect(c.pixelError).toMatch(/^INVALID_SETTINGS: .*settings definition/);
  });
});

describe("protected customer data not approved (stand-in in unapproved mode)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { SHOPIFY_APP_URL: "https://mc.example.test" } });
    app.shopify.protectedData = "unapproved";
  });
  afterAll(() => app?.stop());

  async function openApp(shop: string) {
    const host = Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url");
    return fetch(`${app.url}/app?embedded=1&shop=${shop}&host=${host}&id_token=${sessionToken(shop)}`, { headers: { "User-Agent": BROWSER_UA } });
  }
  const setup = async (shop: string) => {
    const res = await fetch(`${app.url}/app/setup?_data=routes%2Fapp.setup`, { headers: adminHeaders(shop) });
    expect(res.status).toBe(200);
    return (await res.json()).checklist;
  };

  it("the install goes on; Setup shows the refused orders/create subscription and what to request; a retry after approval subscribes", async () => {
    const shop = "unapproved.myshopify.com";
    expect((await openApp(shop)).status).toBe(200);
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row).toMatchObject({ pixelStatus: "created", ordersWebhook: "refused" });
    expect(row.ordersWebhookError).toContain("This app is not approved to subscribe to webhook topics containing protected customer data");
    expect(app.shopify.shops.get(shop)!.webhooks ?? []).toEqual([]);

    let c = await setup(shop);
    const item = c.items.find((i: { key: string }) => i.key === "orders");
    expect(item.state).toBe("error");
    expect(item.details.join("\n")).toContain("Protected customer data access → Request access");
    expect(c.orders.canRetry).toBe(true);

    // Still refused: the retry says so.
    const retry = () =>
      fetch(`${app.url}/app/setup?_data=routes%2Fapp.setup`, {
        method: "POST",
        headers: { ...adminHeaders(shop), "Content-Type": "application/x-www-form-urlencoded" },
        body: "intent=orders-webhook",
      });
    let res = await retry();
    expect(await res.json()).toMatchObject({ ok: false, ordersWebhook: "refused" });

    app.shopify.protectedData = "approved";
    res = await retry();
    expect(await res.json()).toEqual({ ok: true, ordersWebhook: "subscribed", ordersWebhookError: null });
    c = await setup(shop);
    expect(c.items.find((i: { key: string }) => i.key === "orders").state).toBe("done");
    expect(app.shopify.shops.get(shop)!.webhooks!.map((w) => w.topic)).toEqual(["ORDERS_CREATE"]);
    app.shopify.protectedData = "unapproved";
  });
});

describe("reinstall takes effect for ingestion at once, in every server process", () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const dbUrl = await freshDatabase("sqlite");
    [a, b] = await Promise.all([startApp({ dbUrl }), startApp({ dbUrl })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("uninstall → 403 in both processes; reinstall through one → both accept events within 1 s", async () => {
    const shop = "reinstall-ingest.myshopify.com";
    const host = Buffer.from(`admin.shopify.com/store/reinstall-ingest`).toString("base64url");
    const open = () => fetch(`${a.url}/app?embedded=1&shop=${shop}&host=${host}&id_token=${sessionToken(shop)}`, { headers: { "User-Agent": BROWSER_UA } });
    expect((await open()).status).toBe(200);
    const { ingestKey: key } = await a.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    const send = (app: TestApp) => postBatch(app.url, { v: 1, shop, key, events: [compact()] });
    for (const app of [a, b]) expect((await send(app)).status).toBe(202); // both processes cache the active shop

    expect((await sendWebhook(a.url, "app/uninstalled", shop, { id: 1, domain: shop, myshopify_domain: shop })).status).toBe(200);
    expect((await send(a)).status).toBe(403); // at once in the process that handled it
    // The other process: within its 10 s cache of an active shop; wait until it sees the uninstall.
    const deadline = Date.now() + 12_000;
    let status = 0;
    while (Date.now() < deadline && (status = (await send(b)).status) !== 403) await new Promise((r) => setTimeout(r, 200));
    expect(status).toBe(403); // and b now caches the shop as uninstalled

    a.shopify.uninstall(shop);
    expect((await open()).status).toBe(200); // reinstall: token exchange + afterAuth in process a
    const reinstalledAt = Date.now();
    expect((await send(a)).status).toBe(202);
    while ((status = (await send(b)).status) !== 202 && Date.now() - reinstalledAt < 3_000) await new Promise((r) => setTimeout(r, 50));
    const accepted = Date.now() - reinstalledAt;
    expect(status).toBe(202);
    expect(accepted).toBeLessThan(1_000);
  });
});
