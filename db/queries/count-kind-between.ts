import { defineQuery } from "../query";
import { EVENT_KIND } from "./_event-kind";

/** Exact count of a kind's events in [:from, :to): a short stretch, read through the (shopId, ts) index. */
export default defineQuery<{ shopId: number; kind: "custom" | "standard"; from: number; to: number }, { n: unknown }>(
  "count-kind-between",
  `SELECT COUNT(*) AS "n" FROM "Event" WHERE "shopId" = :shopId AND "ts" >= :from AND "ts" < :to AND ${EVENT_KIND} = :kind`,
);
