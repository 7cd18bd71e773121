/**
 * Activity buckets (pure): per-shop counts per 15-minute bucket that the dashboard sums
 * instead of scanning events. The ingestion writer adds each stored event and, when it
 * re-derives a visitor's sessions, subtracts the sessions it replaces and adds the new
 * ones, so the buckets always equal a rebuild from the stored rows
 * (app/services/activity.server.ts, which the tests compare against).
 */
import { CHECKOUT_COMPLETED, CHECKOUT_STARTED } from "./funnel/dedupe";
import { BUCKET_MS } from "./trust/coverage";
import { DAY_MS } from "./time";

export { BUCKET_MS };

/** The session-level key events: the session flag and the event that sets it. */
export const KEY_EVENTS = [
  { key: "addToCart", event: "product_added_to_cart" },
  { key: "checkoutStart", event: CHECKOUT_STARTED },
  { key: "purchase", event: CHECKOUT_COMPLETED },
] as const;
export type KeyEvent = (typeof KEY_EVENTS)[number]["key"];
export type SessionFlags = Record<KeyEvent, boolean>;

/** The session flags of a list of event names (any occurrence sets the flag). */
export function sessionFlags(names: Iterable<string>): SessionFlags {
  const flags: SessionFlags = { addToCart: false, checkoutStart: false, purchase: false };
  for (const name of names) for (const k of KEY_EVENTS) if (name === k.event) flags[k.key] = true;
  return flags;
}

export const ACTIVITY_COUNTS = [
  "events",
  "customEvents",
  "botEvents",
  "sessions",
  "botSessions",
  "addToCartSessions",
  "checkoutStartSessions",
  "purchaseSessions",
  "utcMidnightSessions",
  "extraUtcDays",
] as const;
export type ActivityCounts = Record<(typeof ACTIVITY_COUNTS)[number], number>;

export const emptyCounts = (): ActivityCounts => Object.fromEntries(ACTIVITY_COUNTS.map((c) => [c, 0])) as ActivityCounts;

export const bucketOf = (ts: number): number => Math.floor(ts / BUCKET_MS);

export interface ActivitySession extends SessionFlags {
  startTs: number;
  endTs: number;
  isBot: boolean;
}

/** Changes to the buckets, summed per (shop, bucket) over a transaction. */
export class ActivityDelta {
  private readonly byKey = new Map<string, { shopId: number; bucket: number; counts: ActivityCounts }>();

  private at(shopId: number, ts: number): ActivityCounts {
    const bucket = bucketOf(ts);
    const key = `${shopId}:${bucket}`;
    let entry = this.byKey.get(key);
    if (!entry) this.byKey.set(key, (entry = { shopId, bucket, counts: emptyCounts() }));
    return entry.counts;
  }

  /** An event stored (sign 1) or removed (sign −1: a later copy replaced by an earlier one). */
  addEvent(shopId: number, e: { ts: number; name: string; isBot: boolean }, sign: 1 | -1 = 1): void {
    const c = this.at(shopId, e.ts);
    c.events += sign;
    if (e.name.startsWith("mc:")) c.customEvents += sign;
    if (e.isBot) c.botEvents += sign;
  }

  /** A session added (sign 1) or replaced (sign −1), in the bucket where it starts. */
  session(shopId: number, s: ActivitySession, sign: 1 | -1): void {
    const c = this.at(shopId, s.startTs);
    if (s.isBot) {
      c.botSessions += sign;
      return;
    }
    c.sessions += sign;
    if (s.addToCart) c.addToCartSessions += sign;
    if (s.checkoutStart) c.checkoutStartSessions += sign;
    if (s.purchase) c.purchaseSessions += sign;
    // Whole UTC days, as Shopify's session reports cut sessions at midnight UTC.
    const extraDays = Math.floor(s.endTs / DAY_MS) - Math.floor(s.startTs / DAY_MS);
    if (extraDays > 0) c.utcMidnightSessions += sign;
    c.extraUtcDays += sign * extraDays;
  }

  /**
   * The non-zero changes (a session re-derived unchanged cancels out), in (shop, bucket)
   * order: concurrent writers (several processes on PostgreSQL) then lock bucket rows in
   * one order and cannot deadlock on them.
   */
  rows(): { shopId: number; bucket: number; counts: ActivityCounts }[] {
    return [...this.byKey.values()].filter((r) => ACTIVITY_COUNTS.some((c) => r.counts[c] !== 0)).sort((a, b) => a.shopId - b.shopId || a.bucket - b.bucket);
  }
}
