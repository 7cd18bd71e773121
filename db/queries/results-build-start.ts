import { defineQuery } from "../query";

/** Records a funnel's build mark (state "marking"), unless another process started its build. */
export default defineQuery<{ shopId: number; funnelId: string; mark: number }>(
  "results-build-start",
  `UPDATE "Funnel" SET "resultsMark" = :mark, "resultsState" = 'marking' WHERE "shopId" = :shopId AND "id" = :funnelId AND "resultsMark" IS NULL`,
);
