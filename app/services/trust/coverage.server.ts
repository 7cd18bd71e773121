/**
 * Tracking coverage for one shop and range: online-store orders from orders/create
 * matched to the pixel's checkout_completed events by order id. The database only counts
 * per 15-minute bucket; core/trust/coverage assigns buckets to the shop's local days.
 */
import prisma from "../../db.server";
import { BUCKET_MS, computeCoverage, type CoverageView, type OrderBucket, type PurchaseBucket } from "../../../core/trust/coverage";
import type { TrustRange } from "./range";

export type { CoverageSummary, CoverageView } from "../../../core/trust/coverage";

// Raw aggregates come back as number (SQLite), bigint or Decimal (PostgreSQL): Number() reads them all.
type Num = unknown;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

export async function coverageReport(shopId: number, range: TrustRange): Promise<CoverageView> {
  // "Seen" = a non-bot checkout_completed for the same order id. Its dedupeKey is
  // "order:<id>" and (shopId, dedupeKey) is unique, so the lookup is one index probe.
  const orderRows = await prisma.$queryRawUnsafe<{ bucket: Num; onlineStore: boolean | number; seen: Num; n: Num }[]>(
    `SELECT x."bucket", x."onlineStore", x."seen", COUNT(*) AS "n" FROM (
       SELECT o."createdAt" / ${BUCKET_MS} AS "bucket", o."onlineStore",
         CASE WHEN EXISTS (
           SELECT 1 FROM "Event" e WHERE e."shopId" = o."shopId" AND e."dedupeKey" = 'order:' || o."orderId"
             AND e."name" = 'checkout_completed' AND e."isBot" = false
         ) THEN 1 ELSE 0 END AS "seen"
       FROM "Order" o WHERE o."shopId" = $1 AND o."createdAt" >= $2 AND o."createdAt" < $3
     ) x GROUP BY x."bucket", x."onlineStore", x."seen"`,
    shopId, range.from, range.to,
  );
  const purchaseRows = await prisma.$queryRawUnsafe<{ bucket: Num; n: Num; withOrder: Num }[]>(
    `SELECT x."bucket", COUNT(*) AS "n", SUM(x."withOrder") AS "withOrder" FROM (
       SELECT e."ts" / ${BUCKET_MS} AS "bucket",
         CASE WHEN EXISTS (SELECT 1 FROM "Order" o WHERE o."shopId" = e."shopId" AND o."orderId" = e."orderId") THEN 1 ELSE 0 END AS "withOrder"
       FROM "Event" e WHERE e."shopId" = $1 AND e."name" = 'checkout_completed' AND e."isBot" = false AND e."ts" >= $2 AND e."ts" < $3
     ) x GROUP BY x."bucket"`,
    shopId, range.from, range.to,
  );
  const orders: OrderBucket[] = orderRows.map((r) => ({ bucket: num(r.bucket), onlineStore: Boolean(r.onlineStore), seen: num(r.seen) === 1, orders: num(r.n) }));
  const purchases: PurchaseBucket[] = purchaseRows.map((r) => ({ bucket: num(r.bucket), purchases: num(r.n), withOrder: num(r.withOrder) }));
  const { total, days } = computeCoverage({ orders, purchases, from: range.from, to: range.to, timeZone: range.timeZone });
  return {
    range: { preset: range.preset, from: range.from, to: range.to, fromDate: range.fromDate, toDate: range.toDate, days: range.days, timeZone: range.timeZone },
    query: range.query,
    total,
    days,
  };
}
