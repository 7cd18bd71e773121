import { defineQuery } from "../query";

/** Up to :limit of a shop's precomputed funnel rows of units that entered before :cutoff. */
export default defineQuery<{ shopId: number; cutoff: number; limit: number }>(
  "retention-delete-funnel-rows",
  `DELETE FROM "FunnelUnitDay" WHERE "shopId" = :shopId AND ("funnelId", "unitId", "day") IN (
  SELECT "funnelId", "unitId", "day" FROM "FunnelUnitDay" WHERE "shopId" = :shopId AND "entryTs" < :cutoff LIMIT :limit)`,
);
