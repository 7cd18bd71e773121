import type { AttrValue } from "../../core/funnel/breakdown-attrs";
import { defineQuery, type Query } from "../query";
import { memoByKey } from "../sql";
import { attrColumn, groupBy, inProgress, reached, rowsWhere, shapeKey, type Num, type ReportShape } from "./_unit-day-report";

export type Params = { shopId: number; funnelId: string; fromDay: number; toDay: number; bound: number };
export type Row = { day: Num; ts: Num; furthest: Num; attr: AttrValue; ipn: Num; n: Num };

const build = memoByKey((key: string): Query<Params, Row> => {
  const [unit, steps, breakdown, times] = key.split("|");
  const attr = attrColumn((breakdown || null) as ReportShape["breakdown"]);
  return defineQuery<Params, Row>(
    "report-unit-day-groups",
    (dialect) => `SELECT "furthest", "day", MIN("entryTs") AS ts, ${attr} AS attr, ${inProgress(unit as ReportShape["unit"])}, COUNT(*) AS n
       FROM "FunnelUnitDay" WHERE ${rowsWhere(dialect, false)} AND ${times === "true" ? `"furthest" = 1` : reached(Number(steps), 1)} GROUP BY ${groupBy(attr)}`,
  );
});

/**
 * Single-day units counted per (furthest step, day, breakdown value) with how many are in
 * progress: with step times, those that stopped at step 1 (most units, few rows); without,
 * every single-day unit (the dashboard shows no medians).
 */
export default function reportUnitDayGroups(shape: ReportShape & { stepTimes?: boolean }): Query<Params, Row> {
  return build(shapeKey(shape));
}
