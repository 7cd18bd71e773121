import { describe, expect, it } from "vitest";
import { demoOrders } from "../../scripts/lib/demo-data";
import { simulateVisitors } from "../../scripts/lib/simulation";
import { parseOrderPayload } from "../../app/services/trust/order-payload";
import { DEMO_EXPERIMENT, demoExperimentJourneys, demoExperimentOrders } from "../../scripts/lib/demo-experiment";

describe("demo orders for the simulator's purchases", () => {
  const opts = { shop: "demo-shop.myshopify.com", visitors: 600, from: Date.parse("2026-10-01T00:00:00Z"), to: Date.parse("2026-10-31T00:00:00Z"), seed: 2026 };
  const visitors = simulateVisitors(opts);
  const orders = demoOrders(visitors, { from: opts.from, to: opts.to, seed: opts.seed });

  it("sends one online-store order per simulated purchase, with the order id its checkout_completed carries", () => {
    const purchases = new Map<string, boolean>();
    for (const v of visitors) {
      for (const e of v.events) {
        if (e.name !== "checkout_completed") continue;
        const id = /(\d+)$/.exec((e.data as any).checkout.order.id)![1];
        purchases.set(id, v.consent);
      }
    }
    const online = orders.payloads.filter((p) => p.source_name === "web");
    expect(online.map((p) => String(p.id)).sort()).toEqual([...purchases.keys()].sort());
    expect(orders.online).toBe(purchases.size);
    // The ones the pixel never sends: purchases by visitors without analytics consent.
    expect(orders.invisible).toBe([...purchases.values()].filter((consent) => !consent).length);
    expect(orders.invisible).toBeGreaterThan(0);
    expect(orders.invisible).toBeLessThan(orders.online);
  });

  it("adds a few POS and draft orders, all within the range, all valid orders/create payloads", () => {
    expect(orders.payloads.filter((p) => p.source_name === "pos")).toHaveLength(10);
    expect(orders.payloads.filter((p) => p.source_name === "shopify_draft_order")).toHaveLength(5);
    expect(orders.otherChannels).toBe(15);
    for (const p of orders.payloads) {
      const parsed = parseOrderPayload(p);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) {
        expect(parsed.order.createdAt).toBeGreaterThanOrEqual(opts.from - 60_000);
        expect(parsed.order.createdAt).toBeLessThan(opts.to);
      }
    }
    expect(new Set(orders.payloads.map((p) => p.id)).size).toBe(orders.payloads.length);
  });

  it("is deterministic", () => {
    expect(demoOrders(simulateVisitors(opts), { from: opts.from, to: opts.to, seed: opts.seed })).toEqual(orders);
  });
});

describe("demo orders for the A/B test's purchases", () => {
  const journeys = demoExperimentJourneys({
    shop: "demo-shop.myshopify.com",
    now: Date.parse("2026-10-31T00:00:00Z"),
    days: 14,
    visitors: 600,
    seed: 14,
    experiment: DEMO_EXPERIMENT,
  });
  const orders = demoExperimentOrders(journeys);

  it("gives every experiment purchase its online-store order, with the same order id and checkout token, just before it", () => {
    const purchases = journeys.flatMap((j) => j.events.filter((e) => e.name === "checkout_completed"));
    expect(purchases.length).toBeGreaterThan(20);
    expect(orders).toHaveLength(purchases.length);
    for (const [i, e] of purchases.entries()) {
      const parsed = parseOrderPayload(orders[i]);
      if (!parsed.ok) throw new Error(parsed.error);
      expect(`gid://shopify/Order/${parsed.order.orderId}`).toBe(e.orderId);
      expect(parsed.order).toMatchObject({ onlineStore: true, checkoutToken: e.checkoutToken, totalPrice: e.value, createdAt: Date.parse(e.ts) - 2_000 });
    }
  });

  it("never reuses an order id of the simulated traffic or of the other channels", () => {
    const sim = demoOrders(
      simulateVisitors({
        shop: "demo-shop.myshopify.com",
        visitors: 1500,
        from: Date.parse("2026-10-01T00:00:00Z"),
        to: Date.parse("2026-10-31T00:00:00Z"),
        seed: 2026,
      }),
      {
        from: Date.parse("2026-10-01T00:00:00Z"),
        to: Date.parse("2026-10-31T00:00:00Z"),
        seed: 2026,
      },
    );
    const ids = [...sim.payloads, ...orders].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("demo webhook signing", () => {
  it("is HMAC-SHA256 of the raw body, base64 (known-answer vector)", async () => {
    const { signWebhookBody } = await import("../../scripts/lib/webhook-client");
    // RFC 4231-style public vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
    expect(signWebhookBody("The quick brown fox jumps over the lazy dog", "key")).toBe("97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=");
  });
});
