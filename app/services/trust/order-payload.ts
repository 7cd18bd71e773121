/**
 * orders/create payload → the few fields reconciliation keeps (pure, zod). Shopify's REST
 * order payload carries the customer, addresses and line items too; none of it is read,
 * let alone stored.
 */
import { z } from "zod";

// The union's own message covers a missing or wrongly typed value ("Invalid input" otherwise).
const numericId = z.union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,20}$/, "must be a numeric id")], {
  error: "required: the numeric order id",
});

/** REST payloads send money as decimal strings ("199.00"); accept a plain number too. */
const money = z.union([z.number().finite().min(0), z.string().regex(/^\d{1,15}(\.\d{1,6})?$/, 'must be a decimal amount like "199.00"')], {
  error: 'required: a decimal amount like "199.00"',
});

export const OrderPayload = z.object({
  id: numericId,
  created_at: z
    .string()
    .max(40)
    .refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date"),
  total_price: money,
  currency: z.string().regex(/^[A-Z]{3}$/, "must be a 3-letter currency code"),
  // null for orders created by some apps; anything but "web" is outside the online store.
  source_name: z.string().max(255).nullish(),
  checkout_token: z.string().max(255).nullish(),
});

export interface OrderFields {
  orderId: string;
  createdAt: number;
  totalPrice: number;
  currency: string;
  /** Placed through the online store (source_name "web"), where the pixel runs. */
  onlineStore: boolean;
  checkoutToken: string | null;
}

export type ParsedOrder = { ok: true; order: OrderFields } | { ok: false; error: string };

export function parseOrderPayload(payload: unknown): ParsedOrder {
  const parsed = OrderPayload.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 4).map((i) => `${i.path.join(".") || "payload"}: ${i.message}`);
    return { ok: false, error: `invalid orders/create payload: ${issues.join("; ")}` };
  }
  const p = parsed.data;
  return {
    ok: true,
    order: {
      orderId: String(p.id),
      createdAt: Date.parse(p.created_at),
      totalPrice: Number(p.total_price),
      currency: p.currency,
      onlineStore: p.source_name === "web",
      checkoutToken: p.checkout_token ?? null,
    },
  };
}
