/**
 * Tracking coverage for one shop and range: online-store orders from orders/create
 * matched to the pixel's checkout_completed events by order id. The database only counts
 * per 15-minute bucket; core/trust/coverage assigns buckets to the shop's local days and
 * states how the numbers reconcile.
 */
import prisma from "../../../db/prisma.server";
import {
  BUCKET_MS, computeCoverage, LIST_LIMIT, RECENT_MS,
  type CoverageLists, type CoverageView, type OrderBucket, type PurchaseBucket, type PurchaseMatch,
} from "../../../core/trust/coverage";
import type { TrustRange } from "./range";

export type { CoverageLists, CoverageSummary, CoverageView } from "../../../core/trust/coverage";

// Raw aggregates come back as number (SQLite), bigint or Decimal (PostgreSQL): Number() reads them all.
type Num = unknown;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

// "Seen" = a non-bot checkout_completed for the same order id. Its dedupeKey is
// "order:<id>" and (shopId, dedupeKey) is unique, so the lookup is one index probe.
const SEEN = `EXISTS (SELECT 1 FROM "Event" e WHERE e."shopId" = o."shopId" AND e."dedupeKey" = 'order:' || o."orderId"
  AND e."name" = 'checkout_completed' AND e."isBot" = false)`;

// Purchases of the range ($1 shop, $2…$3) with their order, if any, by the Order primary key.
const PURCHASES = `FROM "Event" e LEFT JOIN "Order" o ON o."shopId" = e."shopId" AND o."orderId" = e."orderId"
  WHERE e."shopId" = $1 AND e."name" = 'checkout_completed' AND e."isBot" = false AND e."ts" >= $2 AND e."ts" < $3`;

/**
 * How a purchase matched. `recentFrom` (now − RECENT_MS, an integer we computed) is written
 * into the statement: SQLite numbers `$n` parameters by first appearance, so a `$4` in the
 * select list would take the shop id's place.
 */
const kindSql = (recentFrom: number) => `CASE WHEN o."orderId" IS NULL THEN (CASE WHEN e."ts" >= ${Math.trunc(recentFrom)} THEN 'awaitingOrder' ELSE 'noOrder' END)
  WHEN o."onlineStore" = true THEN 'matched' ELSE 'otherChannel' END`;

const KINDS = new Set<PurchaseMatch>(["matched", "otherChannel", "awaitingOrder", "noOrder"]);
const kindOf = (v: unknown): PurchaseMatch => {
  if (!KINDS.has(v as PurchaseMatch)) throw new Error(`unexpected purchase match ${String(v)}`);
  return v as PurchaseMatch;
};

export async function coverageReport(shopId: number, range: TrustRange, now = Date.now()): Promise<CoverageView> {
  const recentFrom = now - RECENT_MS;
  // Matched orders are counted from the purchase side (on the purchase's day); here only
  // the online-store orders nothing matched, and every other-channel order.
  const orderRows = await prisma.$queryRawUnsafe<{ bucket: Num; onlineStore: boolean | number; recent: Num; n: Num }[]>(
    `SELECT x."bucket", x."onlineStore", x."recent", COUNT(*) AS "n" FROM (
       SELECT o."createdAt" / ${BUCKET_MS} AS "bucket", o."onlineStore",
         CASE WHEN o."createdAt" >= ${Math.trunc(recentFrom)} THEN 1 ELSE 0 END AS "recent"
       FROM "Order" o WHERE o."shopId" = $1 AND o."createdAt" >= $2 AND o."createdAt" < $3
         AND (o."onlineStore" = false OR NOT ${SEEN})
     ) x GROUP BY x."bucket", x."onlineStore", x."recent"`,
    shopId, range.from, range.to,
  );
  const purchaseRows = await prisma.$queryRawUnsafe<{ bucket: Num; kind: string; n: Num }[]>(
    `SELECT x."bucket", x."kind", COUNT(*) AS "n" FROM (
       SELECT e."ts" / ${BUCKET_MS} AS "bucket", ${kindSql(recentFrom)} AS "kind" ${PURCHASES}
     ) x GROUP BY x."bucket", x."kind"`,
    shopId, range.from, range.to,
  );
  const orders: OrderBucket[] = orderRows.map((r) => ({ bucket: num(r.bucket), onlineStore: Boolean(r.onlineStore), recent: num(r.recent) === 1, orders: num(r.n) }));
  const purchases: PurchaseBucket[] = purchaseRows.map((r) => ({ bucket: num(r.bucket), match: kindOf(r.kind), purchases: num(r.n) }));
  const { total, days } = computeCoverage({ orders, purchases, from: range.from, to: range.to, timeZone: range.timeZone });
  return {
    range: { preset: range.preset, from: range.from, to: range.to, fromDate: range.fromDate, toDate: range.toDate, days: range.days, timeZone: range.timeZone },
    query: range.query,
    total,
    days,
  };
}

/** The range's unmatched purchases and missed orders by id, newest first (LIST_LIMIT each). */
export async function coverageLists(shopId: number, range: { from: number; to: number }, now = Date.now()): Promise<CoverageLists> {
  const recentFrom = now - RECENT_MS;
  const [purchases, orders] = await Promise.all([
    prisma.$queryRawUnsafe<{ orderId: string | null; ts: Num; kind: string }[]>(
      `SELECT e."orderId", e."ts", ${kindSql(recentFrom)} AS "kind" ${PURCHASES}
         AND (o."orderId" IS NULL OR o."onlineStore" = false)
       ORDER BY e."ts" DESC LIMIT ${LIST_LIMIT}`,
      shopId, range.from, range.to,
    ),
    prisma.$queryRawUnsafe<{ orderId: string; createdAt: Num }[]>(
      `SELECT o."orderId", o."createdAt" FROM "Order" o
       WHERE o."shopId" = $1 AND o."createdAt" >= $2 AND o."createdAt" < $3 AND o."onlineStore" = true AND NOT ${SEEN}
       ORDER BY o."createdAt" DESC LIMIT ${LIST_LIMIT}`,
      shopId, range.from, range.to,
    ),
  ]);
  return {
    unmatchedPurchases: purchases.map((p) => {
      const reason = kindOf(p.kind);
      if (reason === "matched") throw new Error("a matched purchase in the unmatched list");
      return { orderId: p.orderId, ts: num(p.ts), reason };
    }),
    missedOrders: orders.map((o) => ({ orderId: o.orderId, createdAt: num(o.createdAt), recent: num(o.createdAt) >= recentFrom })),
  };
}
