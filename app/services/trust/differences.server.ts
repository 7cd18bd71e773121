/**
 * "Why our numbers differ from Shopify's", counted for one shop and range: sessions our
 * rule keeps whole across midnight UTC, bots excluded, the consent/blocker gap (from
 * coverage) and purchases that finish in a later session.
 */
import type { Db } from "../../../db/prisma";
import { rowsOf } from "../../../db/query";
import laterSessionBuyers from "../../../db/queries/later-session-buyers";
import purchasingVisitors from "../../../db/queries/purchasing-visitors";
import { differencesView, type DifferenceCounts, type DifferencesView } from "../../../core/trust/differences";
import type { CoverageFigures } from "../../../core/trust/coverage";
import { coverageReport } from "./coverage.server";
import { activityTotals } from "../activity.server";
import { DAY_MS } from "../../../core/time";
import type { TrustRange } from "./range";

// Raw aggregates come back as number (SQLite), bigint or Decimal (PostgreSQL): Number() reads them all.
type Num = unknown;

/** The visitor-unit conversion window we use by default: a product view up to 7 days before still leads to the purchase. */
const VISITOR_WINDOW_MS = 7 * DAY_MS;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

export async function differenceCounts(db: Db, shopId: number, range: { from: number; to: number }): Promise<DifferenceCounts> {
  const [totals, purchasers, later] = await Promise.all([
    activityTotals(db, shopId, range),
    rowsOf(db, purchasingVisitors, { shopId, from: range.from, to: range.to }),
    rowsOf(db, laterSessionBuyers, { shopId, from: range.from, to: range.to, windowMs: VISITOR_WINDOW_MS }),
  ]);
  return {
    sessions: totals.sessions,
    sessionsCrossingUtcMidnight: totals.utcMidnightSessions,
    extraShopifySessions: totals.extraUtcDays,
    botSessions: totals.botSessions,
    botEvents: totals.botEvents,
    purchasingVisitors: num(purchasers[0]?.visitors),
    purchasedInLaterSession: num(later[0]?.later),
  };
}

/** The explanation's numbers; pass the range's coverage when already computed. */
export async function whyNumbersDiffer(db: Db, shopId: number, range: TrustRange, coverage?: CoverageFigures): Promise<DifferencesView> {
  const [counts, total] = await Promise.all([
    differenceCounts(db, shopId, range),
    coverage ? Promise.resolve(coverage) : coverageReport(db, shopId, range).then((c) => c.total),
  ]);
  return differencesView(
    counts,
    { onlineOrders: total.onlineOrders, seen: total.seen, missed: total.missed, rate: total.rate },
    { fromDate: range.fromDate, toDate: range.toDate, timeZone: range.timeZone, days: range.days },
    range.query,
  );
}
