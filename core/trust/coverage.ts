/**
 * Tracking coverage: online-store orders Shopify recorded (orders/create) matched to the
 * pixel's checkout_completed events by order id, so that three numbers reconcile:
 *
 *   online-store orders = matched + missed            (orders the pixel never reported)
 *   pixel purchases     = matched + without an order  (each with its likely reason)
 *
 * A matched pair counts once, on the day of its purchase event (what the funnels' purchase
 * step counts); an order the pixel missed counts on the day Shopify created it. So every
 * order and every purchase is counted exactly once over adjacent ranges, and both sums
 * hold per day as well as for the range. Pure: the database hands over counts per
 * 15-minute bucket and this module assigns them to local days.
 *
 * Why 15-minute buckets: every time zone in use today is offset from UTC by a multiple of
 * 15 minutes, and DST moves clocks by whole hours at most, so a 15-minute bucket never
 * straddles a local midnight. The database groups by bucket (one cheap GROUP BY in both
 * SQLite and PostgreSQL) and the zone arithmetic stays here, testable.
 */
import { dayKey, localDayNumber } from "../funnel/timezone";

export const BUCKET_MS = 15 * 60_000;

/**
 * How long a purchase may wait for its order (or an order for its purchase event) before
 * the gap is more than delivery delay. Shopify usually delivers orders/create within
 * seconds; the pixel sends checkout events at once, retrying for a few minutes.
 */
export const RECENT_MS = 60 * 60_000;

/** Orders created in one bucket: online-store orders no pixel purchase matched, and orders from other channels. */
export interface OrderBucket {
  /** floor(createdAt / BUCKET_MS) */
  bucket: number;
  onlineStore: boolean;
  /** Created within RECENT_MS of now: the pixel's purchase event may still be on its way. */
  recent: boolean;
  orders: number;
}

/** Why a pixel purchase has no online-store order. */
export type PurchaseMatch =
  /** An online-store order with the same id: matched. */
  | "matched"
  /** An order with the same id from another sales channel (e.g. a draft order paid online). */
  | "otherChannel"
  /** No order yet, and the purchase is recent: the orders/create webhook may not have arrived. */
  | "awaitingOrder"
  /** No order, for longer than RECENT_MS. */
  | "noOrder";

/** Non-bot checkout_completed events in one bucket (by event time), by how they matched. */
export interface PurchaseBucket {
  bucket: number;
  match: PurchaseMatch;
  purchases: number;
}

export interface UnmatchedPurchases {
  /** Within RECENT_MS of now: the order webhook may not have arrived yet. */
  awaitingOrder: number;
  /** The order exists but Shopify recorded it outside the online store. */
  otherChannel: number;
  /** No order from Shopify at all (webhook never delivered, test or deleted order, or an event from no real checkout). */
  noOrder: number;
}

export interface CoverageFigures {
  /** Online-store orders (source_name "web"): seen + missed. */
  onlineOrders: number;
  /** Matched: pixel purchases with their online-store order, by order id. */
  seen: number;
  /** Online-store orders no (non-bot) pixel purchase matched. */
  missed: number;
  /** Of the missed, orders created within RECENT_MS of now (their purchase event may still come). */
  missedRecent: number;
  /** seen / onlineOrders; null without online-store orders (shown as "—"). */
  rate: number | null;
  /** Orders from other channels (POS, draft orders, other sales channels), by creation day: excluded, the pixel cannot see them. */
  otherChannelOrders: number;
  /** What the funnels count as purchases: non-bot checkout_completed events. seen + pixelPurchasesWithoutOrder. */
  pixelPurchases: number;
  /** Pixel purchases without an online-store order: the sum of `unmatched`. */
  pixelPurchasesWithoutOrder: number;
  unmatched: UnmatchedPurchases;
}

export interface CoverageDay extends CoverageFigures {
  /** Local calendar date "YYYY-MM-DD" in the shop's zone. */
  date: string;
}

export function emptyFigures(): CoverageFigures {
  return {
    onlineOrders: 0,
    seen: 0,
    missed: 0,
    missedRecent: 0,
    rate: null,
    otherChannelOrders: 0,
    pixelPurchases: 0,
    pixelPurchasesWithoutOrder: 0,
    unmatched: { awaitingOrder: 0, otherChannel: 0, noOrder: 0 },
  };
}

function finish(f: CoverageFigures): CoverageFigures {
  f.onlineOrders = f.seen + f.missed;
  f.pixelPurchasesWithoutOrder = f.unmatched.awaitingOrder + f.unmatched.otherChannel + f.unmatched.noOrder;
  f.pixelPurchases = f.seen + f.pixelPurchasesWithoutOrder;
  f.rate = f.onlineOrders === 0 ? null : f.seen / f.onlineOrders;
  return f;
}

/** Both identities of a figure set; the UI prints them, the tests check them. */
export function reconciles(f: CoverageFigures): boolean {
  const u = f.unmatched;
  return (
    f.onlineOrders === f.seen + f.missed &&
    f.pixelPurchases === f.seen + f.pixelPurchasesWithoutOrder &&
    f.pixelPurchasesWithoutOrder === u.awaitingOrder + u.otherChannel + u.noOrder &&
    f.missedRecent <= f.missed
  );
}

/**
 * Coverage per local day of [from, to) and for the whole range. Every day of the range
 * is listed, including days without orders (rate null). Buckets outside the range are
 * ignored.
 */
export function computeCoverage(input: { orders: readonly OrderBucket[]; purchases: readonly PurchaseBucket[]; from: number; to: number; timeZone: string }): {
  total: CoverageFigures;
  days: CoverageDay[];
} {
  const firstDay = localDayNumber(input.from, input.timeZone);
  const lastDay = localDayNumber(input.to - 1, input.timeZone);
  const perDay = new Map<number, CoverageFigures>();
  for (let d = firstDay; d <= lastDay; d++) perDay.set(d, emptyFigures());
  const total = emptyFigures();
  const dayOf = (bucket: number) => {
    const ts = bucket * BUCKET_MS;
    return ts >= input.from && ts < input.to ? perDay.get(localDayNumber(ts, input.timeZone)) : undefined;
  };
  for (const o of input.orders) {
    const day = dayOf(o.bucket);
    if (!day) continue;
    for (const f of [day, total]) {
      if (!o.onlineStore) f.otherChannelOrders += o.orders;
      else {
        f.missed += o.orders;
        if (o.recent) f.missedRecent += o.orders;
      }
    }
  }
  for (const p of input.purchases) {
    const day = dayOf(p.bucket);
    if (!day) continue;
    for (const f of [day, total]) {
      if (p.match === "matched") f.seen += p.purchases;
      else f.unmatched[p.match] += p.purchases;
    }
  }
  const days: CoverageDay[] = [];
  for (const [d, f] of perDay) days.push({ date: dayKey(d), ...finish(f) });
  return { total: finish(total), days };
}

/** One pixel purchase without an online-store order, as the coverage page lists it. */
export interface UnmatchedPurchase {
  orderId: string | null;
  ts: number;
  reason: Exclude<PurchaseMatch, "matched">;
}

/** One online-store order no pixel purchase matched. */
export interface MissedOrder {
  orderId: string;
  createdAt: number;
  recent: boolean;
}

/** Coverage for a range, as services hand it to the UI (JSON-safe). */
export interface CoverageSummary {
  range: { preset: string; from: number; to: number; fromDate: string; toDate: string; days: number; timeZone: string };
  /** Query string of the range, for links to /app/coverage. */
  query: string;
  total: CoverageFigures;
}

export interface CoverageView extends CoverageSummary {
  days: CoverageDay[];
}

/** Which purchases and orders did not match, for the coverage page. */
export interface CoverageLists {
  /** The range's purchases without an online-store order, newest first, at most LIST_LIMIT. */
  unmatchedPurchases: UnmatchedPurchase[];
  /** The range's missed online-store orders, newest first, at most LIST_LIMIT. */
  missedOrders: MissedOrder[];
}

/** How many unmatched purchases and missed orders the coverage page lists by id. */
export const LIST_LIMIT = 50;
