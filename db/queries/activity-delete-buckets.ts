import { defineQuery } from "../query";

/** A shop's activity buckets numbered below :untilBucket. */
export default defineQuery<{ shopId: number; untilBucket: number }>(
  "activity-delete-buckets",
  `DELETE FROM "ActivityBucket" WHERE "shopId" = :shopId AND "bucket" < :untilBucket`,
);
