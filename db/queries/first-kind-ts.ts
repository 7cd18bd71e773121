import { defineQuery } from "../query";
import { EVENT_KIND } from "./_event-kind";

/** The earliest ts of a kind's events in [:from, :to). */
export default defineQuery<{ shopId: number; kind: "custom" | "standard"; from: number; to: number }, { ts: unknown }>(
  "first-kind-ts",
  `SELECT "ts" FROM "Event" WHERE "shopId" = :shopId AND "ts" >= :from AND "ts" < :to AND ${EVENT_KIND} = :kind ORDER BY "ts" ASC LIMIT 1`,
);
