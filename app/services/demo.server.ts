import { env } from "../env.server";
import { mintSessionToken } from "./session-token.server";

/** The one shop demo mode serves. */
export const DEMO_SHOP = env.DEMO_SHOP;

/** Demo-only routes answer 404 unless DEMO_MODE=1, so they do not exist in production. */
export function assertDemoMode() {
  if (!env.demoMode) throw new Response("Not found", { status: 404 });
}

export function demoToken(): string {
  return mintSessionToken({ shop: DEMO_SHOP, apiKey: env.SHOPIFY_API_KEY, secret: env.SHOPIFY_API_SECRET });
}

/** The URL Shopify admin would load in its iframe: embedded params + a fresh id_token. */
export function demoAdminUrl(path = "/app"): string {
  const handle = DEMO_SHOP.replace(".myshopify.com", "");
  const host = Buffer.from(`admin.shopify.com/store/${handle}`).toString("base64url");
  const params = new URLSearchParams({ embedded: "1", shop: DEMO_SHOP, host, id_token: demoToken() });
  return `${path}?${params.toString()}`;
}
