import { LIST_LIMIT } from "../../core/trust/coverage";
import { defineQuery } from "../query";
import { ORDER_SEEN } from "./_purchases";

/** A shop's online-store orders in [:from, :to) the pixel never saw, newest first. */
export default defineQuery<{ shopId: number; from: number; to: number }, { orderId: string; createdAt: unknown }>(
  "missed-orders",
  `SELECT o."orderId", o."createdAt" FROM "Order" o
       WHERE o."shopId" = :shopId AND o."createdAt" >= :from AND o."createdAt" < :to AND o."onlineStore" = true AND NOT ${ORDER_SEEN}
       ORDER BY o."createdAt" DESC LIMIT ${LIST_LIMIT}`,
);
