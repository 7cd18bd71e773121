import { defineQuery, type Query } from "../query";
import { diagnosisAttrs, diagnosisRange, type DiagnosisAttrs, type DiagnosisReadShape } from "./_diagnosis-unit-days";

export type DiagnosisMultiRow = DiagnosisAttrs & {
  unitId: string;
  day: number | bigint;
  entryTs: number | bigint;
  furthest: number | bigint;
  latestStartTs: number | bigint;
  lastTs: number | bigint;
};

/** A step diagnosis's units with rows on several days (over local days [:fromDay, :toDay)), row by row: combined per unit by the caller. */
export default function diagnosisUnitMulti(
  shape: DiagnosisReadShape,
): Query<{ shopId: number; funnelId: string; fromDay: number; toDay: number }, DiagnosisMultiRow> {
  return defineQuery(
    `diagnosis-unit-multi-${shape.steps}${shape.product ? "-product" : ""}`,
    `SELECT "unitId", "day", "entryTs", "furthest", "latestStartTs", "lastTs", ${diagnosisAttrs(shape)}
     FROM "FunnelUnitDay" WHERE ${diagnosisRange(shape)} AND "multi" = true`,
  );
}
