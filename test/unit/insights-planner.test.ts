import { describe, expect, it } from "vitest";
import { formatWeeks, planMetrics, countVisitorsByMetric, goalByKey, microByKey } from "../../core/insights";
import { ev, T0, DAY } from "./funnel/fixtures";

// docs/funnel-semantics.md, "Testing planner": 1,000 visitors/week split 50/50, +10 % relative MDE:
// purchase 9.0 % → 9.9 % needs ≈ 16,580 per arm (≈ 33 weeks); add-to-cart 35 % → 38.5 % ≈ 2,975 per arm (≈ 6 weeks).
describe("testing planner against the reference values", () => {
  const report = planMetrics(
    [
      { key: "add_to_cart", label: "Added to cart", kind: "micro", converted: 1400 },
      { key: "purchase", label: "Purchase", kind: "macro", converted: 360 },
    ],
    { visitors: 4000, days: 28, mde: 0.1 },
  );

  it("takes weekly traffic as visitors over 28 days ÷ 4", () => {
    expect(report.weeklyVisitors).toBe(1000);
    expect(report).toMatchObject({ alpha: 0.05, power: 0.8, variants: 2 });
  });

  it("purchase 9.0 %: 16,580 per variant, 34 whole weeks (33.2 exactly)", () => {
    const row = report.rows[0];
    expect(row.key).toBe("purchase"); // the goal first
    expect(row.baseline).toEqual({ converted: 360, total: 4000 });
    expect(row.rate).toBeCloseTo(0.09, 12);
    expect(row.plan).toMatchObject({ ok: true, perVariant: 16580, total: 33160, weeks: 34 });
    expect(row.exactWeeks).toBeCloseTo(33.16, 10);
    expect(formatWeeks(row.exactWeeks!)).toBe("33.2");
    expect(row.caveat).toBeNull();
  });

  it("add to cart 35 %: 2,975 per variant, 6 weeks (6.0)", () => {
    const row = report.rows[1];
    expect(row.plan).toMatchObject({ ok: true, perVariant: 2975, total: 5950, weeks: 6 });
    expect(formatWeeks(row.exactWeeks!)).toBe("6.0"); // 5.95 rounds half up
  });

  it("puts a caveat on baselines from fewer than 30 converting visitors, and explains rows it cannot plan", () => {
    const r = planMetrics(
      [
        { key: "g", label: "Goal", kind: "macro", converted: 12 },
        { key: "none", label: "Never", kind: "micro", converted: 0 },
        { key: "all", label: "Everyone", kind: "micro", converted: 500 },
      ],
      { visitors: 500, days: 28, mde: 0.1 },
    );
    expect(r.rows[0].caveat).toBe("rough estimate: baseline from only 12 converting visitors (fewer than 30)");
    const never = r.rows.find((x) => x.key === "none")!;
    expect(never.plan).toEqual({ ok: false, reason: "nobody did this in the last 28 days: no baseline to test against" });
    const all = r.rows.find((x) => x.key === "all")!;
    expect(all.plan.ok).toBe(false); // 100 % cannot rise by 10 %
    expect(all.exactWeeks).toBeNull();
    const empty = planMetrics([{ key: "g", label: "Goal", kind: "macro", converted: 0 }], { visitors: 0, days: 28, mde: 0.1 });
    expect(empty.rows[0].plan).toEqual({ ok: false, reason: "no visitors in the last 28 days to take a baseline from" });
    expect(empty.rows[0].rate).toBeNull();
  });

  it("passes significance and power through to planTest", () => {
    const strict = planMetrics([{ key: "p", label: "P", kind: "macro", converted: 360 }], { visitors: 4000, days: 28, mde: 0.1, alpha: 0.01, power: 0.9 });
    const loose = planMetrics([{ key: "p", label: "P", kind: "macro", converted: 360 }], { visitors: 4000, days: 28, mde: 0.1 });
    expect(strict.rows[0].plan.ok && loose.rows[0].plan.ok && strict.rows[0].plan.perVariant > loose.rows[0].plan.perVariant).toBe(true);
  });

  it("baselines count each visitor once per metric, any time in the window", () => {
    const w = { from: T0, to: T0 + 28 * DAY };
    const events = [
      ev({ visitorId: "a", name: "product_added_to_cart", ts: T0 + DAY }),
      ev({ visitorId: "a", name: "product_added_to_cart", ts: T0 + 2 * DAY }),
      ev({ visitorId: "a", name: "checkout_completed", ts: T0 + 3 * DAY, orderId: "1" }),
      ev({ visitorId: "b", name: "checkout_completed", ts: T0 + 3 * DAY, orderId: "2" }),
      ev({ visitorId: "c", name: "page_viewed", ts: T0 + 4 * DAY }),
      ev({ visitorId: "d", name: "product_added_to_cart", ts: T0 - 1 }), // before the window
    ];
    const c = countVisitorsByMetric(events, [goalByKey("purchase")!, microByKey("add_to_cart")!], w);
    expect(c).toEqual({ visitors: 3, did: { purchase: 2, add_to_cart: 1 } });
  });
});
