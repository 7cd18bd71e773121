/**
 * Admin requests against the real production server, as the embedded admin sends them: a
 * session token (JWT HS256 signed with the app's secret, what App Bridge's fetch carries),
 * with Shopify's token exchange answered by the local stand-in (scripts/local-shopify,
 * loaded into the server with `--import …/intercept.mjs`).
 */
import { createHmac, randomUUID } from "node:crypto";
import path from "node:path";
import { startLocalShopify, type LocalShopify } from "../../scripts/local-shopify/server";
import { BENCH_API_KEY, BENCH_API_SECRET, BROWSER_UA } from "./app-process";

export function adminHeaders(shop: string): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: BENCH_API_KEY,
    sub: "42",
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  const token = `${body}.${createHmac("sha256", BENCH_API_SECRET).update(body).digest("base64url")}`;
  return { Authorization: `Bearer ${token}`, "User-Agent": BROWSER_UA };
}

/** The local Shopify stand-in and what the server needs to use it (node args, env). */
export async function localShopify(root: string): Promise<{ shopify: LocalShopify; nodeArgs: string[]; env: Record<string, string> }> {
  const shopify = await startLocalShopify({ apiKey: BENCH_API_KEY, apiSecret: BENCH_API_SECRET });
  return {
    shopify,
    nodeArgs: ["--import", path.join(root, "scripts", "local-shopify", "intercept.mjs")],
    env: { LOCAL_SHOPIFY_URL: shopify.url },
  };
}
