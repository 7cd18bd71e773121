import { BREAKDOWN_TOP_VALUES } from "../../core/funnel/engine";
import { defineQuery, type Query } from "../query";
import { namedList } from "../sql";
import { DIAGNOSIS_COLUMNS, diagnosisRange, type DiagnosisAttrs, type DiagnosisReadShape } from "./_diagnosis-unit-days";

export type DiagnosisGroupRow = DiagnosisAttrs & { furthest: number | bigint; ts: number | bigint; ipn: number | bigint; n: number | bigint };

/** Products a product read keeps apart (:keep0 … :keep9, null when fewer): a dimension's top values. */
export const KEPT_PRODUCTS = BREAKDOWN_TOP_VALUES;

/**
 * A step diagnosis's single-day units of funnel :funnelId over local days [:fromDay, :toDay),
 * grouped by furthest step and every entry attribute: how many (n) and how many could still
 * advance at the report's now (ipn: their last event, or for visitor units their latest
 * attempt start, after :bound). Not per day: without a trend or step times a diagnosis reads
 * only these, so far fewer groups.
 * With the product, only the kept products (and none) are grouped apart; every other product
 * reads as :folded. The scan tests a dimension's top values only, and grouping hundreds of
 * products multiplied the groups ~100× (74 k units → 46 k groups at 1 M events).
 */
export default function diagnosisUnitGroups(
  shape: DiagnosisReadShape,
): Query<{ shopId: number; funnelId: string; fromDay: number; toDay: number; bound: number; folded?: string }, DiagnosisGroupRow> {
  const active = shape.unit === "visitor" ? `"latestStartTs"` : `"lastTs"`;
  const product = shape.product
    ? `CASE WHEN "productId" IS NULL OR "productId" IN (${namedList("keep", KEPT_PRODUCTS)}) THEN "productId" ELSE CAST(:folded AS TEXT) END`
    : null;
  return defineQuery(
    `diagnosis-unit-groups-${shape.unit}-${shape.steps}${shape.product ? "-product" : ""}`,
    `SELECT "furthest", MIN("entryTs") AS ts, ${DIAGNOSIS_COLUMNS}, ${product ?? "NULL"} AS "productId", SUM(CASE WHEN ${active} > :bound THEN 1 ELSE 0 END) AS ipn, COUNT(*) AS n
     FROM "FunnelUnitDay" WHERE ${diagnosisRange(shape)} AND "multi" = false
     GROUP BY "furthest", ${DIAGNOSIS_COLUMNS}${product ? `, ${product}` : ""}`,
  );
}
