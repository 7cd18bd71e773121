import type { AttrValue } from "../../core/funnel/breakdown-attrs";
import { defineQuery, type Query } from "../query";
import { boolSql, memoByKey } from "../sql";
import { attrColumn, reached, shapeKey, type Num, type ReportShape } from "./_unit-day-report";

export type Params = { shopId: number; funnelId: string; fromDay: number; toDay: number };
export type Row = { unitId: string; day: Num; entryTs: Num; furthest: Num; msFromPrev: string; latestStartTs: Num; lastTs: Num; attr: AttrValue };

const build = memoByKey((key: string): Query<Params, Row> => {
  const [, steps, breakdown] = key.split("|");
  const attr = attrColumn((breakdown || null) as ReportShape["breakdown"]);
  return defineQuery<Params, Row>(
    "report-unit-day-multi",
    (dialect) => `SELECT "unitId", "day", "entryTs", "furthest", "msFromPrev", "latestStartTs", "lastTs", ${attr} AS attr
       FROM "FunnelUnitDay" WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "multi" = ${boolSql(dialect, true)} AND ${reached(Number(steps), 1)}
         AND "day" >= :fromDay AND "day" < :toDay`,
  );
});

/** Units with rows on several days, whole (the report combines them). */
export default function reportUnitDayMulti(shape: ReportShape): Query<Params, Row> {
  return build(shapeKey(shape));
}
