import { defineQuery, type Params, type Query } from "../query";
import { MAX_PARAMS, memoByKey, rowsList } from "../sql";

/** A FunnelUnitDay row's columns, as results-insert-rows takes them. */
export const UNIT_DAY_COLUMNS = [
  "shopId",
  "funnelId",
  "unitId",
  "day",
  "clientId",
  "entryTs",
  "furthest",
  "msFromPrev",
  "latestStartTs",
  "lastTs",
  "multi",
  "device",
  "source",
  "medium",
  "campaign",
  "landingPath",
  "visitorType",
  "loggedIn",
  "productId",
  "visitorBucket",
] as const;

/** Most rows one statement inserts (the parameter limit). */
export const INSERT_ROWS_MAX = Math.floor(MAX_PARAMS / UNIT_DAY_COLUMNS.length);

const build = memoByKey((count: number) =>
  defineQuery<Params>(
    "results-insert-rows",
    `INSERT INTO "FunnelUnitDay" (${UNIT_DAY_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${rowsList(UNIT_DAY_COLUMNS, count)}`,
  ),
);

/** Inserts `count` precomputed rows of UNIT_DAY_COLUMNS (run it with runRows, db/query.ts). */
export default function resultsInsertRows(count: number): Query<Params> {
  if (count < 1 || count > INSERT_ROWS_MAX) throw new RangeError(`1..${INSERT_ROWS_MAX} rows per statement`);
  return build(count);
}
