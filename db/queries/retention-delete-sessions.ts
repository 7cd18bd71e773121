import { defineQuery } from "../query";

/**
 * Up to :limit of a shop's sessions that started and ended before :cutoff. endTs >= startTs,
 * so `"startTs" < cutoff` selects no extra rows; it lets the subselect use the
 * ("shopId", "startTs") index (there is none on endTs).
 */
export default defineQuery<{ shopId: number; cutoff: number; limit: number }>(
  "retention-delete-sessions",
  `DELETE FROM "VisitorSession" WHERE "shopId" = :shopId AND "id" IN (
  SELECT "id" FROM "VisitorSession" WHERE "shopId" = :shopId AND "startTs" < :cutoff AND "endTs" < :cutoff LIMIT :limit)`,
);
