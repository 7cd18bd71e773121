import { defineQuery } from "../query";

/** Ids of shops with stale visitors or a funnel whose build is not done (the refresher's work list; no shop's data is read). */
export default defineQuery<Record<string, never>, { shopId: number | bigint }>(
  "results-shops-to-refresh",
  `SELECT DISTINCT "shopId" FROM "StaleVisitor" UNION SELECT "shopId" FROM "Funnel" WHERE "resultsState" IN ('marking', 'building')`,
);
