import { ACTIVITY_COUNTS } from "../../core/activity";
import { defineQuery } from "../query";

/** Sums of a shop's activity buckets numbered [:fromBucket, :toBucket). */
export default defineQuery<{ shopId: number; fromBucket: number; toBucket: number }, Record<string, unknown>>(
  "activity-totals",
  `SELECT ${ACTIVITY_COUNTS.map((c) => `SUM("${c}") AS "${c}"`).join(", ")} FROM "ActivityBucket"
    WHERE "shopId" = :shopId AND "bucket" >= :fromBucket AND "bucket" < :toBucket`,
);
