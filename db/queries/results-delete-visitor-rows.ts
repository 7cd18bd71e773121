import { defineQuery, type Params, type Query } from "../query";
import { listParams, MAX_PARAMS, memoByKey } from "../sql";

/** Visitors per statement (two parameters each). */
export const DELETE_VISITOR_ROWS_MAX = Math.floor(MAX_PARAMS / 2) - 10;

/** Which column a visitor's cut-off applies to: entryTs for session units, the local day for visitor units. */
export type FromColumn = "entryTs" | "day";

const build = memoByKey((key: `${FromColumn}:${number}`) => {
  const [from, n] = key.split(":") as [FromColumn, string];
  const count = Number(n);
  return defineQuery<Params>("results-delete-visitor-rows", (dialect) => {
    // BIGINT on PostgreSQL: entryTs is milliseconds since 1970, past INTEGER's range.
    const type = dialect === "sqlite" ? "INTEGER" : "BIGINT";
    const values = Array.from({ length: count }, (_, i) => `(:c${i}, CAST(:cut${i} AS ${type}))`).join(", ");
    const cte = `WITH v("clientId", "cut") AS (VALUES ${values})`;
    const match = `u."shopId" = :shopId AND u."funnelId" = :funnelId AND u."clientId" = v."clientId" AND u."${from}" >= v."cut"`;
    // SQLite has no DELETE … USING: the rows are found per visitor (CROSS JOIN keeps v the
    // outer loop, seeking the (shopId, funnelId, clientId, day) index) and deleted by rowid.
    if (dialect === "sqlite") return `${cte} DELETE FROM "FunnelUnitDay" WHERE rowid IN (SELECT u.rowid FROM v CROSS JOIN "FunnelUnitDay" u WHERE ${match})`;
    return `${cte} DELETE FROM "FunnelUnitDay" u USING v WHERE ${match}`;
  });
});

/**
 * Deletes the precomputed rows of funnel :funnelId that `count` visitors (:c0/:cut0 …, see
 * deleteVisitorRowsParams) have from their cut-off on (`from` ≥ the visitor's cut): the
 * rows the refresher recomputes. One statement per funnel and batch instead of one per
 * visitor: inside the refresher's transaction each statement is a round trip that, on
 * SQLite, holds the connection ingestion writes through.
 */
export default function resultsDeleteVisitorRows(from: FromColumn, count: number): Query<Params> {
  if (count < 1 || count > DELETE_VISITOR_ROWS_MAX) throw new RangeError(`1..${DELETE_VISITOR_ROWS_MAX} visitors per statement`);
  return build(`${from}:${count}`);
}

/** The parameters of resultsDeleteVisitorRows(from, visitors.length). */
export const deleteVisitorRowsParams = (visitors: readonly { clientId: string; cut: number }[]): Params => ({
  ...listParams(
    "c",
    visitors.map((v) => v.clientId),
  ),
  ...listParams(
    "cut",
    visitors.map((v) => v.cut),
  ),
});
