/**
 * Realistic storefront journeys as the web pixel sees them (pure and seeded, so a run
 * can be repeated). Rates are loosely those of a small apparel/home shop: about a third
 * of product viewers add to cart, half of those start checkout, half of those buy.
 * Also produces the quirks the pipeline must survive: repeated checkout_started for one
 * checkout, thank-you page reloads repeating checkout_completed, visitors without
 * analytics consent. On request: planted effects for the diagnosis to find, a world
 * where no group differs, and live traffic ending now.
 */
import type { PixelEvent } from "./pixel-runtime";

export interface SimulationOptions {
  shop: string;
  visitors: number;
  /** Journeys start in [from, to) (epoch ms). */
  from: number;
  to: number;
  seed?: number;
  /**
   * Live traffic: journeys start anywhere in [from, to) (shaped by the hour of day) and
   * end by `to` at the latest, so a range ending now holds sessions ending in its last
   * minutes. Off (the default), journeys start on whole days of the range and stop 3
   * hours before `to`: the historical backfill, unchanged.
   */
  live?: boolean;
  /** Effects planted in the traffic (none by default: the same journeys as without). */
  effects?: PlantedEffects;
  /**
   * A world where no group of visitors differs: device, source and returning visits do
   * not change how likely a session is to buy (each session draws its own intent). What
   * "no effect" means when counting false claims; off by default.
   */
  homogeneous?: boolean;
}

export type DeviceKind = "mobile" | "desktop" | "tablet";

/**
 * Known causes to find again: the diagnosis must name them (docs/diagnosis.md). Each
 * touches only the journeys it names; the rest of a seeded run stays random as before.
 */
export interface PlantedEffects {
  /**
   * A device whose checkout breaks from `from` (epoch ms): its sessions from then on stop
   * at `step` — "purchase" (default): checkout starts but is never completed (the pay
   * button); "checkout": the cart's checkout button does nothing; "add-to-cart": the
   * product page's button does nothing.
   */
  brokenDevice?: { device: DeviceKind; from: number; step?: BrokenStep };
  /**
   * Sessions from this utm_source (optionally only on one device) that put something in
   * the cart read /policies/shipping-policy and leave before checkout, `share` of them
   * (default 0.8).
   */
  shippingPolicyExit?: { source: string; device?: DeviceKind; share?: number };
  /**
   * A product (handle, e.g. "linen-throw", or id) whose price shows ten times too high:
   * its add-to-cart rate falls to `keep` of the usual (default 0.1), and 60 % of those
   * who do not add it leave the shop there.
   */
  priceTypo?: { product: string; keep?: number };
}

export type BrokenStep = "add-to-cart" | "checkout" | "purchase";

export interface SimulatedVisitor {
  clientId: string;
  consent: boolean;
  customerId: string | null;
  events: PixelEvent[];
}

/** Small, fast, seedable PRNG (mulberry32). */
/** murmur3's 32-bit finalizer (a bijection), as 8 hex digits. */
function mix8(n: number): string {
  let h = n >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** FNV-1a: a string as a 32-bit number (to name a visitor id space). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A deterministic visitor id in the shape the Shopify pixel sends as `clientId` (a UUID;
 * ingestion refuses anything else). Distinct for every (space, n) pair.
 */
export function visitorUuid(space: number, n: number): string {
  const a = mix8(space ^ 0x9e3779b9);
  const b = mix8(n);
  const c = mix8(Math.imul(space, 0x27d4eb2f) + n);
  return `${a}-${b.slice(0, 4)}-4${c.slice(0, 3)}-8${c.slice(3, 6)}-${b.slice(4)}${c}`;
}

export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    weighted: <T>(items: readonly (readonly [T, number])[]) => {
      let r = next() * items.reduce((s, [, w]) => s + w, 0);
      for (const [item, w] of items) if ((r -= w) <= 0) return item;
      return items[items.length - 1][0];
    },
  };
}
type Rng = ReturnType<typeof prng>;

const PRODUCTS = [
  { id: 101, handle: "stoneware-mug", title: "Stoneware Mug", price: 24 },
  { id: 102, handle: "linen-throw", title: "Linen Throw", price: 89 },
  { id: 103, handle: "oak-serving-board", title: "Oak Serving Board", price: 45 },
  { id: 104, handle: "wool-beanie", title: "Wool Beanie", price: 32 },
  { id: 105, handle: "ceramic-vase", title: "Ceramic Vase", price: 58 },
  { id: 106, handle: "canvas-tote", title: "Canvas Tote", price: 28 },
];
/** The products the simulator sells, for planting effects and checking them. */
export const SIMULATED_PRODUCTS: readonly { id: number; handle: string; title: string; price: number }[] = PRODUCTS;

interface Source {
  utm: { source: string; medium: string; campaign: string } | null;
  referrer: string;
}
interface DeviceProfile {
  width: number;
  height: number;
  ua: string;
  /** Relative likelihood to buy (desktop converts better than mobile). */
  factor: number;
  /** What the pixel reads this device as. */
  kind: DeviceKind;
}

const SOURCES: [Source, number][] = [
  [{ utm: null, referrer: "" }, 30],
  [{ utm: null, referrer: "https://www.google.com/" }, 28],
  [{ utm: { source: "instagram", medium: "social", campaign: "bf-teaser" }, referrer: "https://l.instagram.com/" }, 18],
  [{ utm: { source: "facebook", medium: "paid", campaign: "retargeting" }, referrer: "https://www.facebook.com/" }, 12],
  [{ utm: { source: "newsletter", medium: "email", campaign: "weekly-picks" }, referrer: "" }, 8],
  [{ utm: null, referrer: "https://www.pinterest.com/" }, 4],
];

const DEVICES: [DeviceProfile, number][] = [
  [
    {
      width: 390,
      height: 844,
      ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
      factor: 0.8,
      kind: "mobile",
    },
    58,
  ],
  [
    {
      width: 1440,
      height: 900,
      ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
      factor: 1.3,
      kind: "desktop",
    },
    36,
  ],
  [
    {
      width: 820,
      height: 1180,
      ua: "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
      factor: 1,
      kind: "tablet",
    },
    6,
  ],
];

const HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 9, 11, 12, 12, 10, 6, 3];

class JourneyBuilder {
  events: PixelEvent[] = [];
  private t: number;
  private referrer: string;
  private search = "";

  constructor(
    private readonly r: Rng,
    private readonly v: { clientId: string; shop: string; device: DeviceProfile },
    start: number,
    /** Continues across a visitor's sessions: event ids are `${clientId}-${seq}`. */
    private seq: number,
    source: Source,
  ) {
    this.t = start;
    this.referrer = source.referrer;
    if (source.utm)
      this.search = "?" + new URLSearchParams({ utm_source: source.utm.source, utm_medium: source.utm.medium, utm_campaign: source.utm.campaign }).toString();
  }

  private wait(minS: number, maxS: number) {
    this.t += this.r.int(minS * 1000, maxS * 1000);
  }

  private context(path: string) {
    const origin = `https://${this.v.shop}`;
    return {
      document: {
        location: {
          href: origin + path + this.search,
          pathname: path,
          search: this.search,
          host: this.v.shop,
          hostname: this.v.shop,
          origin,
          protocol: "https:",
        },
        referrer: this.referrer,
        title: "Demo Shop",
      },
      navigator: { userAgent: this.v.device.ua, language: "en-US" },
      window: { innerWidth: this.v.device.width, innerHeight: this.v.device.height },
    };
  }

  emit(name: string, path: string, payload: { data?: Record<string, unknown>; customData?: Record<string, unknown> } = {}, minS = 4, maxS = 40) {
    this.wait(minS, maxS);
    this.seq++;
    this.events.push({
      id: `sim-${this.v.clientId}-${this.seq}`,
      name,
      type: name.startsWith("mc:") ? "custom" : "standard",
      timestamp: new Date(this.t).toISOString(),
      seq: this.seq,
      clientId: this.v.clientId,
      context: this.context(path),
      ...(payload.customData ? { customData: payload.customData } : { data: payload.data ?? {} }),
    } as PixelEvent);
  }

  page(path: string) {
    this.emit("page_viewed", path, {}, 3, 25);
    // After the landing page, the referrer is the shop itself and the utm query is gone.
    this.referrer = `https://${this.v.shop}${path}`;
    this.search = "";
  }

  scroll(path: string, p50: number) {
    if (!this.r.chance(p50)) return;
    this.emit("mc:scroll_depth", path, { customData: { percent: 50 } }, 5, 30);
    if (!this.r.chance(0.62)) return;
    this.emit("mc:scroll_depth", path, { customData: { percent: 75 } }, 5, 40);
    if (this.r.chance(0.5)) this.emit("mc:scroll_depth", path, { customData: { percent: 90 } }, 5, 40);
  }
}

/** Generates visitors' journeys over the range. */
export function simulateVisitors(opts: SimulationOptions): SimulatedVisitor[] {
  const r = prng(opts.seed ?? 42);
  const days = Math.max(1, Math.round((opts.to - opts.from) / 86_400_000));
  const visitors: SimulatedVisitor[] = [];
  const effects = opts.effects ?? {};
  const typo = effects.priceTypo ? PRODUCTS.find((p) => p.handle === effects.priceTypo!.product || String(p.id) === effects.priceTypo!.product) : undefined;
  if (effects.priceTypo && !typo)
    throw new RangeError(`priceTypo: no simulated product "${effects.priceTypo.product}" (one of ${PRODUCTS.map((p) => p.handle).join(", ")})`);
  let checkoutSeq = 0;
  let orderSeq = 5_000_000;

  for (let i = 0; i < opts.visitors; i++) {
    const clientId = visitorUuid(opts.seed ?? 42, i);
    const device = r.weighted(DEVICES);
    const consent = r.chance(0.9);
    const customerId = r.chance(0.14) ? `gid://shopify/Customer/${700_000 + i}` : null;
    const sessions = r.chance(0.32) ? (r.chance(0.3) ? 3 : 2) : 1;
    const events: PixelEvent[] = [];
    // Sessions of a visitor follow each other within a few days.
    let sessionStart = opts.live
      ? liveStart(r, opts.from, opts.to)
      : opts.from + r.int(0, days - 1) * 86_400_000 + r.weighted(HOUR_WEIGHTS.map((w, h) => [h, w] as const)) * 3_600_000 + r.int(0, 3_599_999);
    let intent = r.next(); // carries over: a returning visitor is closer to buying
    // Stay clear of the end so no event lands in the future (live: sessions are moved back instead).
    for (let s = 0; s < sessions && sessionStart < opts.to - (opts.live ? 0 : 3 * 3_600_000); s++) {
      const source = s === 0 ? r.weighted(SOURCES) : r.chance(0.5) ? SOURCES[0][0] : r.weighted(SOURCES);
      const b = new JourneyBuilder(r, { clientId, shop: opts.shop, device }, sessionStart, events.length, source);
      const sourceFactor = source.utm?.source === "newsletter" ? 1.5 : source.utm?.source === "instagram" ? 0.8 : 1;
      const buyFactor = opts.homogeneous ? 0.6 + r.next() : device.factor * sourceFactor * (0.6 + intent) * (s > 0 ? 1.25 : 1);
      const landing = r.weighted([
        ["home", 34],
        ["product", 30],
        ["collection", 15],
        ["blog", 13],
        ["pricing", 8],
      ] as const);
      const broken =
        effects.brokenDevice && effects.brokenDevice.device === device.kind && sessionStart >= effects.brokenDevice.from
          ? (effects.brokenDevice.step ?? "purchase")
          : null;
      const exit = effects.shippingPolicyExit;
      const plant: SessionPlant = {
        broken,
        policyExit: exit && source.utm?.source === exit.source && (!exit.device || exit.device === device.kind) ? (exit.share ?? 0.8) : 0,
        typo: typo ? { id: typo.id, keep: effects.priceTypo!.keep ?? 0.1 } : null,
      };
      simulateSession(
        r,
        b,
        landing,
        buyFactor,
        () => `c${(++checkoutSeq).toString(36)}-${clientId}`,
        () => ++orderSeq,
        plant,
      );
      if (opts.live) endBy(b.events, opts.to);
      events.push(...b.events);
      intent = Math.min(1, intent + 0.2);
      sessionStart = events[events.length - 1] ? Date.parse(events[events.length - 1].timestamp) + r.int(2, 72) * 3_600_000 : sessionStart;
    }
    visitors.push({ clientId, consent, customerId, events });
  }
  return visitors;
}

/** A start in [from, to) that follows the hours' weights (the shop's day), for live traffic. */
function liveStart(r: Rng, from: number, to: number): number {
  const top = Math.max(...HOUR_WEIGHTS);
  for (;;) {
    const t = from + Math.floor(r.next() * (to - from));
    if (r.next() * top < HOUR_WEIGHTS[new Date(t).getUTCHours()]) return t;
  }
}

/** Moves a session that would run past `to` back so its last event is at `to`. */
function endBy(events: PixelEvent[], to: number): void {
  const last = events.length ? Date.parse(events[events.length - 1].timestamp) : to;
  if (last <= to) return;
  for (const e of events) e.timestamp = new Date(Date.parse(e.timestamp) - (last - to)).toISOString();
}

/** What the planted effects do to one session. */
interface SessionPlant {
  broken: BrokenStep | null;
  /** Chance that a session with a cart reads the shipping policy and leaves. */
  policyExit: number;
  typo: { id: number; keep: number } | null;
}

function simulateSession(r: Rng, b: JourneyBuilder, landing: string, buyFactor: number, newToken: () => string, newOrder: () => number, plant: SessionPlant) {
  if (landing === "blog") {
    const path = r.pick(["/blogs/journal/slow-mornings", "/blogs/journal/care-guide", "/blogs/journal/gift-ideas"]);
    b.page(path);
    b.scroll(path, 0.75);
    if (r.chance(0.14)) {
      b.emit("mc:form_start", path, { customData: { formType: "customer", formId: "newsletter" } }, 5, 60);
      if (r.chance(0.62)) b.emit("mc:form_submit", path, { customData: { formType: "customer", formId: "newsletter" } }, 5, 30);
    }
    if (r.chance(0.04)) b.emit("mc:outbound_click", path, { customData: { url: "https://www.instagram.com/demoshop", host: "instagram.com" } });
    if (!r.chance(0.35)) return;
  }
  if (landing === "pricing") {
    const path = r.pick(["/pages/wholesale-pricing", "/pages/faq"]);
    b.page(path);
    b.scroll(path, 0.5);
    if (r.chance(0.24)) b.emit("mc:file_download", path, { customData: { url: `https://${"cdn.example.com"}/files/wholesale-catalog.pdf`, extension: "pdf" } });
    if (r.chance(0.22)) {
      b.emit("mc:form_start", "/pages/contact", { customData: { formType: "contact", formId: "contact" } }, 10, 60);
      if (r.chance(0.55)) b.emit("mc:form_submit", "/pages/contact", { customData: { formType: "contact", formId: "contact" } }, 20, 90);
    }
    if (!r.chance(0.3)) return;
  }
  if (landing === "home" || landing === "blog" || landing === "pricing") {
    b.page("/");
    if (r.chance(0.3)) return; // bounced
  }
  if (landing !== "product") {
    b.page("/collections/all");
    if (r.chance(0.25)) return;
  }
  let cart: { product: (typeof PRODUCTS)[number]; quantity: number }[] = [];
  const views = r.int(1, 4);
  for (let k = 0; k < views; k++) {
    const product = r.pick(PRODUCTS);
    const path = `/products/${product.handle}`;
    b.page(path);
    const typo = plant.typo?.id === product.id;
    // The typo: the page shows ten times the price, and few add it to the cart.
    const price = typo ? product.price * 10 : product.price;
    const variant = {
      id: `gid://shopify/ProductVariant/${product.id}01`,
      title: "Default",
      price: { amount: price, currencyCode: "USD" },
      product: { id: `gid://shopify/Product/${product.id}`, title: product.title, vendor: "Demo", type: "Home" },
    };
    b.emit("product_viewed", path, { data: { productVariant: variant } }, 1, 3);
    b.scroll(path, 0.55);
    if (r.chance(0.09)) b.emit("mc:video_play", path, { customData: { provider: "html5", src: `/videos/${product.handle}.mp4` } });
    if (r.chance(0.06)) b.emit("mc:wishlist_add", path, { customData: { productId: String(product.id) } });
    if (r.chance(0.03)) b.emit("mc:file_download", path, { customData: { url: "https://cdn.example.com/files/size-guide.pdf", extension: "pdf" } });
    if (r.chance(Math.min(0.9, 0.2 * buyFactor) * (typo ? plant.typo!.keep : 1))) {
      // A broken add-to-cart button: the visitor clicks, nothing happens.
      if (plant.broken === "add-to-cart") continue;
      const quantity = r.chance(0.8) ? 1 : 2;
      cart.push({ product, quantity });
      b.emit(
        "product_added_to_cart",
        path,
        { data: { cartLine: { merchandise: variant, quantity, cost: { totalAmount: { amount: product.price * quantity, currencyCode: "USD" } } } } },
        5,
        60,
      );
    } else if (typo && r.chance(0.6)) {
      // Put off by the price, most leave the shop then and there.
      break;
    }
  }
  if (cart.length === 0) return;
  if (r.chance(0.8)) b.page("/cart");
  if (r.chance(0.06)) {
    cart = cart.slice(1);
    if (cart.length === 0) return;
  }
  if (plant.policyExit > 0 && r.chance(plant.policyExit)) {
    // Reads the shipping policy (the cost shows up there) and leaves.
    b.page("/policies/shipping-policy");
    b.scroll("/policies/shipping-policy", 0.6);
    return;
  }
  if (!r.chance(Math.min(0.95, 0.5 * buyFactor))) return;
  if (plant.broken === "checkout") {
    // The cart's checkout button does nothing: a second click, then the visitor gives up.
    if (r.chance(0.5)) b.page("/cart");
    return;
  }
  const token = newToken();
  const total = cart.reduce((s, l) => s + l.product.price * l.quantity, 0);
  const checkout = (extra: Record<string, unknown> = {}) => ({
    checkout: {
      token,
      currencyCode: "USD",
      totalPrice: { amount: total, currencyCode: "USD" },
      lineItems: cart.map((l) => ({ quantity: l.quantity, title: l.product.title })),
      ...extra,
    },
  });
  const path = "/checkouts/cn/" + token;
  b.emit("checkout_started", path, { data: checkout() }, 3, 20);
  if (r.chance(0.15)) b.emit("checkout_started", path, { data: checkout() }, 2, 10); // the platform repeats it
  if (!r.chance(0.84)) return;
  b.emit("checkout_contact_info_submitted", path, { data: checkout() }, 20, 90);
  if (!r.chance(0.86)) return;
  b.emit("checkout_address_info_submitted", path, { data: checkout() }, 20, 90);
  b.emit("checkout_shipping_info_submitted", path, { data: checkout() }, 5, 40);
  if (!r.chance(0.82)) return;
  b.emit("payment_info_submitted", path, { data: checkout() }, 20, 120);
  if (!r.chance(0.82)) return;
  // The pay button fails: the visitor tries again, then leaves without an order.
  if (plant.broken === "purchase") {
    b.emit("payment_info_submitted", path, { data: checkout() }, 10, 60);
    return;
  }
  const order = checkout({ order: { id: `gid://shopify/Order/${newOrder()}` } });
  b.emit("checkout_completed", "/checkouts/cn/" + token + "/thank-you", { data: order }, 3, 15);
  if (r.chance(0.1)) b.emit("checkout_completed", "/checkouts/cn/" + token + "/thank-you", { data: order }, 20, 200); // thank-you reload
}
