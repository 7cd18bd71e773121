import { describe, expect, it } from "vitest";
import { parseOrderPayload } from "../../app/services/trust/order-payload";
import { parseTrustRange } from "../../app/services/trust/range";
import { RequestError } from "../../app/services/request-error";

/** A trimmed REST orders/create payload, personal fields included: none may come out. */
const rest = (over: Record<string, unknown> = {}) => ({
  id: 5_123_456_789_012,
  admin_graphql_api_id: "gid://shopify/Order/5123456789012",
  created_at: "2026-11-20T10:15:00-05:00",
  total_price: "199.00",
  currency: "USD",
  source_name: "web",
  checkout_token: "c1a2b3",
  email: "jane@example.com",
  customer: { id: 1, first_name: "Jane", email: "jane@example.com" },
  shipping_address: { address1: "12 Elm St" },
  line_items: [{ title: "Mug", quantity: 1 }],
  ...over,
});

describe("parseOrderPayload", () => {
  it("keeps only the reconciliation fields", () => {
    const r = parseOrderPayload(rest());
    expect(r).toEqual({
      ok: true,
      order: {
        orderId: "5123456789012",
        createdAt: Date.parse("2026-11-20T15:15:00Z"),
        totalPrice: 199,
        currency: "USD",
        onlineStore: true,
        checkoutToken: "c1a2b3",
      },
    });
  });

  it('online store means source_name "web" only', () => {
    for (const source of ["pos", "shopify_draft_order", "iphone", "580111", null, undefined]) {
      const r = parseOrderPayload(rest({ source_name: source }));
      expect(r.ok && r.order.onlineStore, String(source)).toBe(false);
    }
  });

  it("accepts a numeric-string id, a number price and a missing checkout token", () => {
    const r = parseOrderPayload(rest({ id: "42", total_price: 12.5, checkout_token: null }));
    expect(r).toMatchObject({ ok: true, order: { orderId: "42", totalPrice: 12.5, checkoutToken: null } });
  });

  it("refuses what it cannot read, saying which field", () => {
    const bad = (over: Record<string, unknown>) => {
      const r = parseOrderPayload(rest(over));
      if (r.ok) throw new Error("accepted");
      return r.error;
    };
    expect(bad({ id: undefined })).toMatch(/^invalid orders\/create payload: id:/);
    expect(bad({ id: "gid://shopify/Order/1" })).toContain("id:");
    expect(bad({ total_price: "abc" })).toContain("total_price: must be a decimal amount");
    expect(bad({ created_at: "yesterday" })).toContain("created_at: must be an ISO 8601 date");
    expect(bad({ currency: "dollars" })).toContain("currency: must be a 3-letter currency code");
    expect(parseOrderPayload("not an object")).toMatchObject({ ok: false });
    expect(parseOrderPayload(null)).toMatchObject({ ok: false });
  });
});

describe("parseTrustRange", () => {
  const now = Date.parse("2026-11-20T15:30:00Z");
  const q = (s: string) => parseTrustRange(new URLSearchParams(s), "America/New_York", now);

  it("defaults to the last 30 local days and ignores embedded-admin keys", () => {
    const r = q("shop=x.myshopify.com&host=abc&id_token=t");
    expect(r).toMatchObject({ preset: "last30", days: 30, toDate: "2026-11-20", fromDate: "2026-10-22", query: "range=last30" });
  });

  it("reads presets and custom ranges (from/to alone mean custom)", () => {
    expect(q("range=last7")).toMatchObject({ days: 7, query: "range=last7" });
    expect(q("from=2026-11-01&to=2026-11-03")).toMatchObject({ preset: "custom", days: 3, query: "range=custom&from=2026-11-01&to=2026-11-03" });
    expect(q("range=&from=&to=").preset).toBe("last30");
  });

  it("answers mistakes with a 400 and a message", () => {
    const err = (s: string) => {
      try {
        q(s);
      } catch (e) {
        expect(e).toBeInstanceOf(RequestError);
        return (e as RequestError).message;
      }
      throw new Error("accepted");
    };
    expect(err("range=forever")).toContain("range must be one of");
    expect(err("range=custom&from=2026-11-05&to=2026-11-01")).toContain("must be on or before");
    expect(err("range=custom&from=2026-02-30&to=2026-03-01")).toContain("not a calendar date");
    expect(err("from=11/01/2026")).toContain("from: expected a date");
  });
});
