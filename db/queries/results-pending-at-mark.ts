import { defineQuery } from "../query";

/** A shop's visitors marked stale at or before :mark and not recomputed yet. */
export default defineQuery<{ shopId: number; mark: number }, { pending: number | bigint }>(
  "results-pending-at-mark",
  `SELECT COUNT(*) AS pending FROM "StaleVisitor" WHERE "shopId" = :shopId AND "markedAt" <= :mark`,
);
