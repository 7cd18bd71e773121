import { defineQuery, type Query } from "../query";
import { memoByKey } from "../sql";

const build = memoByKey((key: string) => {
  const [min, max] = key.split("|").map(Number);
  // Steps as a list, not a range: SQLite then seeks each step's buckets below :bound
  // (FunnelUnitDay_sample_idx); a range on furthest would stop the seek there and read
  // every bucket of the steps after it.
  const steps = Array.from({ length: max - min + 1 }, (_, i) => min + i).join(", ");
  return defineQuery<{ shopId: number; funnelId: string; fromDay: number; toDay: number; bound: number }, { clientId: string }>(
    "paths-sample-visitors",
    `SELECT DISTINCT "clientId" FROM "FunnelUnitDay"
        WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "furthest" IN (${steps}) AND "visitorBucket" < :bound
          AND "day" >= :fromDay AND "day" < :toDay`,
  );
});

/**
 * Visitors with a row whose furthest step is in [min, max], in local days [:fromDay,
 * :toDay) of a funnel's precomputed rows, whose sample bucket is below :bound
 * (core/diagnosis/paths.ts sampleBucketBound: a superset of a sample, which the caller
 * narrows with inSample). A unit's furthest step is its best day row's, so every visitor
 * with a unit dropped at step k (furthest k−1) has a row with furthest k−1, and every
 * visitor with a unit that went on one with furthest ≥ k.
 */
export default function pathsSampleVisitors(min: number, max: number): Query<{ shopId: number; funnelId: string; fromDay: number; toDay: number; bound: number }, { clientId: string }> {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) throw new RangeError(`steps ${min}..${max}`);
  return build(`${min}|${max}`);
}
