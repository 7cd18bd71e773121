import { LIST_LIMIT } from "../../core/trust/coverage";
import { defineQuery } from "../query";
import { PURCHASE_MATCH, PURCHASES } from "./_purchases";

/** A shop's purchases in [:from, :to) without an online-store order, newest first. */
export default defineQuery<{ shopId: number; from: number; to: number; recentFrom: number }, { orderId: string | null; ts: unknown; kind: string }>(
  "unmatched-purchases",
  `SELECT e."orderId", e."ts", ${PURCHASE_MATCH} AS "kind" ${PURCHASES}
         AND (o."orderId" IS NULL OR o."onlineStore" = false)
       ORDER BY e."ts" DESC LIMIT ${LIST_LIMIT}`,
);
