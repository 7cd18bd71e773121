/**
 * Facts for the setup checklist: the pixel row, Shopify's copy of the pixel settings
 * (when an Admin API client is at hand) and what has arrived at /collect. The verdicts
 * and sentences are core/trust/checklist (pure, unit-tested).
 */
import prisma from "../../db.server";
import { env } from "../../env.server";
import { adminQuery, type AdminGraphql } from "../admin-graphql.server";
import { buildChecklist, EMBED_SILENCE_PAGE_VIEWS, type EventFacts, type KindFacts, type PixelSettingsCheck, type SetupChecklistView } from "../../../core/trust/checklist";
import { RHYTHM_DAYS } from "../../../core/trust/quiet";
import { DAY_MS, HOUR_MS } from "../../../core/trust/time";
import { safeTimeZone } from "../date-range";

export interface ChecklistShop {
  id: number;
  domain: string;
  timeZone: string;
  ingestKey: string;
  pixelStatus: string;
  pixelError: string | null;
  webPixelId: string | null;
}

const CURRENT_PIXEL = `#graphql
query TrustCurrentWebPixel { webPixel { id settings } }`;

/** Long enough for a healthy Admin API, short enough that the page never hangs on it. */
const ADMIN_TIMEOUT_MS = 5_000;

function reasonOf(e: unknown): string {
  if (e instanceof Response) return `Shopify answered HTTP ${e.status}`;
  return (e instanceof Error ? e.message : String(e)).slice(0, 200);
}

/**
 * Compares Shopify's copy of our pixel's settings with what it should be (this server's
 * ingest URL, this shop's key). Never throws: a failed or slow call is "unchecked" and the
 * page still renders. On a 401 the library has already dropped the stored access token,
 * so the next request exchanges a fresh one; swallowing the Response here is safe.
 */
export async function checkPixelSettings(admin: AdminGraphql | null, shop: Pick<ChecklistShop, "ingestKey" | "pixelStatus">): Promise<PixelSettingsCheck> {
  if (!admin) return { result: "unchecked", reason: "not asked from this page" };
  if (shop.pixelStatus !== "created") return { result: "unchecked", reason: "the pixel is not created yet" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Shopify did not answer within ${ADMIN_TIMEOUT_MS / 1000} s`)), ADMIN_TIMEOUT_MS);
    });
    const query = adminQuery<{ webPixel: { id: string; settings: unknown } | null }>(admin, CURRENT_PIXEL);
    // If the timeout wins, the query may still fail later: that rejection must not go
    // unhandled (it would end the process).
    query.catch(() => {});
    const data = await Promise.race([query, timeout]);
    if (!data.webPixel) return { result: "missing" };
    // The settings field is a JSON scalar: a JSON string on the wire, an object in some clients.
    const raw = data.webPixel.settings;
    const settings = (typeof raw === "string" ? JSON.parse(raw) : raw) as { ingestUrl?: unknown; ingestKey?: unknown } | null;
    const differs: ("ingestUrl" | "ingestKey")[] = [];
    if (settings?.ingestUrl !== env.ingestUrl) differs.push("ingestUrl");
    if (settings?.ingestKey !== shop.ingestKey) differs.push("ingestKey");
    return differs.length > 0 ? { result: "outdated", differs } : { result: "current" };
  } catch (e) {
    return { result: "unchecked", reason: reasonOf(e) };
  } finally {
    clearTimeout(timer);
  }
}

type Num = unknown;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

async function kindFacts(shopId: number, custom: boolean, since7d: number): Promise<KindFacts> {
  // Bot events count here: anything that reached /collect proves the pipe works.
  const name = custom ? { startsWith: "mc:" } : undefined;
  const where = custom ? { shopId, name } : { shopId, NOT: { name: { startsWith: "mc:" } } };
  const [count7d, first, latest] = await Promise.all([
    prisma.event.count({ where: { ...where, ts: { gte: BigInt(since7d) } } }),
    prisma.event.findFirst({ where, orderBy: { ts: "asc" }, select: { ts: true } }),
    prisma.event.findFirst({ where, orderBy: { ts: "desc" }, select: { ts: true } }),
  ]);
  return { count7d, firstTs: first ? Number(first.ts) : null, latestTs: latest ? Number(latest.ts) : null };
}

export async function eventFacts(shopId: number, now: number): Promise<EventFacts> {
  const since7d = now - 7 * DAY_MS;
  const [standard, custom] = await Promise.all([kindFacts(shopId, false, since7d), kindFacts(shopId, true, since7d)]);
  const latest = Math.max(standard.latestTs ?? -Infinity, custom.latestTs ?? -Infinity);
  let hourBuckets: number[] = [];
  if (Number.isFinite(latest)) {
    const rows = await prisma.$queryRawUnsafe<{ h: Num }[]>(
      `SELECT DISTINCT "ts" / ${HOUR_MS} AS "h" FROM "Event" WHERE "shopId" = $1 AND "ts" > $2 AND "ts" <= $3`,
      shopId, latest - RHYTHM_DAYS * DAY_MS, latest,
    );
    hourBuckets = rows.map((r) => num(r.h));
  }
  let pageViewsSinceLatestCustom = 0;
  if (custom.latestTs !== null) {
    // Counted up to the threshold only: past it the answer is the same and the scan stops.
    const rows = await prisma.$queryRawUnsafe<{ n: Num }[]>(
      `SELECT COUNT(*) AS "n" FROM (SELECT 1 FROM "Event" WHERE "shopId" = $1 AND "name" = 'page_viewed' AND "ts" > $2 LIMIT ${EMBED_SILENCE_PAGE_VIEWS}) x`,
      shopId, custom.latestTs,
    );
    pageViewsSinceLatestCustom = num(rows[0]?.n);
  }
  return { standard, custom, hourBuckets, pageViewsSinceLatestCustom };
}

/** The checklist for a shop. With `admin`, Shopify is asked for the pixel's current settings. */
export async function setupChecklist(shop: ChecklistShop, opts: { admin?: AdminGraphql | null; now?: number } = {}): Promise<SetupChecklistView> {
  const now = opts.now ?? Date.now();
  const [settings, events] = await Promise.all([checkPixelSettings(opts.admin ?? null, shop), eventFacts(shop.id, now)]);
  return buildChecklist({
    shopDomain: shop.domain,
    apiKey: env.SHOPIFY_API_KEY,
    timeZone: safeTimeZone(shop.timeZone),
    now,
    pixel: { status: shop.pixelStatus, error: shop.pixelError, webPixelId: shop.webPixelId, ingestUrl: env.ingestUrl, settings },
    events,
  });
}
