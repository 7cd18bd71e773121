import { defineQuery } from "../query";

/** A visitor's precomputed rows of a funnel whose unit entered at :fromTs or later (session units). */
export default defineQuery<{ shopId: number; funnelId: string; clientId: string; fromTs: number }>(
  "results-delete-rows-from-ts",
  `DELETE FROM "FunnelUnitDay" WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "clientId" = :clientId AND "entryTs" >= :fromTs`,
);
