/**
 * "Why our numbers differ from Shopify's", counted for one shop and range: sessions our
 * rule keeps whole across midnight UTC, bots excluded, the consent/blocker gap (from
 * coverage) and purchases that finish in a later session.
 */
import prisma, { dialect } from "../../../db/prisma.server";
import { differencesView, type DifferenceCounts, type DifferencesView } from "../../../core/trust/differences";
import type { CoverageFigures } from "../../../core/trust/coverage";
import { coverageReport } from "./coverage.server";
import { activityTotals } from "../activity.server";
import { laterSessionBuyersSql, PURCHASING_VISITORS_SQL } from "./differences-sql";
import type { TrustRange } from "./range";

// Raw aggregates come back as number (SQLite), bigint or Decimal (PostgreSQL): Number() reads them all.
type Num = unknown;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

export async function differenceCounts(shopId: number, range: { from: number; to: number }): Promise<DifferenceCounts> {
  const [totals, purchasers, later] = await Promise.all([
    activityTotals(prisma, shopId, range),
    prisma.$queryRawUnsafe<{ visitors: Num }[]>(PURCHASING_VISITORS_SQL, shopId, range.from, range.to),
    prisma.$queryRawUnsafe<{ later: Num }[]>(laterSessionBuyersSql(dialect), shopId, range.from, range.to),
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
export async function whyNumbersDiffer(shopId: number, range: TrustRange, coverage?: CoverageFigures): Promise<DifferencesView> {
  const [counts, total] = await Promise.all([
    differenceCounts(shopId, range),
    coverage ? Promise.resolve(coverage) : coverageReport(shopId, range).then((c) => c.total),
  ]);
  return differencesView(
    counts,
    { onlineOrders: total.onlineOrders, seen: total.seen, missed: total.missed, rate: total.rate },
    { fromDate: range.fromDate, toDate: range.toDate, timeZone: range.timeZone, days: range.days },
    range.query,
  );
}
