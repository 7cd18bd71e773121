import { defineQuery } from "../query";

/** A visitor's precomputed rows of a funnel on local day :fromDay or later (visitor units). */
export default defineQuery<{ shopId: number; funnelId: string; clientId: string; fromDay: number }>(
  "results-delete-rows-from-day",
  `DELETE FROM "FunnelUnitDay" WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "clientId" = :clientId AND "day" >= :fromDay`,
);
