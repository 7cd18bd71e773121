import { HOUR_MS } from "../../core/time";
import { defineQuery } from "../query";

/** The hours (ts / 1 h) holding a shop's events in (:after, :before). */
export default defineQuery<{ shopId: number; after: number; before: number }, { h: unknown }>(
  "event-hours",
  `SELECT DISTINCT "ts" / ${HOUR_MS} AS "h" FROM "Event" WHERE "shopId" = :shopId AND "ts" > :after AND "ts" < :before`,
);
