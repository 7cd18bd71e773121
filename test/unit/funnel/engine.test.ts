import { describe, it, expect } from "vitest";
import { computeFunnel, computeUnitResults } from "../../../core/funnel";
import type { CoreEvent, FunnelStepDef } from "../../../core/types";
import { DAY, ev, funnel, HOUR, MIN, params, SHOP_STEPS, step, T0 } from "./fixtures";

const counts = (events: CoreEvent[], def = funnel(["a", "b", "c"]), p = params()) => computeFunnel(events, def, p).steps.map((s) => s.count);

/** The worked example of docs/funnel-semantics.md: 1,000 → 350 → 180 → 90 sessions. */
function workedExampleEvents(): CoreEvent[] {
  const events: CoreEvent[] = [];
  for (let i = 0; i < 1000; i++) {
    const visitorId = `visitor-${i}`;
    const t = T0 + i * 1000;
    events.push(ev({ name: "product_viewed", ts: t, visitorId, productId: "p1" }));
    if (i < 350) events.push(ev({ name: "product_added_to_cart", ts: t + MIN, visitorId }));
    if (i < 180) events.push(ev({ name: "checkout_started", ts: t + 2 * MIN, visitorId, checkoutToken: `tok-${i}` }));
    if (i < 90) events.push(ev({ name: "checkout_completed", ts: t + 5 * MIN, visitorId, checkoutToken: `tok-${i}`, orderId: `o-${i}` }));
  }
  return events;
}

describe("worked example", () => {
  const report = computeFunnel(workedExampleEvents(), funnel(SHOP_STEPS), params());

  it("counts 1,000 → 350 → 180 → 90", () => {
    expect(report.steps.map((s) => s.count)).toEqual([1000, 350, 180, 90]);
    expect(report.totalUnits).toBe(1000);
    expect(report.inProgressUnits).toBe(0);
  });

  it("step conversions 35.0 %, 51.4 %, 50.0 %; overall 18 % and 9 %", () => {
    const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
    expect(report.steps.map((s) => pct(s.stepConversion))).toEqual([null, 35.0, 51.4, 50.0]);
    expect(report.steps.map((s) => pct(s.overallConversion))).toEqual([100, 35.0, 18.0, 9.0]);
    expect(report.steps.map((s) => s.dropOff)).toEqual([null, 650, 170, 90]);
  });

  it("biggest leak is product view → add to cart: 650 sessions, 65.0 %", () => {
    expect(report.biggestLeak).toEqual({
      step: 2,
      fromLabel: "product_viewed",
      toLabel: "product_added_to_cart",
      fromCount: 1000,
      toCount: 350,
      settled: 1000,
      waiting: 0,
      dropOff: 650,
      dropOffRate: 0.65,
    });
  });

  it("time to step: 1, 1 and 3 minutes", () => {
    expect(report.steps.map((s) => s.medianMsFromPrev)).toEqual([null, MIN, MIN, 3 * MIN]);
    expect(report.steps.map((s) => s.p90MsFromPrev)).toEqual([null, MIN, MIN, 3 * MIN]);
  });
});

describe("counting a unit", () => {
  it("allows unrelated events between steps", () => {
    const events = [
      ev({ name: "a", ts: T0 }),
      ev({ name: "x", ts: T0 + 1 }),
      ev({ name: "b", ts: T0 + 2 }),
      ev({ name: "y", ts: T0 + 3 }),
      ev({ name: "c", ts: T0 + 4 }),
    ];
    expect(counts(events)).toEqual([1, 1, 1]);
  });

  it("requires order: a later step before step 1 does not count", () => {
    expect(counts([ev({ name: "b", ts: T0 }), ev({ name: "a", ts: T0 + 1 }), ev({ name: "c", ts: T0 + 2 })])).toEqual([1, 0, 0]);
    expect(counts([ev({ name: "a", ts: T0 }), ev({ name: "c", ts: T0 + 1 }), ev({ name: "b", ts: T0 + 2 })])).toEqual([1, 1, 0]);
  });

  it("counts equal timestamps in the funnel's favour whatever their seq", () => {
    // b and c are sorted before a by seq, but share its timestamp.
    const events = [ev({ name: "a", ts: T0, seq: 3 }), ev({ name: "b", ts: T0, seq: 2 }), ev({ name: "c", ts: T0, seq: 1 })];
    expect(counts(events)).toEqual([1, 1, 1]);
    expect(computeFunnel(events, funnel(["a", "b", "c"]), params()).steps[1].medianMsFromPrev).toBe(0);
  });

  it("uses one event for one step only", () => {
    expect(counts([ev({ name: "a", ts: T0 })], funnel(["a", "a"]))).toEqual([1, 0]);
    expect(counts([ev({ name: "a", ts: T0 }), ev({ name: "a", ts: T0 })], funnel(["a", "a"]))).toEqual([1, 1]);
  });

  it("assigns an event that matches several steps where it helps (matching, not greedy)", () => {
    const aOrB: FunnelStepDef = {
      label: "a|b",
      anyOf: [
        { event: "a", filters: [] },
        { event: "b", filters: [] },
      ],
    };
    // Same timestamp: b could fill step 2 or 3; only b→3 and a→2 reaches step 3.
    const def = funnel(["s", aOrB, "b"]);
    const events = [ev({ name: "s", ts: T0 }), ev({ name: "b", ts: T0 + 1, seq: 1 }), ev({ name: "a", ts: T0 + 1, seq: 2 })];
    expect(counts(events, def)).toEqual([1, 1, 1]);
  });

  it("evaluates every attempt and keeps the furthest step", () => {
    // Visitor: first attempt reaches b only; a later attempt (after the window) completes.
    const def = funnel(["a", "b", "c"], "visitor", HOUR);
    const events = [
      ev({ name: "a", ts: T0 }),
      ev({ name: "b", ts: T0 + MIN }),
      ev({ name: "a", ts: T0 + 3 * HOUR }),
      ev({ name: "b", ts: T0 + 3 * HOUR + 2 * MIN }),
      ev({ name: "c", ts: T0 + 3 * HOUR + 5 * MIN }),
    ];
    const [unit] = computeUnitResults(events, def, params());
    expect(unit.furthest).toBe(3);
    expect(unit.entry.ts).toBe(T0 + 3 * HOUR);
    expect(unit.msFromPrev).toEqual([2 * MIN, 3 * MIN]);
  });

  it("takes step times from the earliest attempt that reached the furthest step", () => {
    const def = funnel(["a", "b"], "visitor", DAY);
    const events = [ev({ name: "a", ts: T0 }), ev({ name: "a", ts: T0 + 10 * MIN }), ev({ name: "b", ts: T0 + 15 * MIN })];
    const [unit] = computeUnitResults(events, def, params());
    expect(unit.entry.ts).toBe(T0);
    expect(unit.msFromPrev).toEqual([15 * MIN]);
  });

  it("counts a step exactly at the window end as inside, 1 ms later as outside", () => {
    const def = funnel(["a", "b"], "visitor", 2 * HOUR);
    expect(counts([ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + 2 * HOUR })], def)).toEqual([1, 1]);
    expect(counts([ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + 2 * HOUR + 1 })], def)).toEqual([1, 0]);
  });

  it("measures the window from step 1 to the last step reached", () => {
    const def = funnel(["a", "b", "c"], "visitor", HOUR);
    const events = [ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + 50 * MIN }), ev({ name: "c", ts: T0 + 70 * MIN })];
    expect(counts(events, def)).toEqual([1, 1, 0]);
  });

  it("bounds a session unit by its session, not by windowMs", () => {
    const def = funnel(["a", "b"], "session", MIN);
    // 25-minute hops: one session of 75 minutes, far longer than windowMs.
    const within = [0, 25, 50, 75].map((m, i) => ev({ name: i === 3 ? "b" : "x", ts: T0 + m * MIN }));
    within[0] = ev({ name: "a", ts: T0 });
    expect(counts(within, def)).toEqual([1, 1]);
    // Across a 31-minute gap the second step is in another session.
    expect(counts([ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + 31 * MIN })], def)).toEqual([1, 0]);
  });

  it("lets a visitor funnel cross sessions", () => {
    const def = funnel(["a", "b"], "visitor", DAY);
    expect(counts([ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + 5 * HOUR })], def)).toEqual([1, 1]);
  });
});

describe("date range", () => {
  const from = T0;
  const to = T0 + DAY;

  it("keeps a unit whose entry is in range and later steps after `to`", () => {
    const def = funnel(["a", "b"], "visitor", DAY);
    const events = [ev({ name: "a", ts: to - MIN }), ev({ name: "b", ts: to + HOUR })];
    expect(counts(events, def, params({ from, to }))).toEqual([1, 1]);
  });

  it("excludes a unit with no attempt in range, even if later steps are in range", () => {
    const def = funnel(["a", "b"], "visitor", DAY);
    const events = [ev({ name: "a", ts: from - MIN }), ev({ name: "b", ts: from + MIN })];
    const report = computeFunnel(events, def, params({ from, to }));
    expect(report.totalUnits).toBe(0);
  });

  it("treats `from` as inclusive and `to` as exclusive", () => {
    const def = funnel(["a", "b"], "visitor", DAY);
    const at = (ts: number, visitorId: string) => ev({ name: "a", ts, visitorId });
    expect(counts([at(from, "x"), at(to, "y"), at(to - 1, "z")], def, params({ from, to }))).toEqual([2, 0]);
  });

  it("starts an attempt only at step-1 events inside the range", () => {
    // The step-1 event before `from` could complete but is not an attempt; the in-range one cannot.
    const def = funnel(["a", "b"], "visitor", HOUR);
    const events = [ev({ name: "a", ts: from - MIN }), ev({ name: "a", ts: from + 2 * HOUR }), ev({ name: "b", ts: from + 10 * MIN })];
    expect(counts(events, def, params({ from, to }))).toEqual([1, 0]);
  });
});

describe("duplicates", () => {
  it("counts the same event id once", () => {
    const a = ev({ name: "a", ts: T0 });
    expect(counts([a, { ...a }], funnel(["a", "a"]))).toEqual([1, 0]);
  });

  it("counts checkouts with the same token once", () => {
    const def = funnel(["checkout_started", "checkout_started"]);
    const same = [ev({ name: "checkout_started", ts: T0, checkoutToken: "t" }), ev({ name: "checkout_started", ts: T0 + MIN, checkoutToken: "t" })];
    expect(counts(same, def)).toEqual([1, 0]);
    const different = [ev({ name: "checkout_started", ts: T0, checkoutToken: "t" }), ev({ name: "checkout_started", ts: T0 + MIN, checkoutToken: "u" })];
    expect(counts(different, def)).toEqual([1, 1]);
  });

  it("counts purchases with the same order id once and keeps the first", () => {
    const def = funnel(["checkout_started", "checkout_completed"]);
    const events = [
      ev({ name: "checkout_started", ts: T0, checkoutToken: "t" }),
      ev({ name: "checkout_completed", ts: T0 + 10 * MIN, orderId: "o" }), // thank-you page reload
      ev({ name: "checkout_completed", ts: T0 + 4 * MIN, orderId: "o" }),
    ];
    const report = computeFunnel(events, def, params());
    expect(report.steps.map((s) => s.count)).toEqual([1, 1]);
    expect(report.steps[1].medianMsFromPrev).toBe(4 * MIN);
    expect(counts(events, funnel(["checkout_completed", "checkout_completed"]))).toEqual([1, 0]);
  });
});

describe("in progress", () => {
  const def = funnel(["a", "b", "c"], "visitor", DAY);
  const events = () => [ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + MIN })];

  it("visitor: in progress while step-1 time + window is after now", () => {
    const r = computeFunnel(events(), def, params({ now: T0 + DAY - 1 }));
    expect(r.inProgressUnits).toBe(1);
    expect(r.steps.map((s) => s.inProgress)).toEqual([0, 0, 1]); // beside the drop-off b → c
    expect(r.steps.map((s) => s.count)).toEqual([1, 1, 0]); // still counted in the steps reached
    expect(computeFunnel(events(), def, params({ now: T0 + DAY })).inProgressUnits).toBe(0);
  });

  it("visitor: the latest attempt in range keeps the unit open", () => {
    const later = [...events(), ev({ name: "a", ts: T0 + 20 * HOUR })];
    expect(computeFunnel(later, def, params({ now: T0 + DAY + HOUR })).inProgressUnits).toBe(1);
  });

  it("session: in progress while the last event is less than 30 minutes before now", () => {
    const sdef = funnel(["a", "b", "c"]);
    const last = T0 + MIN;
    expect(computeFunnel(events(), sdef, params({ now: last + 30 * MIN - 1 })).inProgressUnits).toBe(1);
    expect(computeFunnel(events(), sdef, params({ now: last + 30 * MIN })).inProgressUnits).toBe(0);
    // Any event counts as activity, not only funnel steps.
    const active = [...events(), ev({ name: "page_viewed", ts: last + 20 * MIN })];
    expect(computeFunnel(active, sdef, params({ now: last + 40 * MIN })).inProgressUnits).toBe(1);
  });

  it("a completed unit is never in progress", () => {
    const done = [...events(), ev({ name: "c", ts: T0 + 2 * MIN })];
    expect(computeFunnel(done, def, params({ now: T0 })).inProgressUnits).toBe(0);
    expect(computeFunnel(done, funnel(["a", "b", "c"]), params({ now: T0 })).inProgressUnits).toBe(0);
  });
});

describe("edge cases", () => {
  it("empty input: zero counts, null rates, no leak", () => {
    const r = computeFunnel([], funnel(SHOP_STEPS), params());
    expect(r.totalUnits).toBe(0);
    expect(r.steps.every((s) => s.count === 0 && s.overallConversion === null && s.stepConversion === null && s.dropOffRate === null)).toBe(true);
    expect(r.steps.every((s) => s.medianMsFromPrev === null && s.p90MsFromPrev === null)).toBe(true);
    expect(r.biggestLeak).toBeNull();
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it("nulls only the rates whose denominator is zero", () => {
    const r = computeFunnel([ev({ name: "a", ts: T0 })], funnel(["a", "b", "c"]), params());
    expect(r.steps.map((s) => s.stepConversion)).toEqual([null, 0, null]);
    expect(r.steps.map((s) => s.dropOffRate)).toEqual([null, 1, null]);
    expect(r.steps.map((s) => s.overallConversion)).toEqual([1, 0, 0]);
  });

  it("one-step data: every unit stops at step 1", () => {
    const events = ["x", "y", "z"].map((visitorId) => ev({ name: "a", ts: T0, visitorId }));
    const r = computeFunnel(events, funnel(["a", "b"]), params());
    expect(r.steps.map((s) => s.count)).toEqual([3, 0]);
    expect(r.steps[1]).toMatchObject({ dropOff: 3, dropOffRate: 1, settled: 3 });
    // 3 settled units are too few to name a leak.
    expect(r.biggestLeak).toBeNull();
    expect(r.noLeak).toEqual({ reason: "too-few-settled", settled: 3, finished: 3 });
  });

  it("a one-step definition is computed (no leak)", () => {
    const r = computeFunnel([ev({ name: "a", ts: T0 })], funnel(["a"]), params());
    expect(r.steps.map((s) => s.count)).toEqual([1]);
    expect(r.biggestLeak).toBeNull();
  });

  it("handles 20 steps and rejects 21", () => {
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const events = names.map((name, i) => ev({ name, ts: T0 + i * MIN }));
    const r = computeFunnel(events.slice(0, 19), funnel(names), params());
    expect(r.steps.map((s) => s.count)).toEqual([...Array(19).fill(1), 0]);
    expect(computeFunnel(events, funnel(names), params()).steps[19].count).toBe(1);
    expect(() => computeFunnel(events, funnel([...names, "s20"]), params())).toThrow(RangeError);
  });

  it("OR-alternatives: either event fills the step", () => {
    const cartOrWish: FunnelStepDef = {
      label: "cart or wishlist",
      anyOf: [
        { event: "product_added_to_cart", filters: [] },
        { event: "mc:wishlist_add", filters: [] },
      ],
    };
    const def = funnel(["product_viewed", cartOrWish, "checkout_completed"]);
    const events = [
      ev({ name: "product_viewed", ts: T0, visitorId: "x" }),
      ev({ name: "product_added_to_cart", ts: T0 + 1, visitorId: "x" }),
      ev({ name: "product_viewed", ts: T0, visitorId: "y" }),
      ev({ name: "mc:wishlist_add", ts: T0 + 1, visitorId: "y" }),
      ev({ name: "product_viewed", ts: T0, visitorId: "z" }),
      ev({ name: "mc:other", ts: T0 + 1, visitorId: "z" }),
    ];
    expect(counts(events, def)).toEqual([3, 2, 0]);
  });

  it("applies step filters (each op) inside the funnel", () => {
    const def = funnel([
      step("page_viewed", [{ field: "path", op: "equals", value: "/" }]),
      step("page_viewed", [{ field: "path", op: "startsWith", value: "/collections/" }]),
      step("page_viewed", [{ field: "path", op: "contains", value: "shoe" }]),
      step("product_viewed", [{ field: "productId", op: "equals", value: "p1" }]),
      step("mc:scroll_depth", [{ field: "prop", key: "percent", op: "equals", value: "75" }]),
    ]);
    const good = [
      ev({ name: "page_viewed", ts: T0, path: "/" }),
      ev({ name: "page_viewed", ts: T0 + 1, path: "/collections/all" }),
      ev({ name: "page_viewed", ts: T0 + 2, path: "/products/red-shoe" }),
      ev({ name: "product_viewed", ts: T0 + 3, productId: "p1" }),
      ev({ name: "mc:scroll_depth", ts: T0 + 4, props: { percent: 75 } }),
    ];
    expect(counts(good, def)).toEqual([1, 1, 1, 1, 1]);
    const wrongProp = good.map((e) => (e.name === "mc:scroll_depth" ? { ...e, props: { percent: 50 } } : e));
    expect(counts(wrongProp, def)).toEqual([1, 1, 1, 1, 0]);
    const wrongProduct = good.map((e) => (e.name === "product_viewed" ? { ...e, productId: "p2" } : e));
    expect(counts(wrongProduct, def)).toEqual([1, 1, 1, 0, 0]);
  });

  it("computes median and p90 with nearest rank", () => {
    // 10 sessions with a → b after 1..10 minutes: median = 5th value, p90 = 9th value.
    const events = Array.from({ length: 10 }, (_, i) => [
      ev({ name: "a", ts: T0, visitorId: `u${i}` }),
      ev({ name: "b", ts: T0 + (i + 1) * MIN, visitorId: `u${i}` }),
    ]).flat();
    const s = computeFunnel(events, funnel(["a", "b"]), params()).steps[1];
    expect(s.medianMsFromPrev).toBe(5 * MIN);
    expect(s.p90MsFromPrev).toBe(9 * MIN);
  });

  it("does not read the process clock or time zone", () => {
    const r1 = computeFunnel([ev({ name: "a", ts: T0 })], funnel(["a", "b"], "visitor", DAY), params({ now: T0 + 1 }));
    expect(r1.now).toBe(T0 + 1);
    expect(r1.inProgressUnits).toBe(1);
  });
});
