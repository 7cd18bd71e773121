import { defineQuery } from "../query";

/** Every precomputed row of a funnel (its build starts over). */
export default defineQuery<{ shopId: number; funnelId: string }>(
  "results-delete-funnel-rows",
  `DELETE FROM "FunnelUnitDay" WHERE "shopId" = :shopId AND "funnelId" = :funnelId`,
);
