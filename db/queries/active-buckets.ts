import { defineQuery } from "../query";

/** A shop's activity buckets numbered in [:fromBucket, :toBucket] that hold events. */
export default defineQuery<{ shopId: number; fromBucket: number; toBucket: number }, { b: unknown }>(
  "active-buckets",
  `SELECT "bucket" AS "b" FROM "ActivityBucket" WHERE "shopId" = :shopId AND "bucket" >= :fromBucket AND "bucket" <= :toBucket AND "events" > 0`,
);
