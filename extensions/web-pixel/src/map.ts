// Pixel event -> CompactEvent, exactly as docs/event-schema.md specifies.
//
// Privacy rule: this module reads only whitelisted fields by explicit path. It never
// copies an object wholesale, so names, emails, phones and addresses that Shopify puts
// on checkout/customer objects can never reach the wire. Custom (mc:*) payloads are the
// one place arbitrary data enters; they are flattened, filtered and capped below.

export type Device = "mobile" | "tablet" | "desktop";

export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

export type PropValue = string | number | boolean;

export interface CompactEvent {
  id: string;
  name: string;
  ts: string;
  seq: number;
  clientId: string;
  url?: string;
  path?: string;
  referrer?: string;
  utm?: Utm;
  device?: Device;
  productId?: string;
  variantId?: string;
  quantity?: number;
  value?: number;
  currency?: string;
  checkoutToken?: string;
  orderId?: string;
  customerId?: string;
  props?: Record<string, PropValue>;
}

// The standard events we forward (everything else standard is ignored), shared with the server.
import { CUSTOM_PREFIX, STANDARD_EVENTS } from "../../../core/events";
import { QUERY_PARAM_NAME, cleanUrl as cleanHref, isPersonalKey, keepText, textOk } from "../../../core/privacy";
export { CUSTOM_PREFIX, STANDARD_EVENTS };
const MAX_PROPS = 20;

// Loose view of a pixel event: payloads cross a postMessage boundary and fields may be
// null or missing (e.g. cartLine can be null), so everything is read defensively.
type Obj = Record<string, unknown>;
export interface RawEvent {
  id?: unknown;
  name?: unknown;
  type?: unknown;
  timestamp?: unknown;
  seq?: unknown;
  clientId?: unknown;
  context?: unknown;
  data?: unknown;
  customData?: unknown;
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a nested field by path, tolerating nulls anywhere on the way. */
function at(root: unknown, ...path: string[]): unknown {
  let cur = root;
  for (const key of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** A non-empty string within the text rules (ingestion would reject the event otherwise), capped. */
function str(v: unknown, max: number, freeText = false): string | undefined {
  if (typeof v === "number" && Number.isFinite(v)) v = String(v);
  if (typeof v !== "string" || v === "") return undefined;
  const s = v.slice(0, max);
  return textOk(s, freeText) ? s : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** url and referrer: origin + path + allow-listed query params (utm_*, click ids, and the
 * merchant's `extra` names) with values that do not look personal (core/privacy.ts, shared
 * with ingestion). */
export function cleanUrl(href: unknown, max = 2048, extra?: ReadonlySet<string>): string | undefined {
  const u = cleanHref(href, extra);
  return u === undefined || u.length > max || !textOk(u) ? undefined : u;
}

/** The pixel's `queryParams` setting (comma-separated names) as the set cleanUrl takes:
 * lower case, and only names the Settings page accepts (QUERY_PARAM_NAME, no personal-looking name). */
export const parseQueryParams = (setting: unknown): Set<string> =>
  new Set(
    typeof setting === "string"
      ? setting
          .toLowerCase()
          .split(/[\s,]+/)
          .filter((k) => QUERY_PARAM_NAME.test(k) && !isPersonalKey(k))
      : [],
  );

export function parseUtm(search: unknown): Utm | undefined {
  if (typeof search !== "string" || search === "") return undefined;
  const params = new URLSearchParams(search);
  const utm: Utm = {};
  let any = false;
  for (const key of ["source", "medium", "campaign", "term", "content"] as const) {
    const v = keepText(str(params.get("utm_" + key), 256));
    if (v) {
      utm[key] = v;
      any = true;
    }
  }
  return any ? utm : undefined;
}

/** Width decides first (docs/event-schema.md thresholds); the UA then corrects the two
 * common misreads: tablets in landscape (wide) and phones in landscape (tablet-wide). */
export function deviceOf(width: unknown, ua: unknown): Device | undefined {
  const w = num(width);
  const agent = typeof ua === "string" ? ua : "";
  if (/iPad|Tablet|PlayBook|Silk|Kindle|Android(?!.*Mobile)/i.test(agent)) return "tablet";
  if (/iPhone|iPod|Android.*Mobile|Windows Phone|Mobi/i.test(agent)) return "mobile";
  if (w === undefined || w <= 0) return undefined;
  return w < 768 ? "mobile" : w < 1024 ? "tablet" : "desktop";
}

// Keys or values that look like personal data are dropped from custom props: mc:* events
// can be published by any script on the storefront, not just our theme embed.

/** Flattens customData into ≤ 20 scalar props ("a.b" for nested objects; arrays skipped). */
export function flattenProps(data: unknown): Record<string, PropValue> | undefined {
  const out: Record<string, PropValue> = {};
  let count = 0;
  const walk = (v: unknown, prefix: string, depth: number): void => {
    if (!isObj(v) || depth > 3) return;
    for (const k of Object.keys(v)) {
      if (count >= MAX_PROPS) return;
      const key = (prefix + k).slice(0, 64);
      if (isPersonalKey(k) || !textOk(key)) continue;
      const val = v[k];
      if (typeof val === "boolean" || (typeof val === "number" && Number.isFinite(val))) {
        out[key] = val;
        count++;
      } else if (typeof val === "string") {
        const text = /^https?:\/\//i.test(val) ? (cleanUrl(val, 256) ?? "") : (str(val, 256, true) ?? "");
        if (keepText(text) === undefined) continue;
        out[key] = text;
        count++;
      } else {
        walk(val, key + ".", depth + 1);
      }
    }
  };
  walk(data, "", 0);
  return count ? out : undefined;
}

/** Is this a checkout-funnel event (flushed immediately, carries data.checkout)? */
export const isCheckoutEvent = (name: string): boolean => name.startsWith("checkout_") || name === "payment_info_submitted";

function money(target: CompactEvent, m: unknown): void {
  const value = num(at(m, "amount"));
  const currency = at(m, "currencyCode");
  if (value !== undefined) target.value = value;
  if (typeof currency === "string" && /^[A-Z]{3}$/.test(currency)) target.currency = currency;
}

function variant(target: CompactEvent, v: unknown): void {
  const productId = str(at(v, "product", "id"), 128);
  const variantId = str(at(v, "id"), 128);
  if (productId) target.productId = productId;
  if (variantId) target.variantId = variantId;
}

/**
 * Maps one pixel event to the wire record, or null when it is not one we forward
 * (unknown standard event, custom event without the mc: prefix, missing identity).
 * `keep`: the merchant's extra query parameters for url/referrer (parseQueryParams).
 */
export function mapEvent(e: RawEvent, customerId?: unknown, keep?: ReadonlySet<string>): CompactEvent | null {
  const name = str(e.name, 64);
  const id = str(e.id, 128);
  const ts = str(e.timestamp, 64);
  const clientId = str(e.clientId, 128);
  if (!name || !id || !ts || !clientId) return null;
  const custom = e.type === "custom" || name.startsWith(CUSTOM_PREFIX);
  if (custom ? !name.startsWith(CUSTOM_PREFIX) : !(STANDARD_EVENTS as readonly string[]).includes(name)) {
    return null;
  }
  const seq = num(e.seq);
  const out: CompactEvent = { id, name, ts, seq: seq !== undefined && seq >= 0 ? Math.floor(seq) : 0, clientId };

  const ctx = e.context;
  const loc = at(ctx, "document", "location");
  const url = cleanUrl(at(loc, "href"), 2048, keep);
  const path = keepText(str(at(loc, "pathname"), 1024));
  const referrer = cleanUrl(at(ctx, "document", "referrer"), 2048, keep);
  const utm = parseUtm(at(loc, "search"));
  const device = deviceOf(at(ctx, "window", "innerWidth"), at(ctx, "navigator", "userAgent"));
  if (url) out.url = url;
  if (path) out.path = path;
  if (referrer) out.referrer = referrer;
  if (utm) out.utm = utm;
  if (device) out.device = device;

  const cid = str(customerId, 128);
  if (cid) out.customerId = cid;

  if (custom) {
    const props = flattenProps(e.customData);
    if (props) out.props = props;
    return out;
  }

  const data = e.data;
  if (name === "product_viewed") {
    const v = at(data, "productVariant");
    variant(out, v);
    money(out, at(v, "price"));
  } else if (name === "product_added_to_cart" || name === "product_removed_from_cart") {
    const line = at(data, "cartLine");
    variant(out, at(line, "merchandise"));
    const q = num(at(line, "quantity"));
    if (q !== undefined) out.quantity = Math.trunc(q);
    money(out, at(line, "cost", "totalAmount"));
  } else if (isCheckoutEvent(name)) {
    const checkout = at(data, "checkout");
    const token = str(at(checkout, "token"), 128);
    if (token) out.checkoutToken = token;
    money(out, at(checkout, "totalPrice"));
    if (name === "checkout_completed") {
      const orderId = str(at(checkout, "order", "id"), 128);
      if (orderId) out.orderId = orderId;
    }
  }
  return out;
}
