/** Fragments of the coverage queries (files starting with _ are not queries). */

/**
 * An order "seen" by the pixel: a non-bot checkout_completed for the same order id. Its
 * dedupeKey is "order:<id>" and (shopId, dedupeKey) is unique, so the lookup is one index probe.
 */
export const ORDER_SEEN = `EXISTS (SELECT 1 FROM "Event" e WHERE e."shopId" = o."shopId" AND e."dedupeKey" = 'order:' || o."orderId"
  AND e."name" = 'checkout_completed' AND e."isBot" = false)`;

/** A shop's purchases in [:from, :to) with their order, if any, by the Order primary key. */
export const PURCHASES = `FROM "Event" e LEFT JOIN "Order" o ON o."shopId" = e."shopId" AND o."orderId" = e."orderId"
  WHERE e."shopId" = :shopId AND e."name" = 'checkout_completed' AND e."isBot" = false AND e."ts" >= :from AND e."ts" < :to`;

/** How a purchase matched; one without an order since :recentFrom may still get one. */
export const PURCHASE_MATCH = `CASE WHEN o."orderId" IS NULL THEN (CASE WHEN e."ts" >= :recentFrom THEN 'awaitingOrder' ELSE 'noOrder' END)
  WHEN o."onlineStore" = true THEN 'matched' ELSE 'otherChannel' END`;
