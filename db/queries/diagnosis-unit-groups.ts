import { defineQuery, type Query } from "../query";
import { DIAGNOSIS_ATTRS, diagnosisRange, type DiagnosisAttrs, type DiagnosisReadShape } from "./_diagnosis-unit-days";

export type DiagnosisGroupRow = DiagnosisAttrs & { furthest: number | bigint; ts: number | bigint; ipn: number | bigint; n: number | bigint };

/**
 * A step diagnosis's single-day units of funnel :funnelId over local days [:fromDay, :toDay),
 * grouped by furthest step and every entry attribute (plus the product when asked): how many
 * (n) and how many could still advance at the report's now (ipn: their last event, or for
 * visitor units their latest attempt start, after :bound). Not per day: without a trend or
 * step times a diagnosis reads only these, so far fewer groups.
 */
export default function diagnosisUnitGroups(
  shape: DiagnosisReadShape,
): Query<{ shopId: number; funnelId: string; fromDay: number; toDay: number; bound: number }, DiagnosisGroupRow> {
  const attrs = DIAGNOSIS_ATTRS(shape);
  const active = shape.unit === "visitor" ? `"latestStartTs"` : `"lastTs"`;
  return defineQuery(
    `diagnosis-unit-groups-${shape.unit}-${shape.steps}${shape.product ? "-product" : ""}`,
    `SELECT "furthest", MIN("entryTs") AS ts, ${attrs.select}, SUM(CASE WHEN ${active} > :bound THEN 1 ELSE 0 END) AS ipn, COUNT(*) AS n
     FROM "FunnelUnitDay" WHERE ${diagnosisRange(shape)} AND "multi" = false
     GROUP BY "furthest", ${attrs.group}`,
  );
}
