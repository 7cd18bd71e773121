import type { Db } from "../../../db/prisma";
import { executeOn } from "../../../db/query";
import insertOrder from "../../../db/queries/insert-order";
import type { OrderFields } from "./order-payload";

/**
 * Stores one order from orders/create. Shopify delivers at least once and may deliver
 * the same order twice at the same moment, so this is a single INSERT … ON CONFLICT DO
 * NOTHING on the (shopId, orderId) key — no read-then-write race. Returns whether the row
 * is new; an unknown shop (never installed, or redacted) stores nothing.
 */
export async function recordOrder(db: Db, domain: string, order: OrderFields, receivedAt = Date.now()): Promise<{ stored: boolean; known: boolean }> {
  const shop = await db.shop.findUnique({ where: { domain }, select: { id: true } });
  if (!shop) return { stored: false, known: false };
  const inserted = await executeOn(db, insertOrder, { shopId: shop.id, ...order, receivedAt });
  return { stored: inserted > 0, known: true };
}
