import { defineQuery } from "../query";

/** Up to :limit of a shop's stale visitors, oldest marking first. */
export default defineQuery<{ shopId: number; limit: number }, { clientId: string; sinceTs: number | bigint; version: number }>(
  "results-stale-visitors",
  `SELECT "clientId", "sinceTs", "version" FROM "StaleVisitor" WHERE "shopId" = :shopId ORDER BY "markedAt", "clientId" LIMIT :limit`,
);
