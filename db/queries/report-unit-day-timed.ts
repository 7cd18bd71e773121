import type { AttrValue } from "../../core/funnel/breakdown-attrs";
import { defineQuery, type Query } from "../query";
import { memoByKey, stringAgg } from "../sql";
import { attrColumn, groupBy, inProgress, reached, rowsWhere, shapeKey, type Num, type ReportShape } from "./_unit-day-report";

export type Params = { shopId: number; funnelId: string; fromDay: number; toDay: number; bound: number };
export type Row = { day: Num; ts: Num; furthest: Num; attr: AttrValue; ipn: Num; n: Num; ms: string };

const build = memoByKey((key: string): Query<Params, Row> => {
  const [unit, steps, breakdown] = key.split("|");
  const attr = attrColumn((breakdown || null) as ReportShape["breakdown"]);
  // Step times joined into one text per group: shipping a few long strings is far cheaper
  // than one row object per unit through the driver. A group's units reached the same
  // step, so the text is `count` runs of furthest − 1 durations.
  return defineQuery<Params, Row>(
    "report-unit-day-timed",
    (dialect) => `SELECT "furthest", "day", MIN("entryTs") AS ts, ${attr} AS attr, ${inProgress(unit as ReportShape["unit"])}, COUNT(*) AS n,
         ${stringAgg(dialect, `"msFromPrev"`, ",")} AS ms
       FROM "FunnelUnitDay" WHERE ${rowsWhere(dialect, false)} AND ${reached(Number(steps), 2)} GROUP BY ${groupBy(attr)}`,
  );
});

/** Single-day units that got past step 1, counted per (furthest step, day, breakdown value), with their step times. */
export default function reportUnitDayTimed(shape: ReportShape): Query<Params, Row> {
  return build(shapeKey(shape));
}
