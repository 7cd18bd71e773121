/**
 * Tracking coverage: of the orders Shopify recorded through the online store (where the
 * pixel runs), how many did the pixel see as checkout_completed? Pure: the database
 * hands over counts per 15-minute bucket and this module assigns them to local days.
 *
 * Why 15-minute buckets: every time zone in use today is offset from UTC by a multiple of
 * 15 minutes, and DST moves clocks by whole hours at most, so a 15-minute bucket never
 * straddles a local midnight. The database groups by bucket (one cheap GROUP BY in both
 * SQLite and PostgreSQL) and the zone arithmetic stays here, testable.
 */
import { dayKey, localDayNumber } from "../funnel/timezone";

export const BUCKET_MS = 15 * 60_000;

/** Orders created in one bucket, split by channel and by whether the pixel saw them. */
export interface OrderBucket {
  /** floor(createdAt / BUCKET_MS) */
  bucket: number;
  onlineStore: boolean;
  /** A non-bot checkout_completed with this order id is stored. */
  seen: boolean;
  orders: number;
}

/** Non-bot checkout_completed events in one bucket (by event time). */
export interface PurchaseBucket {
  bucket: number;
  purchases: number;
  /** Of those, how many have an order from Shopify (any channel, any time). */
  withOrder: number;
}

export interface CoverageFigures {
  /** Orders Shopify recorded from the online store (source_name "web"). */
  onlineOrders: number;
  /** Of those, orders the pixel saw as checkout_completed. */
  seen: number;
  /** onlineOrders − seen: purchases the pixel never reported. */
  missed: number;
  /** seen / onlineOrders; null without online-store orders (shown as "—"). */
  rate: number | null;
  /** Orders from other channels (POS, draft orders, other sales channels): excluded, the pixel cannot see them. */
  otherChannelOrders: number;
  /** What the funnels count as purchases: non-bot checkout_completed events. */
  pixelPurchases: number;
  /** Pixel purchases with no order from Shopify (webhook late or missing, or placed before the app subscribed). */
  pixelPurchasesWithoutOrder: number;
}

export interface CoverageDay extends CoverageFigures {
  /** Local calendar date "YYYY-MM-DD" in the shop's zone. */
  date: string;
}

export function emptyFigures(): CoverageFigures {
  return { onlineOrders: 0, seen: 0, missed: 0, rate: null, otherChannelOrders: 0, pixelPurchases: 0, pixelPurchasesWithoutOrder: 0 };
}

function finish(f: CoverageFigures): CoverageFigures {
  f.missed = f.onlineOrders - f.seen;
  f.rate = f.onlineOrders === 0 ? null : f.seen / f.onlineOrders;
  return f;
}

/**
 * Coverage per local day of [from, to) and for the whole range. Every day of the range
 * is listed, including days without orders (rate null). Buckets outside the range are
 * ignored.
 */
export function computeCoverage(input: {
  orders: readonly OrderBucket[];
  purchases: readonly PurchaseBucket[];
  from: number;
  to: number;
  timeZone: string;
}): { total: CoverageFigures; days: CoverageDay[] } {
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
        f.onlineOrders += o.orders;
        if (o.seen) f.seen += o.orders;
      }
    }
  }
  for (const p of input.purchases) {
    const day = dayOf(p.bucket);
    if (!day) continue;
    for (const f of [day, total]) {
      f.pixelPurchases += p.purchases;
      f.pixelPurchasesWithoutOrder += p.purchases - p.withOrder;
    }
  }
  const days: CoverageDay[] = [];
  for (const [d, f] of perDay) days.push({ date: dayKey(d), ...finish(f) });
  return { total: finish(total), days };
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
