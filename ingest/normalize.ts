/**
 * Compact pixel event → stored row. Pure: the receive time and the shop come in as
 * arguments. Applies the clock-skew rule, the privacy scrub (core/privacy.ts, the same
 * code the pixel runs) and the checkout/order dedupe keys.
 */
import { cleanProps, cleanUrl, keepText } from "../core/privacy";
import type { CompactEvent, Rejection } from "./schema";

/** Client clocks drift; a few minutes ahead is clamped to the receive time. */
export const MAX_FUTURE_SKEW_MS = 10 * 60 * 1000;
/** Events older than this are refused: the pixel retries for minutes, not days. */
export const DEFAULT_MAX_AGE_MS = 72 * 60 * 60 * 1000;

export interface EventRow {
  shopId: number;
  eventId: string;
  name: string;
  ts: number;
  seq: number;
  clientId: string;
  sessionId: string;
  path: string | null;
  url: string | null;
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  device: string | null;
  productId: string | null;
  variantId: string | null;
  quantity: number | null;
  value: number | null;
  currency: string | null;
  checkoutToken: string | null;
  orderId: string | null;
  customerId: string | null;
  props: string | null;
  isBot: boolean;
  dedupeKey: string | null;
  receivedAt: number;
}

/**
 * The rule for client timestamps: more than 10 minutes ahead of the server → rejected;
 * up to 10 minutes ahead → clamped to the receive time; older than `maxAgeMs` → rejected.
 */
export function resolveTimestamp(iso: string, receivedAt: number, maxAgeMs: number): { ts: number } | { reason: string } {
  const ts = Date.parse(iso);
  if (ts > receivedAt + MAX_FUTURE_SKEW_MS) return { reason: "ts: more than 10 minutes in the future" };
  if (ts < receivedAt - maxAgeMs) return { reason: `ts: older than ${Math.round(maxAgeMs / 3_600_000)} hours` };
  return { ts: Math.min(ts, receivedAt) };
}

/** The Shopify resource each id field names (its GID type). */
export type ShopifyIdType = "Product" | "ProductVariant" | "Order" | "Customer";

/**
 * Shopify ids arrive in exactly two forms: the number ("123") or the GID
 * ("gid://shopify/Customer/123"); both mean the same resource, so we keep the number.
 * Anything else (another type, extra characters, leading zeros) is not an id of this
 * field: null, and validation refuses the event (ingest/schema.ts).
 */
export function shopifyNumericId(id: string | null | undefined, type: ShopifyIdType): string | null {
  if (!id) return null;
  const match = /^(?:gid:\/\/shopify\/([A-Za-z]+)\/)?([1-9]\d{0,19})$/.exec(id);
  if (!match || (match[1] !== undefined && match[1] !== type)) return null;
  return match[2];
}

/** checkout_started repeats per checkout and checkout_completed per order: one row each. */
export function dedupeKeyOf(row: Pick<EventRow, "name" | "checkoutToken" | "orderId">): string | null {
  if (row.name === "checkout_started" && row.checkoutToken) return `checkout:${row.checkoutToken}`;
  if (row.name === "checkout_completed" && row.orderId) return `order:${row.orderId}`;
  return null;
}

export interface RowContext {
  shopId: number;
  receivedAt: number;
  isBot: boolean;
  maxAgeMs: number;
  /** The merchant's extra query parameters to keep in url/referrer (lower case), besides utm_* and click ids. */
  allowedQueryParams?: ReadonlySet<string>;
}

/**
 * Free text is scrubbed whoever sent it (docs/event-schema.md "Privacy"): url and
 * referrer keep only allowed query parameters, and a value that looks like an email,
 * phone, card number or street address is dropped (the field stored as null, the prop
 * left out). The event itself is kept: the rest of it is still good analytics.
 */
function scrubbedProps(props: CompactEvent["props"]): string | null {
  if (!props) return null;
  const kept = cleanProps(props);
  return Object.keys(kept).length > 0 ? JSON.stringify(kept) : null;
}

export function toRow(e: CompactEvent, ctx: RowContext): { row: EventRow } | { reason: string } {
  const time = resolveTimestamp(e.ts, ctx.receivedAt, ctx.maxAgeMs);
  if ("reason" in time) return time;
  const row: EventRow = {
    shopId: ctx.shopId,
    eventId: e.id,
    name: e.name,
    ts: time.ts,
    seq: e.seq,
    clientId: e.clientId,
    sessionId: "", // assigned by sessionizing before the write
    path: keepText(e.path) ?? null,
    url: cleanUrl(e.url, ctx.allowedQueryParams) ?? null,
    referrer: cleanUrl(e.referrer, ctx.allowedQueryParams) ?? null,
    utmSource: keepText(e.utm?.source) ?? null,
    utmMedium: keepText(e.utm?.medium) ?? null,
    utmCampaign: keepText(e.utm?.campaign) ?? null,
    device: e.device ?? null,
    productId: shopifyNumericId(e.productId, "Product"),
    variantId: shopifyNumericId(e.variantId, "ProductVariant"),
    quantity: e.quantity ?? null,
    value: e.value ?? null,
    currency: e.currency ?? null,
    checkoutToken: e.checkoutToken ?? null,
    orderId: shopifyNumericId(e.orderId, "Order"),
    customerId: shopifyNumericId(e.customerId, "Customer"),
    props: scrubbedProps(e.props),
    isBot: ctx.isBot,
    dedupeKey: null,
    receivedAt: ctx.receivedAt,
  };
  row.dedupeKey = dedupeKeyOf(row);
  return { row };
}

/** Validated events → rows, with the ones the clock rule refuses added to `rejected`. */
export function toRows(events: { index: number; event: CompactEvent }[], ctx: RowContext, rejected: Rejection[]): EventRow[] {
  const rows: EventRow[] = [];
  for (const { index, event } of events) {
    const result = toRow(event, ctx);
    if ("row" in result) rows.push(result.row);
    else rejected.push({ index, reason: result.reason });
  }
  rejected.sort((a, b) => a.index - b.index);
  return rows;
}
