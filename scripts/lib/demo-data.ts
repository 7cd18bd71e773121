import type { Db } from "../../db/prisma";
import type { PixelEvent } from "./pixel-runtime";
import { runSimulation } from "./simulate-run";
import { prng, simulateVisitors, type PlantedEffects, type SimulatedVisitor, type SimulationOptions } from "./simulation";
import { sendWebhooks, type WebhookDelivery } from "./webhook-client";

export const DEMO_VISITORS = Number(process.env.DEMO_VISITORS ?? 1500);
export const DEMO_DAYS = 30;
const DEMO_SEED = 2026;

/**
 * What the demo's diagnosis finds (docs/diagnosis.md): mobile visitors from Instagram who
 * put something in the cart read the shipping policy and leave before checkout, and for
 * the last 3 days the cart's checkout button has done nothing on desktop.
 */
export function demoEffects(to: number): PlantedEffects {
  return {
    shippingPolicyExit: { source: "instagram", device: "mobile" },
    brokenDevice: { device: "desktop", from: to - 3 * 86_400_000, step: "checkout" },
  };
}

/** The demo's simulated traffic over the 30 days before `to`, planted effects included. */
export function demoSimulation(opts: { shop: string; to: number; visitors?: number }): SimulationOptions {
  return {
    shop: opts.shop,
    visitors: opts.visitors ?? DEMO_VISITORS,
    from: opts.to - DEMO_DAYS * 86_400_000,
    to: opts.to,
    seed: DEMO_SEED,
    effects: demoEffects(opts.to),
  };
}

/** A REST orders/create payload (only the fields the app reads, plus a few for realism). */
export interface DemoOrderPayload {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  created_at: string;
  total_price: string;
  currency: string;
  source_name: string;
  checkout_token: string | null;
  financial_status: string;
  test: boolean;
}

export interface DemoOrders {
  payloads: DemoOrderPayload[];
  /** Online-store orders by visitors without analytics consent: the pixel never saw them. */
  invisible: number;
  online: number;
  otherChannels: number;
}

/** One orders/create payload as Shopify sends it (REST), for the demo's purchases and other-channel sales. */
export function demoOrderPayload(o: { id: number; number: number; createdAt: number; total: number; source: string; token: string | null }): DemoOrderPayload {
  return {
    id: o.id,
    admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
    name: `#${o.number}`,
    created_at: new Date(o.createdAt).toISOString(),
    total_price: o.total.toFixed(2),
    currency: "USD",
    source_name: o.source,
    checkout_token: o.token,
    financial_status: "paid",
    test: false,
  };
}

type CheckoutData = { checkout?: { token: string; totalPrice?: { amount: number }; currencyCode?: string; order?: { id: string } } };

/**
 * The orders Shopify would send for a simulation: one per simulated purchase, with the
 * order id its checkout_completed carries (numeric part of the gid), created a moment
 * before the thank-you page — including purchases by visitors without analytics consent,
 * whose events the pixel withheld: exactly the orders coverage must show as missed. Plus
 * a few point-of-sale and draft orders, which coverage must exclude. Pure and seeded.
 */
export function demoOrders(visitors: SimulatedVisitor[], opts: { from: number; to: number; seed: number }): DemoOrders {
  const payloads: DemoOrderPayload[] = [];
  const seen = new Set<string>();
  let invisible = 0;
  let number = 1000;
  const order = (id: number, createdAt: number, total: number, source: string, token: string | null) =>
    demoOrderPayload({ id, number: ++number, createdAt, total, source, token });
  for (const v of visitors) {
    for (const e of v.events as PixelEvent[]) {
      if (e.name !== "checkout_completed") continue;
      const checkout = (e.data as CheckoutData | undefined)?.checkout;
      const gid = checkout?.order?.id;
      const id = gid ? /(\d+)$/.exec(gid)?.[1] : undefined;
      // The thank-you page can be reloaded: the repeat carries the same order.
      if (!checkout || !id || seen.has(id)) continue;
      seen.add(id);
      payloads.push(order(Number(id), Date.parse(e.timestamp) - 2_000, checkout.totalPrice?.amount ?? 0, "web", checkout.token));
      if (!v.consent) invisible++;
    }
  }
  const online = payloads.length;
  // Sales outside the online store: about one POS sale every 3 days, a draft order every 6.
  const r = prng(opts.seed + 1);
  const days = Math.max(1, Math.round((opts.to - opts.from) / 86_400_000));
  let otherId = 9_000_000;
  const extra: [string, number][] = [
    ["pos", Math.round(days / 3)],
    ["shopify_draft_order", Math.round(days / 6)],
  ];
  for (const [source, n] of extra) {
    for (let i = 0; i < n; i++) {
      const createdAt = opts.from + r.int(0, days - 1) * 86_400_000 + r.int(9, 18) * 3_600_000 + r.int(0, 3_599_999);
      payloads.push(order(++otherId, Math.min(createdAt, opts.to - 60_000), r.int(20, 180), source, null));
    }
  }
  return { payloads, invisible, online, otherChannels: payloads.length - online };
}

/**
 * Fills the demo shop with 30 days of realistic traffic, sent through the real web
 * pixel into the real /collect endpoint, then the matching orders through signed
 * orders/create webhooks, as Shopify would send them. Skipped when the shop already has
 * events, so restarting the demo keeps its data.
 */
export async function seedDemoData(opts: {
  db: Db;
  shop: { id: number; domain: string; ingestKey: string };
  ingestUrl: string;
  /** The running app (webhooks go to <appUrl>/webhooks/<topic>) and its API secret, which signs them. */
  appUrl: string;
  apiSecret: string;
  /** Simulated visitors (default DEMO_VISITORS). */
  visitors?: number;
}) {
  const existing = await opts.db.event.count({ where: { shopId: opts.shop.id } });
  if (existing > 0) {
    console.log(`        ${existing.toLocaleString("en-US")} events already stored; not seeding again`);
    return;
  }
  const to = Date.now() - 60_000;
  const simulation = demoSimulation({ shop: opts.shop.domain, to, visitors: opts.visitors });
  let shown = -1;
  const result = await runSimulation({
    ...simulation,
    ingestKey: opts.shop.ingestKey,
    ingestUrl: opts.ingestUrl,
    onProgress(done, total) {
      const pct = Math.floor((done / total) * 4) * 25;
      if (pct !== shown) console.log(`        visitors ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} (${pct} %)`);
      shown = pct;
    },
  });
  const stored = await opts.db.event.count({ where: { shopId: opts.shop.id } });
  console.log(
    `        ${result.sent.toLocaleString("en-US")} events sent by the pixel (${result.discardedNoConsent.toLocaleString("en-US")} withheld: no analytics consent), ` +
      `${stored.toLocaleString("en-US")} stored after dedupe`,
  );

  // The same seeded journeys runSimulation drove through the pixel (simulateVisitors is pure).
  const orders = demoOrders(simulateVisitors(simulation), { from: simulation.from, to, seed: DEMO_SEED });
  const deliveries: WebhookDelivery[] = orders.payloads.map((payload) => ({ topic: "orders/create", shop: opts.shop.domain, payload }));
  const statuses = await sendWebhooks({ appUrl: opts.appUrl, secret: opts.apiSecret }, deliveries);
  const failed = statuses.filter((s) => s < 200 || s >= 300).length;
  if (failed > 0)
    throw new Error(`${failed} of ${deliveries.length} orders/create webhooks were not accepted (statuses: ${[...new Set(statuses)].join(", ")})`);
  console.log(
    `        ${orders.payloads.length.toLocaleString("en-US")} orders sent as orders/create webhooks: ${orders.online} from the online store ` +
      `(${orders.invisible} by visitors without consent, unseen by the pixel), ${orders.otherChannels} from POS / draft orders`,
  );
}
