import { defineQuery } from "../query";

/** Up to :limit of a shop's events older than :cutoff. */
export default defineQuery<{ shopId: number; cutoff: number; limit: number }>(
  "retention-delete-events",
  `DELETE FROM "Event" WHERE "shopId" = :shopId AND "eventId" IN (
  SELECT "eventId" FROM "Event" WHERE "shopId" = :shopId AND "ts" < :cutoff LIMIT :limit)`,
);
