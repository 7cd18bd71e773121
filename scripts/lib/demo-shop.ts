/**
 * The demo shop: a Shop row, a web pixel marked connected, and the offline session
 * `authenticate.admin` needs to run without reaching Shopify (docs/offline-demo-auth);
 * `installDemoShop` also gives the local Admin API the same shop as installed.
 */
import type { Db } from "../../db/prisma";
import type { LocalShopify } from "../local-shopify/server";

export const DEMO_SHOP = "demo-shop.myshopify.com";
export const DEMO_PIXEL_ID = "gid://shopify/WebPixel/1";
export const DEMO_ACCESS_TOKEN = "shpat_demo_local_token";
export const DEMO_INGEST_KEY = "ik_demo_local_only_0000000000000000000000000";

export async function ensureDemoShop(
  db: Db,
  opts: { domain?: string; ingestKey?: string; timeZone?: string; scopes?: string; ordersWebhook?: "subscribed" } = {},
) {
  const domain = opts.domain ?? DEMO_SHOP;
  const scope = opts.scopes ?? "write_pixels,read_customer_events,read_orders,write_customers";
  const subscribed = opts.ordersWebhook ? { ordersWebhook: opts.ordersWebhook, ordersWebhookError: null } : {};
  const shop = await db.shop.upsert({
    where: { domain },
    create: {
      domain,
      name: "Demo Shop",
      timeZone: opts.timeZone ?? "America/New_York",
      currency: "USD",
      ingestKey: opts.ingestKey ?? DEMO_INGEST_KEY,
      webPixelId: DEMO_PIXEL_ID,
      pixelStatus: "created",
      scopes: scope,
      ...subscribed,
    },
    update: { uninstalledAt: null, ...subscribed },
  });
  const session = {
    id: `offline_${domain}`,
    shop: domain,
    state: "",
    isOnline: false,
    scope,
    accessToken: DEMO_ACCESS_TOKEN,
    expires: null,
    refreshToken: null,
    refreshTokenExpires: null,
  };
  await db.session.upsert({ where: { id: session.id }, create: session, update: session });
  return shop;
}

/** Where the app asks Shopify to send orders/create (app/services/shops.server.ts). */
export const ordersWebhookUrl = (appUrl: string) => new URL("/webhooks/orders/create", appUrl).toString();

/**
 * The demo shop as the app's install leaves it, on both sides. The seeded offline session
 * means the demo never runs the install hook (no token exchange), so what that hook makes
 * is written here: at the local Admin API the offline token, the web pixel with this
 * server's settings and the shop-specific orders/create subscription; in the database the
 * shop row (pixel created, orders/create subscribed) and the session. A retry from Setup
 * then gets Shopify's "already been taken" answer, which the app counts as subscribed.
 */
export async function installDemoShop(
  db: Db,
  shopify: Pick<LocalShopify, "tokens" | "shops">,
  appUrl: string,
  opts: { domain?: string; ingestKey?: string } = {},
) {
  const domain = opts.domain ?? DEMO_SHOP;
  const shop = await ensureDemoShop(db, { domain, ingestKey: opts.ingestKey, ordersWebhook: "subscribed" });
  shopify.tokens.set(DEMO_ACCESS_TOKEN, domain);
  shopify.shops.set(domain, {
    name: shop.name,
    ianaTimezone: shop.timeZone,
    currencyCode: shop.currency,
    pixel: { id: shop.webPixelId ?? DEMO_PIXEL_ID, settings: JSON.stringify({ ingestUrl: new URL("/collect", appUrl).toString(), ingestKey: shop.ingestKey }) },
    customerTags: new Map(),
    webhooks: [{ id: "gid://shopify/WebhookSubscription/1", topic: "ORDERS_CREATE", callbackUrl: ordersWebhookUrl(appUrl) }],
  });
  return shop;
}
