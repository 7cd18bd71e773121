/**
 * A small synthetic A/B test for the demo shop, sent through the real ingest endpoint
 * (POST /collect, docs/event-schema.md) so the Experiments readout has something to show:
 * visitors land on a product page, see one variant of "pdp-free-shipping-banner"
 * (`mc:experiment_view` {experiment, variant}), and some add to cart, check out and buy
 * — the variant a little more often. About 2 % of visitors see both variants (they are
 * excluded by the readout, which says so).
 *
 * Every purchase gets its order: with `webhookSecret` (the app's API secret) the orders
 * go to the app as signed orders/create webhooks, as Shopify would send them, so coverage
 * matches each experiment purchase to its order. Without it (tests of the readout alone)
 * no orders are sent.
 *
 * Deterministic for a seed: ids are derived from it, so calling this twice stores the
 * events and orders once (the server dedupes by event id and order id). Timestamps spread over the last `days`
 * days before `now`; the server must accept events that old (INGEST_MAX_AGE_HOURS;
 * the demo allows 35 days).
 *
 *   await seedDemoExperiment({ appUrl: "http://localhost:3000", ingestKey, shop: "demo-shop.myshopify.com" });
 */
import { z } from "zod";
import { prng, visitorUuid } from "./simulation";
import type { CompactEvent } from "../../extensions/web-pixel/src/map";
import { demoOrderPayload, type DemoOrderPayload } from "./demo-data";
import { sendWebhooks } from "./webhook-client";

export const DEMO_EXPERIMENT = "pdp-free-shipping-banner";

export interface DemoExperimentOptions {
  /** The running app's origin; events go to `${appUrl}/collect`. */
  appUrl: string;
  ingestKey: string;
  /** The shop's myshopify domain. */
  shop: string;
  /** End of the experiment (epoch ms); default Date.now() − 1 minute. */
  now?: number;
  /** Length of the experiment in days (default 14). */
  days?: number;
  /** Visitors exposed (default 600). */
  visitors?: number;
  seed?: number;
  experiment?: string;
  /** SHOPIFY_API_SECRET of the running app: sends each purchase's order as a signed orders/create webhook. */
  webhookSecret?: string;
}

export interface DemoExperimentResult {
  visitors: number;
  events: number;
  requests: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Orders sent as orders/create webhooks (0 without `webhookSecret`). */
  orders: number;
}

const optionsSchema = z.object({
  appUrl: z.string().url(),
  ingestKey: z.string().min(1),
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "shop must be a myshopify.com domain"),
  now: z.number().int().positive().optional(),
  days: z.number().int().min(1).max(35).default(14),
  visitors: z.number().int().min(10).max(20_000).default(600),
  seed: z.number().int().default(14),
  experiment: z.string().min(1).max(100).default(DEMO_EXPERIMENT),
  webhookSecret: z.string().min(1).optional(),
});

const PRODUCTS = [
  { id: 101, handle: "stoneware-mug", price: 24 },
  { id: 102, handle: "linen-throw", price: 89 },
  { id: 103, handle: "oak-serving-board", price: 45 },
  { id: 105, handle: "ceramic-vase", price: 58 },
];
const DEVICES = [
  {
    device: "mobile",
    ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  },
  { device: "desktop", ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36" },
] as const;

/** Add-to-cart probability per variant: the banner helps a little. */
const ADD_TO_CART = { control: 0.3, "free-shipping-banner": 0.37 } as const;
type Variant = keyof typeof ADD_TO_CART;

// The pixel's own wire record (docs/event-schema.md): the experiment speaks the same format.
type WireEvent = CompactEvent;

/** The experiment's events per visitor (pure, seeded), with the user agent each visitor sends. */
export function demoExperimentJourneys(o: { shop: string; now: number; days: number; visitors: number; seed: number; experiment: string }) {
  const r = prng(o.seed);
  const journeys: { ua: string; events: WireEvent[] }[] = [];
  const span = o.days * 86_400_000 - 3 * 3_600_000;
  for (let i = 0; i < o.visitors; i++) {
    const clientId = visitorUuid(1_000_000 + o.seed, i);
    const dev = r.pick(DEVICES);
    const customerId = r.chance(0.14) ? `gid://shopify/Customer/${900_000 + o.seed * 10_000 + i}` : undefined;
    const variant: Variant = r.chance(0.5) ? "control" : "free-shipping-banner";
    const product = r.pick(PRODUCTS);
    const path = `/products/${product.handle}`;
    let t = o.now - span + Math.floor(r.next() * span);
    let seq = 0;
    const events: WireEvent[] = [];
    const emit = (name: string, extra: Partial<WireEvent> = {}, path2 = path) => {
      t += r.int(2_000, 40_000);
      seq++;
      events.push({
        id: `${clientId}-${seq}`,
        name,
        ts: new Date(t).toISOString(),
        seq,
        clientId,
        url: `https://${o.shop}${path2}`,
        path: path2,
        device: dev.device,
        ...(customerId ? { customerId } : {}),
        ...extra,
      });
    };
    const item = { productId: `gid://shopify/Product/${product.id}`, variantId: `gid://shopify/ProductVariant/${product.id}01` };
    emit("page_viewed");
    emit("mc:experiment_view", { props: { experiment: o.experiment, variant } });
    emit("product_viewed", { ...item, value: product.price, currency: "USD" });
    // A few visitors clear cookies or switch assignment and see the other variant too.
    if (r.chance(0.02))
      emit("mc:experiment_view", { props: { experiment: o.experiment, variant: variant === "control" ? "free-shipping-banner" : "control" } });
    if (r.chance(ADD_TO_CART[variant])) {
      emit("product_added_to_cart", { ...item, quantity: 1, value: product.price, currency: "USD" });
      if (r.chance(0.5)) {
        const checkoutToken = `expck-${o.seed}-${i}`;
        const checkoutPath = `/checkouts/cn/${checkoutToken}`;
        emit("checkout_started", { checkoutToken, value: product.price, currency: "USD" }, checkoutPath);
        if (r.chance(0.55)) {
          const orderId = `gid://shopify/Order/${7_000_000 + o.seed * 10_000 + i}`;
          emit("checkout_completed", { checkoutToken, orderId, value: product.price, currency: "USD" }, `${checkoutPath}/thank-you`);
        }
      }
    }
    journeys.push({ ua: dev.ua, events });
  }
  return journeys;
}

/**
 * The orders Shopify would send for the experiment's purchases: one per checkout_completed,
 * with its order id, created a moment before the thank-you page. Pure.
 */
export function demoExperimentOrders(journeys: { events: WireEvent[] }[]): DemoOrderPayload[] {
  const orders: DemoOrderPayload[] = [];
  for (const j of journeys) {
    for (const e of j.events) {
      if (e.name !== "checkout_completed") continue;
      const id = /(\d+)$/.exec(String(e.orderId))?.[1];
      if (!id) throw new Error(`experiment purchase ${e.id} has no order id`);
      orders.push(
        demoOrderPayload({
          id: Number(id),
          number: 50_000 + orders.length,
          createdAt: Date.parse(e.ts) - 2_000,
          total: Number(e.value ?? 0),
          source: "web",
          token: e.checkoutToken ?? null,
        }),
      );
    }
  }
  return orders;
}

/**
 * Posts the demo experiment's events to a running app. Batches of ≤ 50 events per
 * visitor group (one user agent per batch, for bot flagging), retried on 429/5xx with
 * Retry-After. Throws when the server refuses the shop or key (401/403) or a batch.
 */
export async function seedDemoExperiment(options: DemoExperimentOptions): Promise<DemoExperimentResult> {
  const o = optionsSchema.parse(options);
  const now = o.now ?? Date.now() - 60_000;
  const journeys = demoExperimentJourneys({ shop: o.shop, now, days: o.days, visitors: o.visitors, seed: o.seed, experiment: o.experiment });
  const result: DemoExperimentResult = { visitors: journeys.length, events: 0, requests: 0, accepted: 0, duplicates: 0, rejected: 0, orders: 0 };
  // One batch per user agent group, up to 50 events (journeys are ≤ 8 events).
  const batches: { ua: string; events: WireEvent[] }[] = [];
  for (const j of journeys) {
    result.events += j.events.length;
    const last = batches.find((b) => b.ua === j.ua && b.events.length + j.events.length <= 50);
    if (last) last.events.push(...j.events);
    else batches.push({ ua: j.ua, events: [...j.events] });
  }
  const url = `${o.appUrl.replace(/\/$/, "")}/collect`;
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const body = JSON.stringify({ v: 1, shop: o.shop, key: o.ingestKey, ua: batch.ua, consent: { analytics: true }, events: batch.events });
      for (let attempt = 1; ; attempt++) {
        result.requests++;
        const res = await fetch(url, { method: "POST", headers: { "Content-Type": "text/plain" }, body });
        if (res.status === 202) {
          const ack = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
          result.accepted += ack.accepted;
          result.duplicates += ack.duplicates;
          result.rejected += ack.rejected.length;
          break;
        }
        const retryable = res.status === 429 || res.status >= 500;
        if (!retryable || attempt >= 5) throw new Error(`POST /collect answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
        await res.body?.cancel();
        const after = Number(res.headers.get("Retry-After"));
        await new Promise((r) => setTimeout(r, Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 250 * 2 ** attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  if (o.webhookSecret) {
    const orders = demoExperimentOrders(journeys);
    const statuses = await sendWebhooks(
      { appUrl: o.appUrl, secret: o.webhookSecret },
      orders.map((payload) => ({ topic: "orders/create", shop: o.shop, payload })),
    );
    const failed = statuses.filter((s) => s < 200 || s >= 300).length;
    if (failed > 0)
      throw new Error(`${failed} of ${orders.length} experiment orders/create webhooks were not accepted (statuses: ${[...new Set(statuses)].join(", ")})`);
    result.orders = orders.length;
  }
  return result;
}
