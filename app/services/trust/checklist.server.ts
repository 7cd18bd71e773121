/**
 * Facts for the setup checklist: the pixel row, Shopify's copy of the pixel settings
 * (when an Admin API client is at hand) and what has arrived at /collect. The verdicts
 * and sentences are core/trust/checklist (pure, unit-tested).
 */
import type { Db } from "../../../db/prisma";
import { rowsOf } from "../../../db/query";
import activeBuckets from "../../../db/queries/active-buckets";
import countKindBetween from "../../../db/queries/count-kind-between";
import eventHours from "../../../db/queries/event-hours";
import firstKindTs from "../../../db/queries/first-kind-ts";
import lastKindTs from "../../../db/queries/last-kind-ts";
import pageViewsSince from "../../../db/queries/page-views-since";
import { env } from "../../env.server";
import { adminQuery, type AdminGraphql } from "../admin-graphql.server";
import { isNoPixelError } from "../web-pixel.server";
import { buildChecklist, type EventFacts, type KindFacts, type PixelSettingsCheck, type SetupChecklistView } from "../../../core/trust/checklist";
import { RHYTHM_DAYS } from "../../../core/trust/quiet";
import { DAY_MS, HOUR_MS } from "../../../core/time";
import { safeTimeZone } from "../date-range";
import { activitySpan, activityTotals } from "../activity.server";
import { BUCKET_MS } from "../../../core/activity";

export interface ChecklistShop {
  id: number;
  domain: string;
  timeZone: string;
  ingestKey: string;
  pixelStatus: string;
  pixelError: string | null;
  webPixelId: string | null;
  ordersWebhook: string;
  ordersWebhookError: string | null;
  installedAt?: Date | null;
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
    // Shopify's answer when the app has no pixel is a top-level error, not null.
    if (isNoPixelError(e)) return { result: "missing" };
    return { result: "unchecked", reason: reasonOf(e) };
  } finally {
    clearTimeout(timer);
  }
}

type Num = unknown;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

type Kind = "custom" | "standard";

/** Exact count of a kind's events in [from, to): a short stretch, read through the (shopId, ts) index. */
async function countBetween(db: Db, shopId: number, kind: Kind, from: number, to: number): Promise<number> {
  if (to <= from) return 0;
  const rows = await rowsOf(db, countKindBetween, { shopId, kind, from, to });
  return num(rows[0]?.n);
}

/** The earliest or latest ts of a kind inside one bucket [at, at + BUCKET_MS). */
async function edgeTs(db: Db, shopId: number, kind: Kind, at: number, order: "asc" | "desc"): Promise<number | null> {
  const rows = await rowsOf(db, order === "asc" ? firstKindTs : lastKindTs, { shopId, kind, from: at, to: at + BUCKET_MS });
  return rows[0] ? num(rows[0].ts) : null;
}

/**
 * Counts and first/latest event of a kind. The activity buckets give whole 15-minute
 * stretches; only the stretch before the first whole bucket is read from the events,
 * so the figures are exact without scanning the shop's events.
 */
async function kindFacts(db: Db, shopId: number, kind: Kind, since7d: number): Promise<KindFacts> {
  const span = await activitySpan(db, shopId, kind);
  if (!span) return { count7d: 0, firstTs: null, latestTs: null };
  const wholeFrom = Math.ceil(since7d / BUCKET_MS) * BUCKET_MS;
  const [totals, edge, firstTs, latestTs] = await Promise.all([
    activityTotals(db, shopId, { from: wholeFrom, to: span.last + BUCKET_MS }),
    countBetween(db, shopId, kind, since7d, wholeFrom),
    edgeTs(db, shopId, kind, span.first, "asc"),
    edgeTs(db, shopId, kind, span.last, "desc"),
  ]);
  const whole = kind === "custom" ? totals.customEvents : totals.events - totals.customEvents;
  return { count7d: whole + edge, firstTs, latestTs };
}

export async function eventFacts(db: Db, shopId: number, now: number): Promise<EventFacts> {
  const since7d = now - 7 * DAY_MS;
  const [standard, custom] = await Promise.all([kindFacts(db, shopId, "standard", since7d), kindFacts(db, shopId, "custom", since7d)]);
  const latest = Math.max(standard.latestTs ?? -Infinity, custom.latestTs ?? -Infinity);
  let hourBuckets: number[] = [];
  if (Number.isFinite(latest)) {
    // Hours with events in (latest − 14 days, latest]: whole buckets from the activity
    // rows, the stretch before the first whole bucket from the events. Nothing is after `latest`.
    const from = latest - RHYTHM_DAYS * DAY_MS;
    const wholeFrom = Math.floor(from / BUCKET_MS) * BUCKET_MS + BUCKET_MS;
    const [whole, edge] = await Promise.all([
      rowsOf(db, activeBuckets, { shopId, fromBucket: wholeFrom / BUCKET_MS, toBucket: Math.floor(latest / BUCKET_MS) }),
      rowsOf(db, eventHours, { shopId, after: from, before: wholeFrom }),
    ]);
    const hours = new Set<number>(edge.map((r) => num(r.h)));
    for (const r of whole) hours.add(Math.floor((num(r.b) * BUCKET_MS) / HOUR_MS));
    hourBuckets = [...hours].sort((a, b) => a - b);
  }
  let pageViewsSinceLatestCustom = 0;
  if (custom.latestTs !== null) {
    const rows = await rowsOf(db, pageViewsSince, { shopId, after: custom.latestTs });
    pageViewsSinceLatestCustom = num(rows[0]?.n);
  }
  return { standard, custom, hourBuckets, pageViewsSinceLatestCustom };
}

/** The checklist for a shop. With `admin`, Shopify is asked for the pixel's current settings. */
export async function setupChecklist(db: Db, shop: ChecklistShop, opts: { admin?: AdminGraphql | null; now?: number } = {}): Promise<SetupChecklistView> {
  const now = opts.now ?? Date.now();
  const [settings, events] = await Promise.all([checkPixelSettings(opts.admin ?? null, shop), eventFacts(db, shop.id, now)]);
  return buildChecklist({
    shopDomain: shop.domain,
    apiKey: env.SHOPIFY_API_KEY,
    timeZone: safeTimeZone(shop.timeZone),
    now,
    pixel: {
      status: shop.pixelStatus,
      error: shop.pixelError,
      webPixelId: shop.webPixelId,
      ingestUrl: env.ingestUrl,
      settings,
      installedAt: shop.installedAt?.getTime() ?? null,
    },
    events,
    orders: { state: shop.ordersWebhook, error: shop.ordersWebhookError },
  });
}
