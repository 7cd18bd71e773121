/**
 * "Why our numbers differ from Shopify's", counted for one shop and range: sessions our
 * rule keeps whole across midnight UTC, bots excluded, the consent/blocker gap (from
 * coverage) and purchases that finish in a later session.
 */
import prisma from "../../db.server";
import { differencesView, type DifferenceCounts, type DifferencesView } from "../../../core/trust/differences";
import { DAY_MS } from "../../../core/trust/time";
import type { CoverageFigures } from "../../../core/trust/coverage";
import { coverageReport } from "./coverage.server";
import { activityTotals } from "../activity.server";
import type { TrustRange } from "./range";

/** The visitor-unit conversion window we use by default: a product view up to 7 days before still leads to the purchase. */
const VISITOR_WINDOW_MS = 7 * DAY_MS;

// Raw aggregates come back as number (SQLite), bigint or Decimal (PostgreSQL): Number() reads them all.
type Num = unknown;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

export async function differenceCounts(shopId: number, range: { from: number; to: number }): Promise<DifferenceCounts> {
  const [totals, purchasers] = await Promise.all([
    activityTotals(prisma, shopId, range),
    prisma.$queryRawUnsafe<{ visitors: Num; later: Num }[]>(
      `SELECT COUNT(DISTINCT p."clientId") AS "visitors",
         COUNT(DISTINCT CASE WHEN
             NOT EXISTS (SELECT 1 FROM "Event" v WHERE v."shopId" = p."shopId" AND v."sessionId" = p."sessionId" AND v."name" = 'product_viewed')
             AND EXISTS (SELECT 1 FROM "Event" v WHERE v."shopId" = p."shopId" AND v."clientId" = p."clientId" AND v."name" = 'product_viewed'
               AND v."isBot" = false AND v."sessionId" <> p."sessionId" AND v."ts" < p."ts" AND v."ts" >= p."ts" - ${VISITOR_WINDOW_MS})
           THEN p."clientId" END) AS "later"
       FROM "Event" p WHERE p."shopId" = $1 AND p."name" = 'checkout_completed' AND p."isBot" = false AND p."ts" >= $2 AND p."ts" < $3`,
      shopId, range.from, range.to,
    ),
  ]);
  return {
    sessions: totals.sessions,
    sessionsCrossingUtcMidnight: totals.utcMidnightSessions,
    extraShopifySessions: totals.extraUtcDays,
    botSessions: totals.botSessions,
    botEvents: totals.botEvents,
    purchasingVisitors: num(purchasers[0]?.visitors ?? 0),
    purchasedInLaterSession: num(purchasers[0]?.later ?? 0),
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
