import { defineQuery } from "../query";

/**
 * Visitors with a unit reaching step :step (= k−1) in local days [:fromDay, :toDay) of a
 * funnel's precomputed rows, with whether one of their rows stops at :step (`d`: the visitor
 * may have a dropped unit) or goes further (`a`: an advanced one). A unit's furthest step is
 * its best day row's, so every dropped unit's visitor has d = 1 and every advanced unit's
 * a = 1 (a superset: enough to pick each side's sample).
 */
export default defineQuery<
  { shopId: number; funnelId: string; fromDay: number; toDay: number; step: number },
  { clientId: string; d: number | bigint; a: number | bigint }
>(
  "paths-visitors-from-unit-days",
  `SELECT "clientId", MAX(CASE WHEN "furthest" = :step THEN 1 ELSE 0 END) AS d, MAX(CASE WHEN "furthest" > :step THEN 1 ELSE 0 END) AS a
      FROM "FunnelUnitDay" WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "day" >= :fromDay AND "day" < :toDay AND "furthest" >= :step
      GROUP BY "clientId"`,
);
