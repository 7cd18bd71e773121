/**
 * Tracking coverage for one shop and range: online-store orders from orders/create
 * matched to the pixel's checkout_completed events by order id. The database only counts
 * per 15-minute bucket; core/trust/coverage assigns buckets to the shop's local days and
 * states how the numbers reconcile.
 */
import type { Db } from "../../../db/prisma";
import { rowsOf } from "../../../db/query";
import coverageOrderBuckets from "../../../db/queries/coverage-order-buckets";
import coveragePurchaseBuckets from "../../../db/queries/coverage-purchase-buckets";
import missedOrdersQuery from "../../../db/queries/missed-orders";
import unmatchedPurchases from "../../../db/queries/unmatched-purchases";
import {
  computeCoverage,
  RECENT_MS,
  type CoverageLists,
  type CoverageView,
  type OrderBucket,
  type PurchaseBucket,
  type PurchaseMatch,
} from "../../../core/trust/coverage";
import type { TrustRange } from "./range";

export type { CoverageLists, CoverageSummary, CoverageView } from "../../../core/trust/coverage";

// Raw aggregates come back as number (SQLite), bigint or Decimal (PostgreSQL): Number() reads them all.
type Num = unknown;
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v));

const KINDS = new Set<PurchaseMatch>(["matched", "otherChannel", "awaitingOrder", "noOrder"]);
const kindOf = (v: unknown): PurchaseMatch => {
  if (!KINDS.has(v as PurchaseMatch)) throw new Error(`unexpected purchase match ${String(v)}`);
  return v as PurchaseMatch;
};

export async function coverageReport(db: Db, shopId: number, range: TrustRange, now = Date.now()): Promise<CoverageView> {
  const recentFrom = now - RECENT_MS;
  // Matched orders are counted from the purchase side (on the purchase's day); here only
  // the online-store orders nothing matched, and every other-channel order.
  // recentFrom: an integer, compared with integer columns.
  const params = { shopId, from: range.from, to: range.to, recentFrom: Math.trunc(recentFrom) };
  const orderRows = await rowsOf(db, coverageOrderBuckets, params);
  const purchaseRows = await rowsOf(db, coveragePurchaseBuckets, params);
  const orders: OrderBucket[] = orderRows.map((r) => ({
    bucket: num(r.bucket),
    onlineStore: Boolean(r.onlineStore),
    recent: num(r.recent) === 1,
    orders: num(r.n),
  }));
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
export async function coverageLists(db: Db, shopId: number, range: { from: number; to: number }, now = Date.now()): Promise<CoverageLists> {
  const recentFrom = now - RECENT_MS;
  const [purchases, orders] = await Promise.all([
    rowsOf(db, unmatchedPurchases, { shopId, from: range.from, to: range.to, recentFrom: Math.trunc(recentFrom) }),
    rowsOf(db, missedOrdersQuery, { shopId, from: range.from, to: range.to }),
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
