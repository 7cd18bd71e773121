import { defineQuery } from "../query";

/** A shop's building funnels become ready once no visitor marked at or before their mark is waiting. */
export default defineQuery<{ shopId: number }>(
  "results-finish-builds",
  `UPDATE "Funnel" SET "resultsState" = 'ready' WHERE "shopId" = :shopId AND "resultsState" = 'building' AND "resultsMark" IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM "StaleVisitor" s WHERE s."shopId" = :shopId AND s."markedAt" <= "Funnel"."resultsMark")`,
);
