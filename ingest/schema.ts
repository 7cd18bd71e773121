/**
 * The wire format of POST /collect (docs/event-schema.md), validated with zod. The
 * envelope must be valid for anything to be stored; events are validated one by one
 * so one bad event does not cost the rest of its batch.
 */
import { z } from "zod";
import { STANDARD_EVENTS } from "../core/events";

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_EVENTS = 50;

// Standard pixel events we accept (the pixel's list); custom ones must carry our `mc:` prefix.
export { STANDARD_EVENTS };
const STANDARD = new Set<string>(STANDARD_EVENTS);

const text = (max: number) => z.string().max(max, `longer than ${max} characters`);
const optionalText = (max: number) => text(max).nullish();

export const EventName = z
  .string()
  .max(64, "longer than 64 characters")
  .refine((n) => STANDARD.has(n) || /^mc:[a-z0-9_]{1,60}$/.test(n), "unknown event name (standard pixel event or mc:<snake_case>)");

const PropValue = z.union([text(256), z.number().finite(), z.boolean(), z.null()]);

export const CompactEvent = z.object({
  id: z.string().min(1, "empty").max(128, "longer than 128 characters"),
  name: EventName,
  ts: z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), "not an ISO 8601 date"),
  seq: z.number().int().min(0).max(1e9),
  clientId: z.string().min(1, "empty").max(128, "longer than 128 characters"),
  url: optionalText(2048),
  path: optionalText(1024),
  referrer: optionalText(2048),
  utm: z
    .object({ source: optionalText(256), medium: optionalText(256), campaign: optionalText(256), term: optionalText(256), content: optionalText(256) })
    .strict()
    .nullish(),
  device: z.enum(["mobile", "tablet", "desktop"]).nullish(),
  productId: optionalText(128),
  variantId: optionalText(128),
  quantity: z.number().int().min(0).max(100_000).nullish(),
  value: z.number().finite().min(-1e9).max(1e9).nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/, "not a 3-letter currency code").nullish(),
  checkoutToken: optionalText(128),
  orderId: optionalText(128),
  customerId: optionalText(128),
  props: z
    .record(z.string().max(64, "property name longer than 64 characters"), PropValue)
    .refine((p) => Object.keys(p).length <= 20, "more than 20 properties")
    .nullish(),
});
export type CompactEvent = z.infer<typeof CompactEvent>;

export const Envelope = z.object({
  v: z.literal(1, { message: "unsupported version (expected v: 1)" }),
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/, "not a myshopify.com domain"),
  key: z.string().min(1).max(128),
  ua: z.string().max(512).nullish(),
  events: z.array(z.unknown()).min(1, "no events").max(MAX_EVENTS, `more than ${MAX_EVENTS} events`),
});
export type Envelope = z.infer<typeof Envelope>;

export interface Rejection {
  index: number;
  reason: string;
}

export type ParsedBatch =
  | { ok: true; envelope: Envelope; events: { index: number; event: CompactEvent }[]; rejected: Rejection[] }
  | { ok: false; status: 400; error: string };

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") + ": " : ""}${i.message}`)
    .join("; ");
}

/** Parses a request body: the envelope all-or-nothing, the events one by one. */
export function parseBatch(body: string): ParsedBatch {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, error: "body is not valid JSON" };
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return { ok: false, status: 400, error: describe(envelope.error) };
  const events: { index: number; event: CompactEvent }[] = [];
  const rejected: Rejection[] = [];
  envelope.data.events.forEach((raw, index) => {
    const parsed = CompactEvent.safeParse(raw);
    if (parsed.success) events.push({ index, event: parsed.data });
    else rejected.push({ index, reason: describe(parsed.error) });
  });
  return { ok: true, envelope: envelope.data, events, rejected };
}
