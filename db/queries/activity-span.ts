import { defineQuery } from "../query";

/**
 * The first and last activity bucket holding events of :kind ('custom': mc:* events,
 * 'standard': the others).
 */
export default defineQuery<{ shopId: number; kind: "custom" | "standard" }, { first: unknown; last: unknown }>(
  "activity-span",
  `SELECT MIN("bucket") AS "first", MAX("bucket") AS "last" FROM "ActivityBucket"
    WHERE "shopId" = :shopId AND (CASE WHEN "customEvents" > 0 THEN 'custom' ELSE '' END = :kind
      OR CASE WHEN "events" > "customEvents" THEN 'standard' ELSE '' END = :kind)`,
);
