/**
 * POST /collect, end to end: size limit → parse → shop + key check → rate limits →
 * per-event validation → rows → group commit → {accepted, duplicates, rejected}.
 * Every answer is a Response with CORS headers (the pixel's fetch is cross-origin and
 * must be able to read errors and Retry-After).
 */
import { timingSafeEqual, createHash } from "node:crypto";
import { isbot } from "isbot";
import type { Db } from "../db/prisma";
import type { SqlExecutor } from "../db/executor";
import { allowedQueryParamsOf } from "../core/shop-settings";
import { clientAddress, type TrustedProxies } from "./client-address";
import { DEFAULT_MAX_AGE_MS, toRows } from "./normalize";
import { RateLimiter } from "./rate-limit";
import { readCappedBody } from "./read-body";
import { MAX_BODY_BYTES, parseBatch } from "./schema";
import { IngestWriter, OverloadedError } from "./writer.server";

export const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Expose-Headers": "Retry-After",
  "Access-Control-Max-Age": "86400",
};

/** Ingestion's settings (app/env-schema.ts: IngestEnv). */
export interface IngestSettings {
  INGEST_MAX_AGE_HOURS?: number;
  INGEST_MAX_PENDING: number;
  INGEST_SHOP_RPS: number;
  INGEST_SHOP_BURST: number;
  INGEST_IP_RPS: number;
  INGEST_IP_BURST: number;
  trustedProxies: TrustedProxies;
}

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
const SHOP_TTL_MS = 10_000;
const INACTIVE_TTL_MS = 500;

const hashKey = (key: string) => createHash("sha256").update(key).digest();

export interface IngestRequest {
  method: string;
  /** Reads the body, or returns null once it is larger than MAX_BODY_BYTES. */
  readBody(): Promise<string | null>;
  ip: string;
  userAgent: string;
}

/**
 * The /collect pipeline of one process, built by the composition root
 * (app/context.server.ts): its writer on the process's executor, its rate limiters, and
 * its cache of shop lookups.
 */
export class Ingestion {
  readonly writer: IngestWriter;
  private readonly perShop: RateLimiter;
  private readonly perIp: RateLimiter;
  private readonly maxAgeMs: number;
  private readonly shopCache = new Map<string, { value: ShopAuth | null; until: number }>();

  constructor(
    private readonly db: Db,
    exec: SqlExecutor,
    readonly settings: IngestSettings,
  ) {
    this.writer = new IngestWriter(exec, { maxPendingEvents: settings.INGEST_MAX_PENDING });
    this.perShop = new RateLimiter(settings.INGEST_SHOP_RPS, settings.INGEST_SHOP_BURST);
    this.perIp = new RateLimiter(settings.INGEST_IP_RPS, settings.INGEST_IP_BURST);
    this.maxAgeMs = settings.INGEST_MAX_AGE_HOURS ? settings.INGEST_MAX_AGE_HOURS * 3_600_000 : DEFAULT_MAX_AGE_MS;
  }

  private async lookupShop(domain: string, now: number): Promise<ShopAuth | null> {
    const hit = this.shopCache.get(domain);
    if (hit && hit.until > now) return hit.value;
    const shop = await this.db.shop.findUnique({ where: { domain }, select: { id: true, ingestKey: true, uninstalledAt: true, settings: true } });
    const value: ShopAuth | null = shop
      ? { id: shop.id, keyHash: hashKey(shop.ingestKey), active: shop.uninstalledAt === null, allowedQueryParams: new Set(allowedQueryParamsOf(shop.settings)) }
      : null;
    if (this.shopCache.size > 10_000) this.shopCache.clear();
    this.shopCache.set(domain, { value, until: now + (value?.active ? SHOP_TTL_MS : INACTIVE_TTL_MS) });
    return value;
  }

  /** Drops the cached shop so an uninstall or key change takes effect at once. */
  forgetShop(domain: string) {
    this.shopCache.delete(domain);
  }

  async ingest(request: IngestRequest): Promise<IngestReply> {
    if (request.method === "OPTIONS") return { status: 204, headers: CORS_HEADERS, body: null };
    if (request.method !== "POST") return error(405, "use POST", { Allow: "POST, OPTIONS" });
    const now = Date.now();

    const ipLimit = this.perIp.take(request.ip, now);
    if (!ipLimit.ok) return error(429, "too many requests from this address", { "Retry-After": String(ipLimit.retryAfterSec) });

    const body = await request.readBody();
    if (body === null) return error(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    const batch = parseBatch(body);
    if (!batch.ok) return error(400, batch.error);

    let shop: ShopAuth | null;
    try {
      shop = await this.lookupShop(batch.envelope.shop, now);
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

    const shopLimit = this.perShop.take(String(shop.id), now);
    if (!shopLimit.ok) return error(429, "too many requests for this shop", { "Retry-After": String(shopLimit.retryAfterSec) });

    const ua = batch.envelope.ua ?? request.userAgent;
    const rows = toRows(
      batch.events,
      { shopId: shop.id, receivedAt: now, isBot: isbot(ua), maxAgeMs: this.maxAgeMs, allowedQueryParams: shop.allowedQueryParams },
      batch.rejected,
    );
    try {
      const { inserted, rejected } = await this.writer.submit(rows);
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
  async handleCollect(request: Request): Promise<Response> {
    const answer = await this.ingest({
      method: request.method,
      // Node's ReadableStream is async-iterable (the DOM typings leave that out).
      readBody: () => readCappedBody(request.body as AsyncIterable<Uint8Array> | null, Number(request.headers.get("content-length") ?? 0), MAX_BODY_BYTES),
      ip: clientAddress(undefined, request.headers.get("x-forwarded-for") ?? undefined, this.settings.trustedProxies),
      userAgent: request.headers.get("user-agent") ?? "",
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  }
}
