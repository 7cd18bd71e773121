import { describe, expect, it } from "vitest";
import { experimentReadouts, exposureOf, pickControl, EXPERIMENT_EVENT } from "../../core/insights";
import { compareProportions, sampleRatioMismatch, verdict } from "../../core/stats";
import type { CoreEvent, FunnelStepDef } from "../../core/types";
import { DAY, ev, T0 } from "./funnel/fixtures";

const STEPS: FunnelStepDef[] = [
  { label: "Viewed a product", anyOf: [{ event: "product_viewed", filters: [] }] },
  { label: "Added to cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
  { label: "Purchased", anyOf: [{ event: "checkout_completed", filters: [] }] },
];
const range = { from: T0, to: T0 + 14 * DAY };
const expose = (visitorId: string, variant: string, ts: number, experiment = "banner") =>
  ev({ visitorId, name: EXPERIMENT_EVENT, ts, props: { experiment, variant } });

describe("experiment readout (hand-computed)", () => {
  const events: CoreEvent[] = [
    // control: c1 reaches cart; c2 views only; c3 carted *before* exposure (does not count), views after
    expose("c1", "control", T0 + 100),
    ev({ visitorId: "c1", name: "product_viewed", ts: T0 + 200 }),
    ev({ visitorId: "c1", name: "product_added_to_cart", ts: T0 + 300 }),
    expose("c2", "control", T0 + 100),
    ev({ visitorId: "c2", name: "product_viewed", ts: T0 + 100 }), // same ms as exposure: counts
    ev({ visitorId: "c3", name: "product_viewed", ts: T0 + 50 }),
    ev({ visitorId: "c3", name: "product_added_to_cart", ts: T0 + 60 }),
    expose("c3", "control", T0 + 100),
    ev({ visitorId: "c3", name: "product_viewed", ts: T0 + 400 }),
    // variant: b1 buys; b2 carts; b3 nothing after exposure
    expose("b1", "banner-on", T0 + 100),
    ev({ visitorId: "b1", name: "product_viewed", ts: T0 + 200 }),
    ev({ visitorId: "b1", name: "product_added_to_cart", ts: T0 + 300 }),
    ev({ visitorId: "b1", name: "checkout_completed", ts: T0 + 400, orderId: "1" }),
    expose("b2", "banner-on", T0 + 100),
    ev({ visitorId: "b2", name: "product_viewed", ts: T0 + 200 }),
    ev({ visitorId: "b2", name: "product_added_to_cart", ts: T0 + 300 }),
    expose("b3", "banner-on", T0 + 100),
    // x1 saw both variants: excluded everywhere
    expose("x1", "control", T0 + 100),
    expose("x1", "banner-on", T0 + 500),
    ev({ visitorId: "x1", name: "product_viewed", ts: T0 + 600 }),
    // repeated exposure to the same variant keeps the first
    expose("b3", "banner-on", T0 + 700),
    // an exposure outside the range does not count
    expose("late", "control", range.to + 1),
    // another experiment
    expose("c1", "A", T0 + 900, "checkout-copy"),
  ];
  const readouts = experimentReadouts(events, { ...range, steps: STEPS, mde: 0.1 });
  const banner = readouts.find((r) => r.experiment === "banner")!;

  it("assigns by first exposure, excludes visitors seen in two variants, counts steps after exposure", () => {
    // Most recently exposed first: checkout-copy's exposure (+900) is after banner's last (+700).
    expect(readouts.map((r) => r.experiment)).toEqual(["checkout-copy", "banner"]);
    expect([banner.firstExposure, banner.lastExposure]).toEqual([T0 + 100, T0 + 700]);
    expect(banner.control).toBe("control");
    expect(banner.excludedVisitors).toBe(1);
    expect(banner.assignedVisitors).toBe(6);
    expect(banner.variants.map((v) => [v.variant, v.visitors, v.reached])).toEqual([
      ["control", 3, [3, 1, 0]],
      ["banner-on", 3, [2, 2, 1]],
    ]);
  });

  it("compares each step with compareProportions and verdict, and checks the split", () => {
    const c = banner.comparisons[0];
    expect(c.variant).toBe("banner-on");
    expect(c.steps[1].control).toEqual({ converted: 1, total: 3 });
    expect(c.steps[1].variant).toEqual({ converted: 2, total: 3 });
    expect(c.steps[1].comparison).toEqual(compareProportions({ converted: 1, total: 3 }, { converted: 2, total: 3 }));
    expect(c.steps[1].comparison.diff).toBeCloseTo(1 / 3, 12);
    expect(c.headline).toEqual(verdict({ control: { converted: 0, total: 3 }, variant: { converted: 1, total: 3 }, mde: 0.1 }));
    expect(c.headline.kind).toBe("not-enough-data");
    expect(banner.srm).toEqual(sampleRatioMismatch([3, 3]));
  });

  it("reads exposures leniently but never without experiment and variant", () => {
    expect(exposureOf(ev({ name: EXPERIMENT_EVENT, ts: 1, props: { experiment: " x ", variant: 2 } }))).toEqual({ experiment: "x", variant: "2" });
    expect(exposureOf(ev({ name: EXPERIMENT_EVENT, ts: 1, props: { experiment: "x" } }))).toBeNull();
    expect(exposureOf(ev({ name: "page_viewed", ts: 1, props: { experiment: "x", variant: "a" } }))).toBeNull();
    expect(pickControl(["b", "Control", "a"])).toBe("Control");
    expect(pickControl(["b", "a"])).toBe("a");
  });
});

describe("a powered experiment", () => {
  it("says variant B wins for 1,800 vs 2,100 of 20,000 and flags a 5,300 / 4,700 split", () => {
    const steps: FunnelStepDef[] = [STEPS[0], STEPS[2]];
    const events: CoreEvent[] = [];
    const arm = (variant: string, n: number, buyers: number) => {
      for (let i = 0; i < n; i++) {
        const v = `${variant}-${i}`;
        events.push(expose(v, variant, T0 + i), ev({ visitorId: v, name: "product_viewed", ts: T0 + i + 1 }));
        if (i < buyers) events.push(ev({ visitorId: v, name: "checkout_completed", ts: T0 + i + 2, orderId: v }));
      }
    };
    arm("control", 20_000, 1_800);
    arm("treatment", 20_000, 2_100);
    const [x] = experimentReadouts(events, { ...range, steps, mde: 0.1 });
    expect(x.srm.ok && x.srm.mismatch).toBe(false);
    expect(x.comparisons[0].headline.message).toBe("variant B wins: +1.5 pp (95 % CI 0.9 to 2.1 pp)");

    const skewed: CoreEvent[] = [];
    for (let i = 0; i < 10_000; i++) skewed.push(expose(`s${i}`, i < 5300 ? "control" : "treatment", T0 + i));
    const [y] = experimentReadouts(skewed, { ...range, steps, mde: 0.1 });
    expect(y.srm.ok && y.srm.mismatch).toBe(true);
    expect(y.comparisons[0].headline.kind).toBe("srm");
  });
});
