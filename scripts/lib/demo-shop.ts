/**
 * The demo shop: a Shop row, a web pixel marked connected, and the offline session
 * `authenticate.admin` needs to run without reaching Shopify (docs/offline-demo-auth).
 */
import type { Db } from "../../db/prisma";

export const DEMO_SHOP = "demo-shop.myshopify.com";
export const DEMO_PIXEL_ID = "gid://shopify/WebPixel/1";
export const DEMO_ACCESS_TOKEN = "shpat_demo_local_token";
export const DEMO_INGEST_KEY = "ik_demo_local_only_0000000000000000000000000";

export async function ensureDemoShop(db: Db, opts: { domain?: string; ingestKey?: string; timeZone?: string; scopes?: string } = {}) {
  const domain = opts.domain ?? DEMO_SHOP;
  const scope = opts.scopes ?? "write_pixels,read_customer_events,read_orders,write_customers";
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
    },
    update: { uninstalledAt: null },
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
