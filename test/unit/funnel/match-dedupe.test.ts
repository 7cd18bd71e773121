import { describe, it, expect } from "vitest";
import { compileStepMask, dedupeEvents, matchesFilter, matchesStep } from "../../../core/funnel";
import { ev, step, T0 } from "./fixtures";

describe("step matching", () => {
  const page = ev({ name: "page_viewed", ts: T0, path: "/products/red-shoe", productId: "p1", props: { percent: 75, ok: true, empty: null } });

  it("path equals / startsWith / contains", () => {
    expect(matchesFilter(page, { field: "path", op: "equals", value: "/products/red-shoe" })).toBe(true);
    expect(matchesFilter(page, { field: "path", op: "equals", value: "/products" })).toBe(false);
    expect(matchesFilter(page, { field: "path", op: "startsWith", value: "/products/" })).toBe(true);
    expect(matchesFilter(page, { field: "path", op: "startsWith", value: "/collections/" })).toBe(false);
    expect(matchesFilter(page, { field: "path", op: "contains", value: "red" })).toBe(true);
    expect(matchesFilter(page, { field: "path", op: "contains", value: "blue" })).toBe(false);
    expect(matchesFilter(page, { field: "path", op: "equals", value: "/PRODUCTS/red-shoe" })).toBe(false); // case-sensitive
  });

  it('a null path never matches, not even contains ""', () => {
    const noPath = ev({ name: "page_viewed", ts: T0 });
    expect(matchesFilter(noPath, { field: "path", op: "contains", value: "" })).toBe(false);
  });

  it("productId equals", () => {
    expect(matchesFilter(page, { field: "productId", op: "equals", value: "p1" })).toBe(true);
    expect(matchesFilter(page, { field: "productId", op: "equals", value: "p2" })).toBe(false);
    expect(matchesFilter(ev({ name: "x", ts: T0 }), { field: "productId", op: "equals", value: "null" })).toBe(false);
  });

  it("prop equals compares String(value); a missing key never matches", () => {
    expect(matchesFilter(page, { field: "prop", key: "percent", op: "equals", value: "75" })).toBe(true);
    expect(matchesFilter(page, { field: "prop", key: "percent", op: "equals", value: "70" })).toBe(false);
    expect(matchesFilter(page, { field: "prop", key: "ok", op: "equals", value: "true" })).toBe(true);
    expect(matchesFilter(page, { field: "prop", key: "empty", op: "equals", value: "null" })).toBe(true);
    expect(matchesFilter(page, { field: "prop", key: "missing", op: "equals", value: "undefined" })).toBe(false);
    expect(matchesFilter(page, { field: "prop", key: "constructor", op: "equals", value: String({}.constructor) })).toBe(false);
  });

  it("filters are AND'ed and alternatives OR'ed", () => {
    const both = step("page_viewed", [
      { field: "path", op: "startsWith", value: "/products/" },
      { field: "productId", op: "equals", value: "p2" },
    ]);
    expect(matchesStep(page, both)).toBe(false);
    const either = {
      label: "cart or wishlist",
      anyOf: [
        { event: "product_added_to_cart", filters: [] },
        { event: "mc:wishlist_add", filters: [] },
      ],
    };
    expect(matchesStep(ev({ name: "mc:wishlist_add", ts: T0 }), either)).toBe(true);
    expect(matchesStep(ev({ name: "product_added_to_cart", ts: T0 }), either)).toBe(true);
    expect(matchesStep(page, either)).toBe(false);
  });

  it("compiles a bitmask of every step an event matches", () => {
    const mask = compileStepMask([step("page_viewed"), step("x"), step("page_viewed", [{ field: "productId", op: "equals", value: "p1" }])]);
    expect(mask(page)).toBe(0b101);
    expect(mask(ev({ name: "nothing", ts: T0 }))).toBe(0);
  });
});

describe("dedupe", () => {
  it("keeps one event per id", () => {
    const a = ev({ name: "a", ts: T0 });
    expect(dedupeEvents([a, { ...a }, { ...a }])).toHaveLength(1);
  });

  it("keeps the earliest checkout_started per checkout token", () => {
    const late = ev({ name: "checkout_started", ts: T0 + 1000, checkoutToken: "tok" });
    const early = ev({ name: "checkout_started", ts: T0, checkoutToken: "tok" });
    const other = ev({ name: "checkout_started", ts: T0, checkoutToken: "tok2" });
    const noToken = [ev({ name: "checkout_started", ts: T0 }), ev({ name: "checkout_started", ts: T0 })];
    const kept = dedupeEvents([late, early, other, ...noToken]);
    expect(kept.map((e) => e.id).sort()).toEqual([early.id, other.id, ...noToken.map((e) => e.id)].sort());
  });

  it("keeps the earliest checkout_completed per order id, by (ts, seq)", () => {
    const second = ev({ name: "checkout_completed", ts: T0, seq: 9, orderId: "o1" });
    const first = ev({ name: "checkout_completed", ts: T0, seq: 3, orderId: "o1" });
    expect(dedupeEvents([second, first]).map((e) => e.id)).toEqual([first.id]);
  });

  it("does not merge a token across different event names", () => {
    const started = ev({ name: "checkout_started", ts: T0, checkoutToken: "tok" });
    const completed = ev({ name: "checkout_completed", ts: T0 + 1, checkoutToken: "tok", orderId: "o1" });
    expect(dedupeEvents([started, completed])).toHaveLength(2);
  });
});
