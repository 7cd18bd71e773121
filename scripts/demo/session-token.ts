import { createHmac, randomUUID } from "node:crypto";

/**
 * Mints an App Bridge session token (JWT, HS256, signed with the app's API secret)
 * exactly as Shopify admin would: iss/dest name the shop, aud is the API key, 60 s life.
 * Used only by the demo server (scripts/demo/), where no Shopify admin exists to issue one.
 */
export function mintSessionToken(opts: { shop: string; apiKey: string; secret: string; userId?: string; nowSec?: number; ttlSec?: number }): string {
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const payload = {
    iss: `https://${opts.shop}/admin`,
    dest: `https://${opts.shop}`,
    aud: opts.apiKey,
    sub: opts.userId ?? "1",
    exp: now + (opts.ttlSec ?? 60),
    nbf: now - 1,
    iat: now - 1,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const body = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac("sha256", opts.secret).update(body).digest("base64url");
  return `${body}.${signature}`;
}
