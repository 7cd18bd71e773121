/**
 * Request bodies for POST /collect load: realistic compact events (docs/event-schema.md)
 * as the web pixel sends them — one visitor's batch of 20 events, a visitor sending two
 * batches (the second continues the first's session; some end in a checkout). Every
 * request gets a new visitor or batch, unique event ids and current timestamps.
 *
 * Bodies are made from pre-serialized journey templates with value slots, so the load
 * generator (which shares the machine with the server) spends little CPU per request.
 */

// The simulator's seeded PRNG (mulberry32): one implementation for demo data and load.
import { hashString, prng, visitorUuid } from "../../scripts/lib/simulation";
export { prng };
type Rng = ReturnType<typeof prng>;

/** A 32-bit integer hash (murmur3's finalizer), as 8 hex digits: random-looking, deterministic ids. */
export function hex8(n: number): string {
  let h = n >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0).toString(16).padStart(8, "0");
}

export const BATCH_EVENTS = 20;
export const BATCHES_PER_VISITOR = 2;
export const LOAD_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

type SlotKind = "id" | "ts" | "seq" | "cid" | "tok" | "ord";
interface Slot {
  kind: SlotKind;
  /** Event index in the batch (id, ts, seq). */
  k: number;
}
/** One batch body: literal JSON parts with slots between them (parts.length = slots.length + 1). */
interface Template {
  parts: string[];
  slots: Slot[];
  /** ms after the visitor's start, per event of the batch. */
  offsets: number[];
}

const ORIGIN = "https://demo-shop.myshopify.com";
const PRODUCTS = Array.from({ length: 40 }, (_, i) => ({
  handle:
    ["linen-shirt", "canvas-tote", "wool-beanie", "trail-runner", "denim-jacket", "ceramic-mug", "travel-bottle", "field-notebook"][i % 8] +
    (i >= 8 ? `-${i}` : ""),
  productId: 7_400_000_000_000 + i * 17,
  variantId: 42_100_000_000_000 + i * 31,
  price: [24, 38, 19, 129, 89, 16, 29, 12][i % 8] + (i % 3) * 5,
}));
const COLLECTIONS = ["summer", "new-arrivals", "all", "accessories", "sale"];
const REFERRERS = ["https://www.google.com/", "https://www.instagram.com/", "https://l.facebook.com/l.php", "", "", ""];
const UTMS = [
  { source: "newsletter", medium: "email", campaign: "spring_sale" },
  { source: "facebook", medium: "cpc", campaign: "retargeting_q2" },
  { source: "google", medium: "cpc", campaign: "brand" },
];

type Ev = Record<string, unknown>;

/** A visitor's journey: ≥ 2 × 20 events, the second batch maybe ending in a checkout. */
function journey(r: Rng): { events: Ev[]; offsets: number[] } {
  const device = r.pick(["mobile", "mobile", "mobile", "desktop", "desktop", "tablet"] as const);
  const loggedIn = r.chance(0.15);
  const customerId = loggedIn ? `gid://shopify/Customer/${r.int(6_000_000_000_000, 6_999_999_999_999)}` : undefined;
  const events: Ev[] = [];
  const offsets: number[] = [];
  let t = 0;
  let page = "/";
  let referrer = r.pick(REFERRERS);
  const utm = r.chance(0.3) ? r.pick(UTMS) : undefined;
  const push = (name: string, extra: Ev = {}) => {
    t += r.int(1_500, 25_000);
    const url = ORIGIN + page + (events.length === 0 && utm ? `?utm_source=${utm.source}&utm_medium=${utm.medium}&utm_campaign=${utm.campaign}` : "");
    const e: Ev = { id: "", name, ts: "", seq: 0, clientId: "", url, path: page };
    if (referrer) e.referrer = referrer;
    if (events.length === 0 && utm) e.utm = utm;
    e.device = device;
    if (customerId) e.customerId = customerId;
    Object.assign(e, extra);
    events.push(e);
    offsets.push(t);
  };
  const visit = (path: string) => {
    if (events.length > 0) referrer = ORIGIN + page;
    page = path;
    push("page_viewed");
  };
  const scroll = () => {
    for (const percent of [50, 75, 90]) if (r.chance(0.6)) push("mc:scroll_depth", { props: { percent } });
  };
  const cart: { p: (typeof PRODUCTS)[number]; q: number }[] = [];
  visit(r.pick(["/", "/", `/collections/${r.pick(COLLECTIONS)}`]));
  while (events.length < 2 * BATCH_EVENTS + 4) {
    const step = r.next();
    if (step < 0.2) {
      const handle = r.pick(COLLECTIONS);
      visit(`/collections/${handle}`);
      push("collection_viewed", { props: { collection: handle } });
      scroll();
    } else if (step < 0.55) {
      const p = r.pick(PRODUCTS);
      visit(`/products/${p.handle}`);
      push("product_viewed", {
        productId: `gid://shopify/Product/${p.productId}`,
        variantId: `gid://shopify/ProductVariant/${p.variantId}`,
        value: p.price,
        currency: "USD",
      });
      scroll();
      if (r.chance(0.25)) push("mc:video_play", { props: { provider: "shopify", src: `${p.handle}.mp4` } });
      if (r.chance(0.35)) {
        const q = r.int(1, 2);
        cart.push({ p, q });
        push("product_added_to_cart", {
          productId: `gid://shopify/Product/${p.productId}`,
          variantId: `gid://shopify/ProductVariant/${p.variantId}`,
          quantity: q,
          value: p.price * q,
          currency: "USD",
        });
      }
    } else if (step < 0.65) {
      visit("/cart");
      push("cart_viewed", { value: cart.reduce((s, c) => s + c.p.price * c.q, 0), currency: "USD" });
    } else if (step < 0.72) {
      visit("/search");
      push("search_submitted", { props: { query: r.pick(["shirt", "tote bag", "gift", "beanie"]) } });
    } else if (step < 0.8) {
      visit(r.pick(["/pages/faq", "/pages/shipping", "/blogs/news/how-we-make-linen"]));
      scroll();
      if (r.chance(0.3)) push("mc:file_download", { props: { url: `${ORIGIN}/cdn/shop/files/size-guide.pdf`, extension: "pdf" } });
      if (r.chance(0.2)) push("mc:outbound_click", { props: { url: "https://www.instagram.com/demo", host: "www.instagram.com" } });
    } else if (step < 0.88) {
      push("mc:form_start", { props: { formType: "customer", formId: "newsletter" } });
      if (r.chance(0.5)) push("mc:form_submit", { props: { formType: "customer", formId: "newsletter" } });
    } else if (cart.length > 0 && cart.length < 4) {
      const c = cart.pop()!;
      push("product_removed_from_cart", { productId: `gid://shopify/Product/${c.p.productId}`, quantity: c.q, value: c.p.price * c.q, currency: "USD" });
    } else {
      visit("/");
    }
  }
  return { events, offsets };
}

/** The checkout tail: started → contact → address → shipping → payment → completed. */
function checkout(r: Rng, total: number): Ev[] {
  const names = [
    "checkout_started",
    "checkout_contact_info_submitted",
    "checkout_address_info_submitted",
    "checkout_shipping_info_submitted",
    "payment_info_submitted",
    "checkout_completed",
  ];
  const n = r.chance(0.5) ? names.length : r.int(1, names.length - 1);
  return names.slice(0, n).map((name) => {
    const e: Ev = {
      id: "",
      name,
      ts: "",
      seq: 0,
      clientId: "",
      url: `${ORIGIN}/checkouts/cn/information`,
      path: "/checkouts/cn/information",
      checkoutToken: "~~tok~~",
      value: total,
      currency: "USD",
    };
    if (name === "checkout_completed") e.orderId = "~~ord~~";
    return e;
  });
}

const SLOT = /"~~(id|ts|seq|cid|tok|ord)(\d*)~~"/g;

function compile(envelope: Ev, events: Ev[], offsets: number[]): Template {
  const withSlots = events.map((e, k) => ({ ...e, id: `~~id${k}~~`, ts: `~~ts${k}~~`, seq: `~~seq${k}~~`, clientId: "~~cid~~" }));
  const json = JSON.stringify({ ...envelope, events: withSlots });
  const parts: string[] = [];
  const slots: Slot[] = [];
  let last = 0;
  for (const m of json.matchAll(SLOT)) {
    parts.push(json.slice(last, m.index));
    slots.push({ kind: m[1] as SlotKind, k: m[2] === "" ? 0 : Number(m[2]) });
    last = m.index! + m[0].length;
  }
  parts.push(json.slice(last));
  return { parts, slots, offsets };
}

export interface CollectBodies {
  /** A new request body (the next batch of the next visitor). */
  next(): string;
  /** Bodies made so far. */
  readonly made: number;
}

/**
 * Body factory for one shop. `tag` keeps ids unique across runs on one database; the
 * counter is shared by every caller, so several load generators (or servers) can draw
 * from one factory without id collisions.
 */
export function collectBodies(opts: { shop: string; key: string; tag: string; seed?: number; templates?: number; now?: () => number }): CollectBodies {
  const r = prng(opts.seed ?? 20_26);
  const now = opts.now ?? Date.now;
  const envelope = { v: 1, shop: opts.shop, key: opts.key, ua: LOAD_UA, consent: { analytics: true } };
  const journeys: [Template, Template][] = [];
  for (let j = 0; j < (opts.templates ?? 64); j++) {
    const { events, offsets } = journey(r);
    const a = events.slice(0, BATCH_EVENTS);
    let b = events.slice(BATCH_EVENTS, 2 * BATCH_EVENTS);
    let bOffsets = offsets.slice(BATCH_EVENTS, 2 * BATCH_EVENTS);
    if (r.chance(0.2)) {
      // A purchase (or an abandoned checkout) closes the second batch.
      const total = 20 + r.int(0, 200);
      const tail = checkout(r, total);
      b = [...b.slice(0, BATCH_EVENTS - tail.length), ...tail];
      const lastT = bOffsets[BATCH_EVENTS - tail.length - 1];
      bOffsets = [...bOffsets.slice(0, BATCH_EVENTS - tail.length), ...tail.map((_, i) => lastT + (i + 1) * 20_000)];
    }
    journeys.push([compile(envelope, a, offsets.slice(0, BATCH_EVENTS)), compile(envelope, b, bOffsets)]);
  }
  // Digits only: order ids are numeric (the server keeps a gid's trailing number).
  const orderPrefix = String(Date.now());
  let made = 0;
  return {
    get made() {
      return made;
    },
    next() {
      const n = made++;
      const visitor = Math.floor(n / BATCHES_PER_VISITOR);
      const batch = n % BATCHES_PER_VISITOR;
      const t = journeys[(Math.imul(visitor, 0x9e3779b1) >>> 0) % journeys.length][batch];
      // Pixel ids look random (event.id "sh-88153c5a-…", clientId a UUID), so they land all over
      // the indexes rather than at one end; the counter after the random part keeps them unique.
      const v36 = `${hex8(visitor ^ 0x5bd1e995)}-${visitor.toString(36)}`;
      const n36 = `${hex8(n)}-${n.toString(36)}`;
      // Visitors started 25 minutes ago: every timestamp is in the past, none is too old.
      const start = now() - 25 * 60_000;
      let out = t.parts[0];
      for (let i = 0; i < t.slots.length; i++) {
        const s = t.slots[i];
        switch (s.kind) {
          case "id":
            out += `"sh-${n36}-${opts.tag}${s.k}"`;
            break;
          case "ts":
            out += `"${new Date(start + t.offsets[s.k]).toISOString()}"`;
            break;
          case "seq":
            out += String(batch * BATCH_EVENTS + s.k);
            break;
          case "cid":
            out += `"${visitorUuid(hashString(opts.tag), visitor)}"`;
            break;
          case "tok":
            out += `"${opts.tag}t${v36}"`;
            break;
          case "ord":
            out += `"gid://shopify/Order/${orderPrefix}${visitor}"`;
            break;
        }
        out += t.parts[i + 1];
      }
      return out;
    },
  };
}
