import { ACTIVITY_COUNTS, BUCKET_MS, KEY_EVENTS } from "../../core/activity";
import { DAY_MS } from "../../core/time";
import { defineQuery } from "../query";

/**
 * A shop's activity buckets recounted from its events and sessions that start before
 * :until (epoch ms, a bucket boundary).
 */
export default defineQuery<{ shopId: number; until: number }>(
  "activity-insert-buckets",
  `INSERT INTO "ActivityBucket" ("shopId", "bucket", ${ACTIVITY_COUNTS.map((c) => `"${c}"`).join(", ")})
   SELECT "shopId", "bucket", ${ACTIVITY_COUNTS.map((c) => `SUM("${c}")`).join(", ")} FROM (
     SELECT "shopId", "ts" / ${BUCKET_MS} AS "bucket", 1 AS "events", CASE WHEN substr("name", 1, 3) = 'mc:' THEN 1 ELSE 0 END AS "customEvents",
       CASE WHEN "isBot" THEN 1 ELSE 0 END AS "botEvents", 0 AS "sessions", 0 AS "botSessions", 0 AS "addToCartSessions",
       0 AS "checkoutStartSessions", 0 AS "purchaseSessions", 0 AS "utcMidnightSessions", 0 AS "extraUtcDays"
     FROM "Event" WHERE "shopId" = :shopId AND "ts" < :until
     UNION ALL
     SELECT "shopId", "startTs" / ${BUCKET_MS}, 0, 0, 0,
       CASE WHEN "isBot" THEN 0 ELSE 1 END, CASE WHEN "isBot" THEN 1 ELSE 0 END,
       ${KEY_EVENTS.map((k) => `CASE WHEN "${k.key}" AND NOT "isBot" THEN 1 ELSE 0 END`).join(", ")},
       CASE WHEN NOT "isBot" AND "endTs" / ${DAY_MS} > "startTs" / ${DAY_MS} THEN 1 ELSE 0 END,
       CASE WHEN "isBot" THEN 0 ELSE "endTs" / ${DAY_MS} - "startTs" / ${DAY_MS} END
     FROM "VisitorSession" WHERE "shopId" = :shopId AND "startTs" < :until
   ) x GROUP BY "shopId", "bucket"`,
);
