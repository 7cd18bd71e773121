import { defineQuery } from "../query";

/** One order from orders/create; a redelivery of the same (shopId, orderId) stores nothing. */
export default defineQuery<{
  shopId: number;
  orderId: string;
  createdAt: number;
  totalPrice: number;
  currency: string;
  onlineStore: boolean;
  checkoutToken: string | null;
  receivedAt: number;
}>(
  "insert-order",
  `INSERT INTO "Order" ("shopId", "orderId", "createdAt", "totalPrice", "currency", "onlineStore", "checkoutToken", "receivedAt")
     VALUES (:shopId, :orderId, :createdAt, :totalPrice, :currency, :onlineStore, :checkoutToken, :receivedAt)
     ON CONFLICT ("shopId", "orderId") DO NOTHING`,
);
