import { defineQuery } from "../query";

/** Visitors with a purchase in [:from, :to), from the partial index of purchases alone. */
export default defineQuery<{ shopId: number; from: number; to: number }, { visitors: unknown }>(
  "purchasing-visitors",
  `SELECT COUNT(DISTINCT p."clientId") AS "visitors" FROM "Event" p
  WHERE p."shopId" = :shopId AND p."name" = 'checkout_completed' AND p."isBot" = false AND p."ts" >= :from AND p."ts" < :to`,
);
