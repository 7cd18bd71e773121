import { defineQuery } from "../query";

/** Distinct event names a shop sent (bots excluded) since :since, most frequent first (200 at most). */
export default defineQuery<{ shopId: number; since: number }, { name: string; n: bigint | number }>(
  "event-names-seen",
  `SELECT "name", COUNT(*) AS n FROM "Event" WHERE "shopId" = :shopId AND "isBot" = false AND "ts" >= :since
     GROUP BY "name" ORDER BY n DESC, "name" ASC LIMIT 200`,
);
