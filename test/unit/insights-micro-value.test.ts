import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { computeMicroValue, goalByKey, MICRO_CATALOG, microByKey, microsFor, sortRows, type InsightMetric } from "../../core/insights";
import type { CoreEvent } from "../../core/types";
import { DAY, ev, T0 } from "./funnel/fixtures";

const purchase = goalByKey("purchase")!;
const cart = microByKey("add_to_cart")!;
const range = { from: T0, to: T0 + 10 * DAY };

/** n visitors doing the given event names at consecutive minutes from `start`. */
function crowd(prefix: string, n: number, names: string[], start = T0 + DAY): CoreEvent[] {
  const out: CoreEvent[] = [];
  for (let i = 0; i < n; i++) names.forEach((name, k) => out.push(ev({ visitorId: `${prefix}${i}`, name, ts: start + i * 60_000 + k * 1000 })));
  return out;
}

describe("micro → macro value (hand-computed)", () => {
  it("counts M only before the visitor's first goal, ties in M's favour, the range bounding both", () => {
    const events = [
      // V1: cart then purchase → did M, converted
      ev({ visitorId: "v1", name: "product_added_to_cart", ts: T0 + 1000 }),
      ev({ visitorId: "v1", name: "checkout_completed", ts: T0 + 2000, orderId: "o1" }),
      // V2: purchase, then cart → M after G does not count: did not, converted
      ev({ visitorId: "v2", name: "checkout_completed", ts: T0 + 1000, orderId: "o2" }),
      ev({ visitorId: "v2", name: "product_added_to_cart", ts: T0 + 5000 }),
      // V3: cart only → did, not converted
      ev({ visitorId: "v3", name: "product_added_to_cart", ts: T0 + 1000 }),
      // V4: page view only → did not, not converted
      ev({ visitorId: "v4", name: "page_viewed", ts: T0 + 1000 }),
      // V5: cart in the same millisecond as the purchase → counts as before
      ev({ visitorId: "v5", name: "checkout_completed", ts: T0 + 3000, seq: 1, orderId: "o5" }),
      ev({ visitorId: "v5", name: "product_added_to_cart", ts: T0 + 3000, seq: 2 }),
      // V6: cart before the range, purchase in it → M out of range: did not, converted
      ev({ visitorId: "v6", name: "product_added_to_cart", ts: T0 - 1000 }),
      ev({ visitorId: "v6", name: "checkout_completed", ts: T0 + 1000, orderId: "o6" }),
      // V7: only events after the range → not a visitor of the range
      ev({ visitorId: "v7", name: "product_added_to_cart", ts: range.to }),
    ];
    const r = computeMicroValue(events, purchase, [cart], range);
    expect(r.visitors).toBe(6);
    expect(r.converters).toBe(4);
    expect(r.rows[0].did).toEqual({ converted: 2, total: 3 }); // V1, V5 of V1, V3, V5
    expect(r.rows[0].didNot).toEqual({ converted: 2, total: 3 }); // V2, V6 of V2, V4, V6
    expect(r.rows[0].lift.eligible).toBe(false);
    expect(r.rows[0].lift.reason).toBe("needs ≥ 30 visitors in each group; has 3");
    expect(r.rows[0].lift.ratio).toBeCloseTo(1, 12); // computed for debugging, hidden by the UI
  });

  it("never counts the goal event itself as the micro step, and duplicates count once", () => {
    const anySubmit: InsightMetric = { key: "any_submit", label: "Submitted a form", anyOf: [{ event: "mc:form_submit", filters: [] }] };
    const demo = goalByKey("demo_request")!;
    const contact = { formType: "contact" };
    const events = [
      ev({ id: "same", visitorId: "a", name: "mc:form_submit", ts: T0 + 1000, props: contact }),
      ev({ id: "same", visitorId: "a", name: "mc:form_submit", ts: T0 + 1000, props: contact }), // stored twice
      ev({ visitorId: "b", name: "mc:form_submit", ts: T0 + 1000, props: { formType: "customer" } }),
      ev({ visitorId: "b", name: "mc:form_submit", ts: T0 + 2000, props: contact }),
    ];
    const r = computeMicroValue(events, demo, [anySubmit], range);
    expect(r.visitors).toBe(2);
    expect(r.rows[0].did).toEqual({ converted: 1, total: 1 }); // only b: its newsletter submit came first
    expect(r.rows[0].didNot).toEqual({ converted: 1, total: 1 });
  });

  it("gives the documented lift with its Katz interval: 40 of 200 vs 50 of 1,000 → 4.00× (2.72–5.89)", () => {
    const events = [
      ...crowd("m+g", 40, ["product_added_to_cart", "checkout_completed"]),
      ...crowd("m", 160, ["product_added_to_cart"]),
      ...crowd("g", 50, ["checkout_completed"]),
      ...crowd("x", 950, ["page_viewed"]),
    ];
    // Unique order ids so the purchase dedupe does not merge them.
    events.forEach((e, i) => e.name === "checkout_completed" && (e.orderId = `o${i}`));
    const r = computeMicroValue(events, purchase, [cart], range);
    const row = r.rows[0];
    expect(row.did).toEqual({ converted: 40, total: 200 });
    expect(row.didNot).toEqual({ converted: 50, total: 1000 });
    expect(row.lift.eligible).toBe(true);
    expect(row.lift.ratio).toBeCloseTo(4, 12);
    // se = √(1/40 − 1/200 + 1/50 − 1/1000) = √0.039 ; exp(ln 4 ± 1.959964·se)
    const se = Math.sqrt(1 / 40 - 1 / 200 + 1 / 50 - 1 / 1000);
    expect(row.lift.ci95![0]).toBeCloseTo(4 * Math.exp(-1.959963984540054 * se), 9);
    expect(row.lift.ci95![1]).toBeCloseTo(4 * Math.exp(1.959963984540054 * se), 9);
    expect(row.lift.ci95![0]).toBeCloseTo(2.716, 3);
    expect(row.lift.ci95![1]).toBeCloseTo(5.891, 3);
  });

  it("hides a micro step with 29 doers and says why; the boundary of 30 shows", () => {
    const base = (doers: number) => {
      const events = [
        ...crowd("d", doers, ["mc:video_play", "checkout_completed"]),
        ...crowd("n", 100, ["page_viewed"]),
        ...crowd("c", 10, ["checkout_completed"], T0 + 2 * DAY),
      ];
      events.forEach((e, i) => e.name === "checkout_completed" && (e.orderId = `o${i}`));
      return computeMicroValue(events, purchase, [microByKey("video_play")!], range).rows[0];
    };
    expect(base(29).lift.eligible).toBe(false);
    expect(base(29).lift.reason).toBe("needs ≥ 30 visitors in each group; has 29");
    expect(base(30).lift.eligible).toBe(true);
    expect(base(30).did).toEqual({ converted: 30, total: 30 });
    expect(base(30).didNot).toEqual({ converted: 10, total: 110 });
    expect(base(30).lift.ratio).toBeCloseTo(11, 12); // 1 / (10/110)
  });

  it("sorts shown rows by lift (highest first), then hidden rows by number of doers", () => {
    const row = (key: string, ratio: number | null, eligible: boolean, doers: number) => ({
      key,
      label: key,
      did: { converted: 0, total: doers },
      didNot: { converted: 0, total: 0 },
      lift: { rateA: 0, rateB: 0, ratio, ci95: null, eligible },
    });
    const sorted = sortRows([
      row("low", 1.2, true, 50),
      row("hidden-small", 2, false, 5),
      row("high", 3.5, true, 40),
      row("zero", 0, true, 80),
      row("hidden-big", null, false, 20),
    ]);
    expect(sorted.map((r) => r.key)).toEqual(["high", "low", "zero", "hidden-big", "hidden-small"]);
  });

  it("the groups always partition the visitors and the converters (property)", () => {
    const names = ["page_viewed", "product_added_to_cart", "checkout_completed", "mc:video_play"];
    const arb = fc.array(fc.record({ v: fc.integer({ min: 0, max: 15 }), n: fc.constantFrom(...names), t: fc.integer({ min: -2, max: 12 }) }), {
      maxLength: 80,
    });
    fc.assert(
      fc.property(arb, (raw) => {
        const events = raw.map((x, i) => ev({ visitorId: `v${x.v}`, name: x.n, ts: T0 + x.t * DAY, orderId: x.n === "checkout_completed" ? `o${i}` : null }));
        const r = computeMicroValue(events, purchase, MICRO_CATALOG.slice(0, 4), range);
        for (const row of r.rows) {
          expect(row.did.total + row.didNot.total).toBe(r.visitors);
          expect(row.did.converted + row.didNot.converted).toBe(r.converters);
          expect(row.did.converted).toBeLessThanOrEqual(row.did.total);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("which micro steps are evaluated", () => {
  it("leaves out the goal itself, adds the shop's own mc:* events, never experiment exposures", () => {
    const newsletter = goalByKey("newsletter")!;
    const keys = microsFor(newsletter, ["mc:quiz_done", "mc:experiment_view", "page_viewed", "mc:form_submit", "mc:quiz_done"]).map((m) => m.key);
    expect(keys).not.toContain("email_signup");
    expect(keys).toContain("add_to_cart");
    expect(keys.filter((k) => k.startsWith("custom:"))).toEqual(["custom:mc:quiz_done"]);
    expect(microsFor(purchase).map((m) => m.key)).toContain("email_signup");
  });

  it("scroll ≥ 75 % means the 75 and 90 marks, not 50", () => {
    const scroll = microByKey("scroll_75")!;
    const events = [
      ev({ visitorId: "a", name: "mc:scroll_depth", ts: T0 + 1, props: { percent: 50 } }),
      ev({ visitorId: "b", name: "mc:scroll_depth", ts: T0 + 1, props: { percent: 75 } }),
      ev({ visitorId: "c", name: "mc:scroll_depth", ts: T0 + 1, props: { percent: 90 } }),
    ];
    expect(computeMicroValue(events, purchase, [scroll], range).rows[0].did.total).toBe(2);
  });
});
