/**
 * POST /collect, end to end: size limit → parse → shop + key check → rate limits →
 * per-event validation → rows → group commit → {accepted, duplicates, rejected}.
 * Every answer is a Response with CORS headers (the pixel's fetch is cross-origin and
 * must be able to read errors and Retry-After).
 */
import { timingSafeEqual, createHash } from "node:crypto";
import { isbot } from "isbot";
import prisma from "../app/db.server";
import { allowedQueryParamsOf } from "../app/models/shop-settings";
import { databaseUrl } from "../app/db-url";
import { clientAddress } from "../app/client-address";
import { ingestEnv as env } from "../app/ingest-env.server";
import { DEFAULT_MAX_AGE_MS, toRows } from "./normalize";
import { RateLimiter } from "./rate-limit";
import { readCappedBody } from "./read-body";
import { MAX_BODY_BYTES, parseBatch } from "./schema";
import { createSqlExecutor } from "./sql-executor.server";
import { IngestWriter, OverloadedError } from "./writer.server";

export const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Expose-Headers": "Retry-After",
  "Access-Control-Max-Age": "86400",
};

const maxAgeMs = env.INGEST_MAX_AGE_HOURS ? env.INGEST_MAX_AGE_HOURS * 3_600_000 : DEFAULT_MAX_AGE_MS;
/**
 * The process's one driver-level executor: on SQLite one connection, so the writer and
 * the funnel-results refresher (app/services/funnel-results.server.ts) take turns.
 */
export const sqlExecutor = createSqlExecutor(databaseUrl(process.env));
const writer = new IngestWriter(sqlExecutor, { maxPendingEvents: env.INGEST_MAX_PENDING });
const perShop = new RateLimiter(env.INGEST_SHOP_RPS, env.INGEST_SHOP_BURST);
const perIp = new RateLimiter(env.INGEST_IP_RPS, env.INGEST_IP_BURST);

/** A transport-neutral answer: the Remix route and the server's fast path both send it. */
export interface IngestReply {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): IngestReply {
  return { status, body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...CORS_HEADERS, ...headers } };
}

export const NO_CONSENT = "consent: the visitor did not allow analytics; nothing stored";

const error = (status: number, message: string, headers?: Record<string, string>) => reply(status, { error: message }, headers);

// Shop lookups are cached briefly: every pixel request needs one. app/uninstalled and
// an install clear the entry at once in the process that handled them (forgetShop).
// Other processes learn of an uninstall within SHOP_TTL_MS; an unknown or uninstalled
// shop is kept only INACTIVE_TTL_MS, so a reinstall is accepted everywhere within it.
interface ShopAuth {
  id: number;
  keyHash: Buffer;
  active: boolean;
  /** Merchant's extra query parameters kept in url/referrer (Settings). */
  allowedQueryParams: ReadonlySet<string>;
}
const shopCache = new Map<string, { value: ShopAuth | null; until: number }>();
const SHOP_TTL_MS = 10_000;
const INACTIVE_TTL_MS = 500;

const hashKey = (key: string) => createHash("sha256").update(key).digest();

async function lookupShop(domain: string, now: number) {
  const hit = shopCache.get(domain);
  if (hit && hit.until > now) return hit.value;
  const shop = await prisma.shop.findUnique({ where: { domain }, select: { id: true, ingestKey: true, uninstalledAt: true, settings: true } });
  const value: ShopAuth | null = shop
    ? { id: shop.id, keyHash: hashKey(shop.ingestKey), active: shop.uninstalledAt === null, allowedQueryParams: new Set(allowedQueryParamsOf(shop.settings)) }
    : null;
  if (shopCache.size > 10_000) shopCache.clear();
  shopCache.set(domain, { value, until: now + (value?.active ? SHOP_TTL_MS : INACTIVE_TTL_MS) });
  return value;
}

/** Drops the cached shop so an uninstall or key change takes effect at once. */
export function forgetShop(domain: string) {
  shopCache.delete(domain);
}

export interface IngestRequest {
  method: string;
  /** Reads the body, or returns null once it is larger than MAX_BODY_BYTES. */
  readBody(): Promise<string | null>;
  ip: string;
  userAgent: string;
}

export async function ingest(request: IngestRequest): Promise<IngestReply> {
  if (request.method === "OPTIONS") return { status: 204, headers: CORS_HEADERS, body: null };
  if (request.method !== "POST") return error(405, "use POST", { Allow: "POST, OPTIONS" });
  const now = Date.now();

  const ipLimit = perIp.take(request.ip, now);
  if (!ipLimit.ok) return error(429, "too many requests from this address", { "Retry-After": String(ipLimit.retryAfterSec) });

  const body = await request.readBody();
  if (body === null) return error(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  const batch = parseBatch(body);
  if (!batch.ok) return error(400, batch.error);

  let shop: Awaited<ReturnType<typeof lookupShop>>;
  try {
    shop = await lookupShop(batch.envelope.shop, now);
  } catch (e) {
    // Database down while the shop is not cached: a retryable answer, like a failed write.
    console.error("[collect] shop lookup failed:", e instanceof Error ? e.message : e);
    return error(503, "temporarily unable to check the shop", { "Retry-After": "2" });
  }
  // Hashing both sides gives equal lengths for a constant-time comparison.
  if (!shop || !timingSafeEqual(shop.keyHash, hashKey(batch.envelope.key))) return error(401, "unknown shop or wrong ingest key");
  if (!shop.active) return error(403, "the app is uninstalled from this shop");
  // Without analytics consent nothing is stored. Not an error for the sender (a retry
  // cannot change it), so 202 with every event refused and the reason.
  if (!batch.envelope.consent.analytics) {
    const rejected = batch.envelope.events.map((_, index) => ({ index, reason: NO_CONSENT }));
    return reply(202, { accepted: 0, duplicates: 0, rejected, refused: NO_CONSENT });
  }

  const shopLimit = perShop.take(String(shop.id), now);
  if (!shopLimit.ok) return error(429, "too many requests for this shop", { "Retry-After": String(shopLimit.retryAfterSec) });

  const ua = batch.envelope.ua ?? request.userAgent;
  const rows = toRows(
    batch.events,
    { shopId: shop.id, receivedAt: now, isBot: isbot(ua), maxAgeMs, allowedQueryParams: shop.allowedQueryParams },
    batch.rejected,
  );
  try {
    const { inserted, rejected } = await writer.submit(rows);
    const counts = { accepted: inserted, duplicates: rows.length - inserted - rejected.length };
    if (rejected.length === 0) return reply(202, { ...counts, rejected: batch.rejected });
    // Rows the database refused (the batch's own data made a statement fail): the rest is
    // stored; 400 so the pixel does not resend what cannot be stored. Row → batch index:
    // toRows makes one row per event it did not reject, in order.
    const refused = new Set(batch.rejected.map((r) => r.index));
    const indexOfRow = batch.events.map((e) => e.index).filter((index) => !refused.has(index));
    const all = [...batch.rejected, ...rejected.map((r) => ({ index: indexOfRow[r.row], reason: r.reason }))].sort((a, b) => a.index - b.index);
    return reply(400, { error: "some events could not be stored", ...counts, rejected: all });
  } catch (e) {
    if (e instanceof OverloadedError) return error(503, "ingestion is busy, retry shortly", { "Retry-After": "1" });
    // Database down or similar: the pixel retries on 5xx, nothing was acknowledged.
    console.error("[collect] write failed:", e instanceof Error ? e.message : e);
    return error(503, "temporarily unable to store events", { "Retry-After": "2" });
  }
}

/**
 * The Remix route's adapter (the production server answers /collect before Remix; see
 * server.ts). A Fetch Request has no peer address, so X-Forwarded-For is never believed here.
 */
export async function handleCollect(request: Request): Promise<Response> {
  const answer = await ingest({
    method: request.method,
    // Node's ReadableStream is async-iterable (the DOM typings leave that out).
    readBody: () => readCappedBody(request.body as AsyncIterable<Uint8Array> | null, Number(request.headers.get("content-length") ?? 0), MAX_BODY_BYTES),
    ip: clientAddress(undefined, request.headers.get("x-forwarded-for") ?? undefined, env.trustedProxies),
    userAgent: request.headers.get("user-agent") ?? "",
  });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
