// The text, id and consent rules of POST /collect (docs/event-schema.md "Text rules"),
// hand-written cases: each either passes as sent or rejects its event with a reason.
import { describe, expect, it } from "vitest";
import { parseBatch } from "../../../ingest/schema";
import { toRows } from "../../../ingest/normalize";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const CLIENT = "f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e55";
const envelope = { v: 1, shop: "a-shop.myshopify.com", key: "k", consent: { analytics: true } };
const ev = { id: "sh-0001-0a1b2c3d", name: "page_viewed", ts: new Date(NOW).toISOString(), seq: 0, clientId: CLIENT };

/** The reason the one event is rejected, or null when it is accepted. */
function verdict(event: Record<string, unknown>): string | null {
  const parsed = parseBatch(JSON.stringify({ ...envelope, events: [event] }));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.rejected[0]?.reason ?? null;
}

describe("text rules", () => {
  const fields: [string, (v: string) => Record<string, unknown>][] = [
    ["path", (v) => ({ path: "/a" + v + "b" })],
    ["url", (v) => ({ url: "https://s.test/" + v })],
    ["referrer", (v) => ({ referrer: "https://r.test/" + v })],
    ["utm.source", (v) => ({ utm: { source: "a" + v } })],
    ["props value", (v) => ({ props: { label: "a" + v } })],
    ["props key", (v) => ({ props: { ["k" + v]: 1 } })],
    ["checkoutToken", (v) => ({ checkoutToken: "t" + v })],
    ["clientId", (v) => ({ clientId: CLIENT + v })],
    ["id", (v) => ({ id: "e" + v })],
  ];

  it.each(fields)("%s: NUL, lone surrogates and control characters reject the event", (_, make) => {
    for (const bad of ["\u0000", "\ud800", "\udfff", "\u0007", "\u001b", "\u007f", "\u0085", "\r"]) {
      const reason = verdict({ ...ev, ...make(bad) });
      expect(reason, JSON.stringify(bad)).toMatch(/control character|well-formed|not an id|client id/);
    }
  });

  it("free-text prop values may hold tab and line feed; nothing else may", () => {
    expect(verdict({ ...ev, props: { note: "a\tb\nc" } })).toBeNull();
    expect(verdict({ ...ev, path: "/a\tb" })).toMatch(/path: contains a control character/);
    expect(verdict({ ...ev, props: { "a\tb": 1 } })).toMatch(/control character/);
  });

  it("accepts any well-formed text as sent: emoji, combining marks, bidi marks, BOM", () => {
    for (const ok of ["/💥", "/e\u0301", "/\u202eevil", "/\ufeff", "/日本語"]) expect(verdict({ ...ev, path: ok }), ok).toBeNull();
  });

  it("over-long values reject the event instead of being cut", () => {
    expect(verdict({ ...ev, path: "/" + "a".repeat(1024) })).toMatch(/path: longer than 1024/);
    expect(verdict({ ...ev, url: "https://s.test/" + "a".repeat(2048) })).toMatch(/url: longer than 2048/);
    expect(verdict({ ...ev, props: { a: "v".repeat(257) } })).toMatch(/longer than 256/);
  });

  it("the envelope's strings follow the same rules: the whole batch is refused", () => {
    for (const extra of [{ ua: "Mozilla\u0000" }, { ua: "M\ud800" }, { key: "k\u0000" }]) {
      const parsed = parseBatch(JSON.stringify({ ...envelope, ...extra, events: [ev] }));
      expect(parsed.ok, JSON.stringify(extra)).toBe(false);
    }
  });
});

describe("ids", () => {
  it.each([
    ["productId", "Product"],
    ["variantId", "ProductVariant"],
    ["orderId", "Order"],
    ["customerId", "Customer"],
  ])("%s: digits or gid://shopify/%s/<digits>, stored as the number", (field, type) => {
    expect(verdict({ ...ev, [field]: "123" })).toBeNull();
    expect(verdict({ ...ev, [field]: `gid://shopify/${type}/123` })).toBeNull();
    for (const bad of [`gid://shopify/${type}/n20-5`, "n20-5", `gid://shopify/Shop/123`, "0123", "12 3", "jane@example.com", "", `gid://shopify/${type}/`]) {
      expect(verdict({ ...ev, [field]: bad }), bad).toContain(`${field}: not a Shopify ${type} id`);
    }
    const parsed = parseBatch(JSON.stringify({ ...envelope, events: [{ ...ev, [field]: `gid://shopify/${type}/5` }] }));
    if (!parsed.ok) throw new Error(parsed.error);
    const [row] = toRows(parsed.events, { shopId: 1, receivedAt: NOW, isBot: false, maxAgeMs: 3_600_000 }, []);
    expect(row[field as "orderId"]).toBe("5");
  });

  it("two different ids never become one: n20-5 is refused, not read as order 5", () => {
    expect(verdict({ ...ev, name: "checkout_completed", orderId: "gid://shopify/Order/n20-5" })).toContain("orderId");
  });

  it("clientId: the pixel's UUID, any case, as sent", () => {
    expect(verdict({ ...ev, clientId: CLIENT.toUpperCase() })).toBeNull();
    for (const bad of ["visitor-1", "jane@example.com", "+15550134567", "z\ud800", CLIENT + " "]) {
      expect(verdict({ ...ev, clientId: bad }), bad).toMatch(/clientId/);
    }
  });

  it("event ids and checkout tokens are opaque tokens", () => {
    expect(verdict({ ...ev, id: "sh-88153c5a-8A1F~retry.1:x_y" })).toBeNull();
    expect(verdict({ ...ev, checkoutToken: "Z2NwLXVzLWVhc3QxOjAx" })).toBeNull();
    for (const bad of ["jane@example.com", "a b", "+1555", "-x"]) expect(verdict({ ...ev, checkoutToken: bad }), bad).toContain("checkoutToken: not an id");
  });
});

describe("consent", () => {
  it("is required, with a message naming it", () => {
    const { consent: _, ...old } = envelope;
    const parsed = parseBatch(JSON.stringify({ ...old, events: [ev] }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/^consent: missing/);
    const wrong = parseBatch(JSON.stringify({ ...envelope, consent: { analytics: "yes" }, events: [ev] }));
    expect(wrong.ok).toBe(false);
  });

  it("carries the pixel's flags", () => {
    const parsed = parseBatch(JSON.stringify({ ...envelope, consent: { analytics: false, marketing: false }, events: [ev] }));
    expect(parsed.ok && parsed.envelope.consent).toEqual({ analytics: false, marketing: false });
  });
});
