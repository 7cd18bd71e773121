import { BUCKET_MS } from "../../core/trust/coverage";
import { defineQuery } from "../query";
import { ORDER_SEEN } from "./_purchases";

/**
 * Orders in [:from, :to) per 15-minute bucket, channel and whether created since
 * :recentFrom: the online-store orders nothing matched, and every other-channel order
 * (matched orders are counted from the purchase side).
 */
export default defineQuery<
  { shopId: number; from: number; to: number; recentFrom: number },
  { bucket: unknown; onlineStore: boolean | number; recent: unknown; n: unknown }
>(
  "coverage-order-buckets",
  `SELECT x."bucket", x."onlineStore", x."recent", COUNT(*) AS "n" FROM (
       SELECT o."createdAt" / ${BUCKET_MS} AS "bucket", o."onlineStore",
         CASE WHEN o."createdAt" >= :recentFrom THEN 1 ELSE 0 END AS "recent"
       FROM "Order" o WHERE o."shopId" = :shopId AND o."createdAt" >= :from AND o."createdAt" < :to
         AND (o."onlineStore" = false OR NOT ${ORDER_SEEN})
     ) x GROUP BY x."bucket", x."onlineStore", x."recent"`,
);
