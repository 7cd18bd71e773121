import { defineQuery } from "../query";

/** A funnel whose build marked every visitor at :mark is "building". */
export default defineQuery<{ shopId: number; funnelId: string; mark: number }>(
  "results-build-marked",
  `UPDATE "Funnel" SET "resultsState" = 'building' WHERE "shopId" = :shopId AND "id" = :funnelId AND "resultsMark" = :mark AND "resultsState" = 'marking'`,
);
