/**
 * Test-side implementations of what Shopify sends: session tokens (JWT HS256) and
 * HMAC-signed webhooks. Written independently of the app's own code on purpose.
 */
import { createHmac, randomUUID } from "node:crypto";
import { API_KEY, API_SECRET, BROWSER_UA } from "./app-server";

export function sessionToken(shop: string, overrides: Record<string, unknown> = {}, secret = API_SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: API_KEY,
    sub: "42",
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
    ...overrides,
  };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

/** Headers of an authenticated admin data request (what App Bridge's fetch sends). */
export function adminHeaders(shop: string, token = sessionToken(shop)) {
  return { Authorization: `Bearer ${token}`, "User-Agent": BROWSER_UA };
}

/**
 * Sends a webhook the way Shopify does: JSON body, HMAC-SHA256 of the raw body, base64.
 * `rawBody` replaces the JSON body (still signed); `route` posts to another topic's endpoint.
 */
export function sendWebhook(
  baseUrl: string,
  topic: string,
  shop: string,
  payload: unknown,
  opts: { secret?: string; hmac?: string | null; rawBody?: string; route?: string } = {},
) {
  const body = opts.rawBody ?? JSON.stringify(payload);
  const hmac =
    opts.hmac === undefined
      ? createHmac("sha256", opts.secret ?? API_SECRET)
          .update(body)
          .digest("base64")
      : opts.hmac;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-API-Version": "2025-10",
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
    "X-Shopify-Event-Id": randomUUID(),
    "User-Agent": "Shopify-Captain-Hook",
  };
  if (hmac !== null) headers["X-Shopify-Hmac-Sha256"] = hmac;
  return fetch(`${baseUrl}/webhooks/${opts.route ?? topic}`, { method: "POST", headers, body });
}
