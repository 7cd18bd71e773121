import { defineQuery } from "../query";

/** Removes a visitor's stale marker if it is still at :version (else new events came since it was read). */
export default defineQuery<{ shopId: number; clientId: string; version: number }>(
  "results-claim-visitor",
  `DELETE FROM "StaleVisitor" WHERE "shopId" = :shopId AND "clientId" = :clientId AND "version" = :version`,
);
