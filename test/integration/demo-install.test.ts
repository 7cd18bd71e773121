/**
 * The demo's install (scripts/lib/demo-shop.ts `installDemoShop`, what `npm run demo`
 * seeds) leaves the shop as the app's own install hook would, on the demo server
 * (scripts/demo/server.ts) and the local Admin API: opening the demo's dashboard shows the
 * orders/create subscription done, not "To do" with a retry, and a retry from Setup gets
 * Shopify's answer for a subscription that already exists.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installDemoShop, ordersWebhookUrl } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { loaderData } from "../helpers/loader-data";
import { adminHeaders } from "../helpers/shopify-auth";

const APP_URL = "http://127.0.0.1"; // SHOPIFY_APP_URL of startApp

describe.each(["sqlite", "postgres"] as const)("the demo's install on %s", (kind) => {
  const shop = `demo-install-${kind}.myshopify.com`;
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp({ db: kind, demoFor: shop, env: { AUDIENCE_AUTO_SYNC_CHECK_SECONDS: "0" } });
    await installDemoShop(app.db, app.shopify, APP_URL, { domain: shop, ingestKey: `ik_demo_install_${kind}` });
  }, 60_000);
  afterAll(() => app?.stop());

  const ordersItem = (checklist: { items: { key: string; state: string }[] }) => checklist.items.find((i) => i.key === "orders");

  it("opening the demo shows the dashboard with orders/create subscribed and no retry button", async () => {
    // /demo redirects to the embedded admin URL with a fresh session token, as a browser follows it.
    const res = await fetch(`${app.url}/demo`, { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Dashboard");
    expect(html).not.toContain("Retry the orders/create subscription");
    expect(html).not.toContain("The orders/create subscription has not been made yet.");
    const data = await loaderData(await fetch(`${app.url}/app?_data=routes%2Fapp._index`, { headers: adminHeaders(shop) }));
    expect(ordersItem(data.trust.checklist)).toMatchObject({ state: "done" });
  });

  it("Setup answers from the stand-in as Shopify does: the existing subscription counts, none is added", async () => {
    const data = await loaderData(await fetch(`${app.url}/app/setup?_data=routes%2Fapp.setup`, { headers: adminHeaders(shop) }));
    expect(ordersItem(data.checklist)).toMatchObject({ state: "done" });
    expect(data.checklist.pixel).toMatchObject({ status: "created" });
    const res = await fetch(`${app.url}/app/setup?_data=routes%2Fapp.setup`, {
      method: "POST",
      headers: { ...adminHeaders(shop), "Content-Type": "application/x-www-form-urlencoded" },
      body: "intent=orders-webhook",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, ordersWebhook: "subscribed", ordersWebhookError: null });
    expect(app.shopify.shops.get(shop)?.webhooks).toEqual([expect.objectContaining({ topic: "ORDERS_CREATE", callbackUrl: ordersWebhookUrl(APP_URL) })]);
    expect(app.shopify.calls.filter((c) => c.shop === shop && c.operation === "webhookSubscriptionCreate")).toHaveLength(1);
  });
});
