/**
 * customers/data_request: Shopify ignores what the webhook answers, so the request is
 * kept for the merchant, listed on the Data requests page with a downloadable JSON of
 * what the app holds for that customer (computed at download time, so a later
 * customers/redact shows as "nothing held"), until the merchant marks it answered.
 * Only ids are stored: the webhook also carries the customer's email and phone.
 */
import { z } from "zod";
import type { Db } from "../../db/prisma";

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);

/** Lenient on purpose: a well-formed request is answered 200 whatever it lacks. */
const payloadSchema = z.object({
  customer: z
    .object({ id: id.optional().catch(undefined) })
    .partial()
    .nullable()
    .optional()
    .catch(undefined),
  orders_requested: z.array(z.unknown()).optional().catch(undefined),
  data_request: z
    .object({ id: id.optional().catch(undefined) })
    .partial()
    .nullable()
    .optional()
    .catch(undefined),
});

export interface DataRequestInput {
  customerId: string | null;
  orderIds: string[];
  /** data_request.id when Shopify sent one. */
  requestId: string | null;
}

export function parseDataRequest(payload: unknown): DataRequestInput {
  const parsed = payloadSchema.safeParse(payload ?? {});
  const p = parsed.success ? parsed.data : {};
  const orderIds = (p.orders_requested ?? []).flatMap((o) => {
    const r = id.safeParse(o);
    return r.success ? [r.data] : [];
  });
  return { customerId: p.customer?.id ?? null, orderIds: [...new Set(orderIds)].slice(0, 1000), requestId: p.data_request?.id ?? null };
}

export type RecordOutcome = "stored" | "duplicate" | "unknown-shop";

/** Stores a request once per (shop, data_request.id or webhook id): Shopify retries deliveries. */
export async function recordDataRequest(db: Db, domain: string, input: DataRequestInput, webhookId: string): Promise<RecordOutcome> {
  const shop = await db.shop.findUnique({ where: { domain }, select: { id: true } });
  if (!shop) return "unknown-shop";
  const requestKey = input.requestId ? `dr:${input.requestId}` : `wh:${webhookId}`;
  try {
    await db.dataRequest.create({
      data: { shopId: shop.id, requestKey, customerId: input.customerId, ordersJson: JSON.stringify(input.orderIds) },
    });
    return "stored";
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return "duplicate";
    throw error;
  }
}

export interface DataRequestRow {
  id: string;
  customerId: string | null;
  orderIds: string[];
  receivedAt: string;
}

const ordersOf = (json: string): string[] => {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};

export async function listDataRequests(db: Db, shopId: number): Promise<DataRequestRow[]> {
  const rows = await db.dataRequest.findMany({ where: { shopId }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }] });
  return rows.map((r) => ({ id: r.id, customerId: r.customerId, orderIds: ordersOf(r.ordersJson), receivedAt: r.receivedAt.toISOString() }));
}

export class DataRequestNotFound extends Error {
  status = 404;
}

/** Events linked to one customer are few (a person's own visits); this bounds a pathological id. */
const MAX_EVENTS = 20_000;

/**
 * Everything the app holds for the request's customer: the events linked to the
 * customer id (as stored: no names, emails, phones or addresses), the audience tags the
 * app wrote on the customer in Shopify, and the reconciliation rows of the orders named.
 */
export async function dataRequestExport(db: Db, shopId: number, requestId: string, now = new Date()) {
  const request = await db.dataRequest.findFirst({ where: { id: requestId, shopId } });
  if (!request) throw new DataRequestNotFound("No data request with this id in this shop");
  const orderIds = ordersOf(request.ordersJson);
  const customerId = request.customerId;
  const events = customerId
    ? await db.event.findMany({
        where: { shopId, customerId },
        orderBy: [{ ts: "asc" }, { eventId: "asc" }],
        take: MAX_EVENTS,
        select: {
          eventId: true,
          name: true,
          ts: true,
          sessionId: true,
          path: true,
          url: true,
          referrer: true,
          utmSource: true,
          utmMedium: true,
          utmCampaign: true,
          device: true,
          productId: true,
          variantId: true,
          quantity: true,
          value: true,
          currency: true,
          checkoutToken: true,
          orderId: true,
        },
      })
    : [];
  const orders = orderIds.length > 0 ? await db.order.findMany({ where: { shopId, orderId: { in: orderIds } }, orderBy: { orderId: "asc" } }) : [];
  const tags = customerId ? await audienceTagsOf(db, shopId, customerId) : [];
  const iso = (ms: bigint) => new Date(Number(ms)).toISOString();
  const nothingHeld = events.length === 0 && orders.length === 0 && tags.length === 0;
  return {
    request: { id: request.id, receivedAt: request.receivedAt.toISOString(), customerId, ordersRequested: orderIds },
    generatedAt: now.toISOString(),
    nothingHeld,
    summary: nothingHeld
      ? "Micro-Conversions holds no data about this customer."
      : `Micro-Conversions holds ${events.length} storefront event(s) linked to this customer id, ${orders.length} of the requested order(s) and ${tags.length} customer tag(s) it wrote. It stores no names, emails, phones or addresses.`,
    events: events.map((e) => ({ ...e, ts: iso(e.ts) })),
    eventsTruncated: events.length === MAX_EVENTS,
    orders: orders.map((o) => ({
      orderId: o.orderId,
      createdAt: iso(o.createdAt),
      totalPrice: o.totalPrice,
      currency: o.currency,
      onlineStore: o.onlineStore,
    })),
    customerTags: tags,
  };
}

/** Tags the audience sync left on this customer (the last completed run of each audience). */
async function audienceTagsOf(db: Db, shopId: number, customerId: string): Promise<string[]> {
  const runs = await db.audienceSync.findMany({
    where: { shopId, status: "done" },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    select: { audienceId: true, cursor: true },
  });
  const seen = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.audienceId)) continue;
    seen.add(run.audienceId);
    try {
      const done = JSON.parse(run.cursor ?? "null") as { tag?: unknown; tagged?: unknown } | null;
      if (typeof done?.tag === "string" && Array.isArray(done.tagged) && done.tagged.includes(customerId)) tags.add(done.tag);
    } catch {
      // An unreadable cursor says nothing about the customer.
    }
  }
  return [...tags].sort();
}

/** The merchant answered the request: it is removed. */
export async function markDataRequestAnswered(db: Db, shopId: number, requestId: string): Promise<boolean> {
  const { count } = await db.dataRequest.deleteMany({ where: { id: requestId, shopId } });
  return count === 1;
}
