import { describe, it, expect } from "vitest";
import { lift } from "../../../core/stats";

describe("lift (relative risk with Katz log interval)", () => {
  it("40/200 vs 50/1000 → ratio 4.0 with the hand-computed 95 % CI", () => {
    // rateA = 40/200 = 0.20, rateB = 50/1000 = 0.05, ratio = 4
    // se = √(1/40 − 1/200 + 1/50 − 1/1000) = √(0.025 − 0.005 + 0.02 − 0.001) = √0.039 = 0.197484
    // ln 4 = 1.386294; 1.959964 · 0.197484 = 0.387062
    // CI = [e^(0.999232), e^(1.773357)] = [2.71620, 5.89059]
    const r = lift({ converted: 40, total: 200 }, { converted: 50, total: 1000 });
    expect(r.rateA).toBeCloseTo(0.2, 12);
    expect(r.rateB).toBeCloseTo(0.05, 12);
    expect(r.ratio).toBeCloseTo(4, 12);
    expect(r.ci95![0]).toBeCloseTo(2.7162, 4);
    expect(r.ci95![1]).toBeCloseTo(5.8906, 4);
    expect(r.eligible).toBe(true);
    expect(r.reason).toBeUndefined();
  });

  it("an interval that spans 1: 12/60 vs 30/200", () => {
    // ratio = 0.2 / 0.15 = 1.3333; se = √(1/12 − 1/60 + 1/30 − 1/200) = √0.095 = 0.308221
    // ln 1.3333 = 0.287682; ± 1.959964·0.308221 = 0.604104 → [e^−0.316422, e^0.891786] = [0.72875, 2.43948]
    const r = lift({ converted: 12, total: 60 }, { converted: 30, total: 200 });
    expect(r.ratio).toBeCloseTo(4 / 3, 12);
    expect(r.ci95![0]).toBeCloseTo(0.72875, 4);
    expect(r.ci95![1]).toBeCloseTo(2.43948, 4);
    expect(r.eligible).toBe(true);
  });

  it("worked example 90/350 vs 0/650: no conversions without the micro step → ratio null, not Infinity", () => {
    const r = lift({ converted: 90, total: 350 }, { converted: 0, total: 650 });
    expect(r.rateA).toBeCloseTo(90 / 350, 12);
    expect(r.rateB).toBe(0);
    expect(r.ratio).toBeNull();
    expect(r.ci95).toBeNull();
    expect(r.eligible).toBe(false);
    expect(r.reason).toMatch(/no conversions in group B/);
  });

  it("no conversions among micro-converters → ratio 0, no interval", () => {
    const r = lift({ converted: 0, total: 100 }, { converted: 10, total: 400 });
    expect(r.ratio).toBe(0);
    expect(r.ci95).toBeNull();
    expect(r.reason).toMatch(/no conversions in group A/);
  });

  it("no conversions anywhere → null", () => {
    const r = lift({ converted: 0, total: 100 }, { converted: 0, total: 400 });
    expect(r.ratio).toBeNull();
    expect(r.eligible).toBe(false);
  });

  it("groups under 30 visitors are not eligible and say so", () => {
    const r = lift({ converted: 10, total: 29 }, { converted: 50, total: 1000 });
    expect(r.eligible).toBe(false);
    expect(r.reason).toBe("needs ≥ 30 visitors in each group; has 29");
    // Still computed so a debug view can show it.
    expect(r.ratio).toBeCloseTo(10 / 29 / 0.05, 12);

    expect(lift({ converted: 10, total: 30 }, { converted: 10, total: 30 }).eligible).toBe(true);
    expect(lift({ converted: 10, total: 300 }, { converted: 1, total: 5 }).reason).toBe("needs ≥ 30 visitors in each group; has 5");
  });

  it("empty groups give null rates, not NaN", () => {
    const r = lift({ converted: 0, total: 0 }, { converted: 5, total: 50 });
    expect(r.rateA).toBeNull();
    expect(r.ratio).toBeNull();
    expect(r.eligible).toBe(false);
  });

  it("everyone converting in both groups gives ratio 1 with a degenerate interval", () => {
    const r = lift({ converted: 40, total: 40 }, { converted: 50, total: 50 });
    expect(r.ratio).toBe(1);
    expect(r.ci95).toEqual([1, 1]);
  });

  it("rejects invalid counts", () => {
    for (const [a, b] of [
      [
        { converted: 5, total: 3 },
        { converted: 1, total: 50 },
      ],
      [
        { converted: -1, total: 30 },
        { converted: 1, total: 50 },
      ],
      [
        { converted: 1.5, total: 30 },
        { converted: 1, total: 50 },
      ],
      [
        { converted: 1, total: 30 },
        { converted: NaN, total: 50 },
      ],
    ]) {
      const r = lift(a, b);
      expect(r).toMatchObject({ rateA: null, rateB: null, ratio: null, ci95: null, eligible: false });
      expect(r.reason).toBeTruthy();
    }
  });
});
