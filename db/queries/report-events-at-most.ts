import { defineQuery } from "../query";

/** A shop's events in [:from, :to), counted up to :limit (reads at most :limit index entries). */
export default defineQuery<{ shopId: number; from: number; to: number; limit: number }, { n: number | bigint | string }>(
  "report-events-at-most",
  `SELECT COUNT(*) AS n FROM (SELECT 1 FROM "Event" WHERE "shopId" = :shopId AND "ts" >= :from AND "ts" < :to LIMIT :limit) x`,
);
