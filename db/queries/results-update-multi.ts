import { defineQuery } from "../query";

/** A unit's multi flag: whether it has rows on several days (a visitor unit keeps its older days' rows). */
export default defineQuery<{ shopId: number; funnelId: string; unitId: string }>(
  "results-update-multi",
  `UPDATE "FunnelUnitDay" SET "multi" = (SELECT COUNT(*) FROM "FunnelUnitDay" x WHERE x."shopId" = :shopId AND x."funnelId" = :funnelId AND x."unitId" = :unitId) > 1
     WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "unitId" = :unitId`,
);
