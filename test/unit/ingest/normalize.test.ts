import { describe, expect, it } from "vitest";
import { dedupeKeyOf, resolveTimestamp, shopifyNumericId, toRows } from "../../../ingest/normalize";
import { parseBatch } from "../../../ingest/schema";
import { RateLimiter } from "../../../ingest/rate-limit";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const H = 3_600_000;

describe("clock rule", () => {
  it("clamps up to 10 minutes ahead, rejects beyond, rejects older than the max age", () => {
    expect(resolveTimestamp(new Date(NOW - 1000).toISOString(), NOW, 72 * H)).toEqual({ ts: NOW - 1000 });
    expect(resolveTimestamp(new Date(NOW + 9 * 60_000).toISOString(), NOW, 72 * H)).toEqual({ ts: NOW });
    expect(resolveTimestamp(new Date(NOW + 10 * 60_000).toISOString(), NOW, 72 * H)).toEqual({ ts: NOW });
    expect(resolveTimestamp(new Date(NOW + 10 * 60_000 + 1).toISOString(), NOW, 72 * H)).toEqual({ reason: "ts: more than 10 minutes in the future" });
    expect(resolveTimestamp(new Date(NOW - 72 * H).toISOString(), NOW, 72 * H)).toEqual({ ts: NOW - 72 * H });
    expect(resolveTimestamp(new Date(NOW - 72 * H - 1).toISOString(), NOW, 72 * H)).toEqual({ reason: "ts: older than 72 hours" });
  });
});

describe("ids and dedupe keys", () => {
  it("keeps the number of the two forms Shopify sends, and nothing else", () => {
    expect(shopifyNumericId("gid://shopify/Customer/123", "Customer")).toBe("123");
    expect(shopifyNumericId("456", "Customer")).toBe("456");
    expect(shopifyNumericId(null, "Customer")).toBeNull();
    expect(shopifyNumericId("gid://shopify/Order/5", "Order")).toBe("5");
    expect(shopifyNumericId("gid://shopify/ProductVariant/44100000001", "ProductVariant")).toBe("44100000001");
    // Cut to trailing digits these used to become "5": another order's id.
    for (const bad of [
      "gid://shopify/Order/n20-5",
      "n20-5",
      "order 5",
      "gid://shopify/Order/5/",
      "gid://shopify/Order/05",
      "05",
      "gid://shopify/Customer/5",
      "gid://shopify/order/5",
      "abc",
      "5 ",
      "jane@example.com",
      "+15550134567",
    ]) {
      expect(shopifyNumericId(bad, "Order"), bad).toBeNull();
    }
    expect(shopifyNumericId("gid://shopify/Product/1", "ProductVariant")).toBeNull();
  });
  it("collapses repeated checkouts by token and purchases by order id, nothing else", () => {
    expect(dedupeKeyOf({ name: "checkout_started", checkoutToken: "t1", orderId: null })).toBe("checkout:t1");
    expect(dedupeKeyOf({ name: "checkout_completed", checkoutToken: "t1", orderId: "9" })).toBe("order:9");
    expect(dedupeKeyOf({ name: "payment_info_submitted", checkoutToken: "t1", orderId: null })).toBeNull();
    expect(dedupeKeyOf({ name: "checkout_started", checkoutToken: null, orderId: null })).toBeNull();
  });
});

describe("batch parsing", () => {
  const envelope = { v: 1, shop: "a-shop.myshopify.com", key: "k", consent: { analytics: true } };
  const ev = { id: "1", name: "page_viewed", ts: new Date(NOW).toISOString(), seq: 0, clientId: "f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e55" };

  it("rejects bad events one by one and keeps the rest, with reasons", () => {
    const parsed = parseBatch(
      JSON.stringify({
        ...envelope,
        events: [ev, { ...ev, name: "mc:Bad Name" }, { ...ev, props: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }, "str"],
      }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.events.map((e) => e.index)).toEqual([0]);
    expect(parsed.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(parsed.rejected[1].reason).toContain("more than 20 properties");
  });

  it("refuses the whole batch when the envelope is wrong", () => {
    expect(parseBatch("{")).toEqual({ ok: false, status: 400, error: "body is not valid JSON" });
    const bad = parseBatch(JSON.stringify({ ...envelope, shop: "x.example.com", events: [ev] }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain("shop: not a myshopify.com domain");
  });

  it("turns clock-rule failures into rejections in index order", () => {
    const parsed = parseBatch(JSON.stringify({ ...envelope, events: [{ ...ev, ts: new Date(NOW + 2 * H).toISOString() }, ev] }));
    if (!parsed.ok) throw new Error("expected ok");
    const rows = toRows(parsed.events, { shopId: 1, receivedAt: NOW, isBot: false, maxAgeMs: 72 * H }, parsed.rejected);
    expect(rows).toHaveLength(1);
    expect(parsed.rejected).toEqual([{ index: 0, reason: "ts: more than 10 minutes in the future" }]);
  });
});

describe("rate limiter", () => {
  it("allows the burst, then refills at the rate", () => {
    const rl = new RateLimiter(2, 3);
    expect([1, 2, 3].map(() => rl.take("ip", NOW).ok)).toEqual([true, true, true]);
    expect(rl.take("ip", NOW)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(rl.take("ip", NOW + 500).ok).toBe(true);
    expect(rl.take("other", NOW).ok).toBe(true);
  });

  it("does not take tokens away when an earlier timestamp arrives after a later one", () => {
    const rl = new RateLimiter(1_000_000, 1_000_000);
    expect(rl.take("shop", NOW + 5).ok).toBe(true);
    expect(rl.take("shop", NOW).ok).toBe(true);
    for (let i = 0; i < 100; i++) expect(rl.take("shop", NOW + (i % 3)).ok).toBe(true);
  });
});
