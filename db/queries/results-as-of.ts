import { defineQuery } from "../query";

/** The oldest marking of a shop's visitors still waiting for the refresher (NULL: none). */
export default defineQuery<{ shopId: number }, { oldest: number | bigint | null }>(
  "results-as-of",
  `SELECT MIN("markedAt") AS oldest FROM "StaleVisitor" WHERE "shopId" = :shopId`,
);
