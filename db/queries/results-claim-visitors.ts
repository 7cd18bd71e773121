import { defineQuery, type Params, type Query } from "../query";
import { listParams, memoByKey } from "../sql";

export type Row = { clientId: string };

/** Visitors claimed per statement (two parameters each). */
export const CLAIM_VISITORS_MAX = 5_000;

const build = memoByKey((count: number) =>
  defineQuery<Params, Row>("results-claim-visitors", (dialect) => {
    const values = Array.from({ length: count }, (_, i) => `(:c${i}, CAST(:v${i} AS INTEGER))`).join(", ");
    if (dialect === "sqlite") {
      return `DELETE FROM "StaleVisitor" WHERE "shopId" = :shopId AND ("clientId", "version") IN (VALUES ${values}) RETURNING "clientId"`;
    }
    // Locked in clientId order first: the ingestion writer marks visitors in that order
    // (visitorLockOrder, db/sql.ts), so the two never wait on each other in a circle.
    return `WITH v("clientId", "version") AS (VALUES ${values}),
      locked AS (
        SELECT s."clientId" FROM "StaleVisitor" s JOIN v ON v."clientId" = s."clientId" AND v."version" = s."version"
        WHERE s."shopId" = :shopId ORDER BY s."clientId" COLLATE "C" FOR UPDATE OF s
      )
      DELETE FROM "StaleVisitor" d USING locked WHERE d."shopId" = :shopId AND d."clientId" = locked."clientId" RETURNING d."clientId"`;
  }),
);

/**
 * Removes the stale markers of `count` visitors (:c0/:v0 …, see claimParams) of shop
 * :shopId that are still at the version read (else new events came since: the next pass
 * redoes them), answering the visitors claimed. One statement for a whole batch: inside
 * the refresher's transaction each statement is a round trip that, on SQLite, holds the
 * connection ingestion writes through.
 */
export default function resultsClaimVisitors(count: number): Query<Params, Row> {
  return build(count);
}

/** The parameters of resultsClaimVisitors(visitors.length). */
export const claimParams = (visitors: readonly { clientId: string; version: number }[]): Params => ({
  ...listParams(
    "c",
    visitors.map((v) => v.clientId),
  ),
  ...listParams(
    "v",
    visitors.map((v) => v.version),
  ),
});
