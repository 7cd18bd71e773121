import { defineQuery, type Query } from "../query";
import { memoByKey } from "../sql";

type Bounds = { shopId: number; funnelId: string; fromDay: number; toDay: number; bound: number };

const build = memoByKey((key: string) => {
  const [min, max] = key.split("|").map(Number);
  // Steps as a list, not a range: each step's buckets below :bound are one seek of
  // FunnelUnitDay_sample_idx (a range on furthest would stop the seek there and read every
  // bucket of the steps after it). SQLite is told the index: with statistics of a shop or
  // two (ANALYZE) it prefers a skip-scan of the report's covering index over every row of
  // the steps.
  const steps = Array.from({ length: max - min + 1 }, (_, i) => min + i).join(", ");
  return defineQuery<Bounds, { clientId: string }>(
    "paths-sample-visitors",
    (dialect) => `SELECT DISTINCT "clientId" FROM "FunnelUnitDay" ${dialect === "sqlite" ? `INDEXED BY "FunnelUnitDay_sample_idx"` : ""}
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
export default function pathsSampleVisitors(min: number, max: number): Query<Bounds, { clientId: string }> {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) throw new RangeError(`steps ${min}..${max}`);
  return build(`${min}|${max}`);
}
