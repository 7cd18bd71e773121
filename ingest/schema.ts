/**
 * The wire format of POST /collect (docs/event-schema.md), validated with zod. The
 * envelope must be valid for anything to be stored; events are validated one by one
 * so one bad event does not cost the rest of its batch.
 */
import { z } from "zod";
import { STANDARD_EVENTS } from "../core/events";
import { CLIENT_ID, CONTROL, CONTROL_BUT_TAB_LF, wellFormed } from "../core/privacy";
import { shopifyNumericId, type ShopifyIdType } from "./normalize";

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_EVENTS = 50;

// Standard pixel events we accept (the pixel's list); custom ones must carry our `mc:` prefix.
export { STANDARD_EVENTS };
const STANDARD = new Set<string>(STANDARD_EVENTS);

/**
 * Text rules (docs/event-schema.md "Text rules"): every string is well-formed Unicode (no
 * lone surrogates, which databases silently turn into U+FFFD) and holds no control
 * characters (C0, DEL, C1; a NUL cuts SQLite strings short and fails PostgreSQL inserts).
 * Free-text prop values may hold tab and line feed. A string that breaks a rule rejects
 * its event; nothing is cut or replaced.
 */
export const text = (max: number, control: RegExp = CONTROL) =>
  z
    .string()
    .max(max, `longer than ${max} characters`)
    .refine(wellFormed, "not well-formed Unicode (lone surrogate)")
    .refine((s) => !control.test(s), "contains a control character");
const optionalText = (max: number) => text(max).nullish();

/** Opaque ids (event id, checkout token): letters, digits and - _ . : ~ only. */
const token = (max: number) => text(max).regex(/^[A-Za-z0-9][A-Za-z0-9_.:~-]*$/, "not an id (letters, digits and - _ . : ~ only)");

const shopifyId = (type: ShopifyIdType) =>
  text(128)
    .refine((s) => shopifyNumericId(s, type) !== null, `not a Shopify ${type} id (digits or gid://shopify/${type}/<digits>)`)
    .nullish();

export const EventName = z
  .string()
  .max(64, "longer than 64 characters")
  .refine((n) => STANDARD.has(n) || /^mc:[a-z0-9_]{1,60}$/.test(n), "unknown event name (standard pixel event or mc:<snake_case>)");

const PropValue = z.union([text(256, CONTROL_BUT_TAB_LF), z.number().finite(), z.boolean(), z.null()]);

export const CompactEvent = z.object({
  id: token(128),
  name: EventName,
  ts: text(40).refine((s) => !Number.isNaN(Date.parse(s)), "not an ISO 8601 date"),
  seq: z.number().int().min(0).max(1e9),
  clientId: text(128).regex(CLIENT_ID, "not a Shopify pixel client id (a UUID)"),
  url: optionalText(2048),
  path: optionalText(1024),
  referrer: optionalText(2048),
  utm: z
    .object({ source: optionalText(256), medium: optionalText(256), campaign: optionalText(256), term: optionalText(256), content: optionalText(256) })
    .strict()
    .nullish(),
  device: z.enum(["mobile", "tablet", "desktop"]).nullish(),
  productId: shopifyId("Product"),
  variantId: shopifyId("ProductVariant"),
  quantity: z.number().int().min(0).max(100_000).nullish(),
  value: z.number().finite().min(-1e9).max(1e9).nullish(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "not a 3-letter currency code")
    .nullish(),
  checkoutToken: token(128).nullish(),
  orderId: shopifyId("Order"),
  customerId: shopifyId("Customer"),
  props: z
    .record(text(64), PropValue)
    .refine((p) => Object.keys(p).length <= 20, "more than 20 properties")
    .nullish(),
});
export type CompactEvent = z.infer<typeof CompactEvent>;

/**
 * The visitor's consent as the pixel read it (Shopify customerPrivacy). Required: a
 * sender that does not state it gets 400, since storing without knowing is not allowed.
 */
export const Consent = z
  .object(
    {
      analytics: z.boolean({ error: "must be true or false" }),
      marketing: z.boolean().optional(),
      preferences: z.boolean().optional(),
      saleOfData: z.boolean().optional(),
    },
    {
      error: (issue) =>
        issue.input === undefined ? "missing: the visitor's consent state ({ analytics: boolean }) is required; update the pixel" : "not an object",
    },
  )
  .strict();

export const Envelope = z.object({
  v: z.literal(1, { message: "unsupported version (expected v: 1)" }),
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/, "not a myshopify.com domain"),
  key: text(128).min(1, "empty"),
  ua: text(512).nullish(),
  consent: Consent,
  events: z.array(z.unknown()).min(1, "no events").max(MAX_EVENTS, `more than ${MAX_EVENTS} events`),
});
export type Envelope = z.infer<typeof Envelope>;

export interface Rejection {
  index: number;
  reason: string;
}

export type ParsedBatch =
  { ok: true; envelope: Envelope; events: { index: number; event: CompactEvent }[]; rejected: Rejection[] } | { ok: false; status: 400; error: string };

/** A property name as it may appear in a reason: not echoed when it breaks the text rules. */
const pathPart = (p: PropertyKey) => (typeof p === "string" && (!wellFormed(p) || CONTROL.test(p)) ? "(invalid name)" : String(p));

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      // A bad record key: say what is wrong with it, under its record's path.
      if (i.code === "invalid_key") return `${i.path.slice(0, -1).map(pathPart).join(".")}: property name ${i.issues[0]?.message ?? "invalid"}`;
      return `${i.path.length ? i.path.map(pathPart).join(".") + ": " : ""}${i.message}`;
    })
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
