import { BUCKET_MS } from "../../core/trust/coverage";
import { defineQuery } from "../query";
import { PURCHASE_MATCH, PURCHASES } from "./_purchases";

/** A shop's purchases in [:from, :to) per 15-minute bucket and how they matched an order. */
export default defineQuery<{ shopId: number; from: number; to: number; recentFrom: number }, { bucket: unknown; kind: string; n: unknown }>(
  "coverage-purchase-buckets",
  `SELECT x."bucket", x."kind", COUNT(*) AS "n" FROM (
       SELECT e."ts" / ${BUCKET_MS} AS "bucket", ${PURCHASE_MATCH} AS "kind" ${PURCHASES}
     ) x GROUP BY x."bucket", x."kind"`,
);
