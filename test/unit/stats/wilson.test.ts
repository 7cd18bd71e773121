import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { diffWilsonInterval, MIN_UNITS_TO_COMPARE, rateChange, wilsonInterval } from "../../../core/stats";

const close = (actual: [number, number] | null, expected: [number, number], digits = 4) => {
  expect(actual).not.toBeNull();
  expect(actual![0]).toBeCloseTo(expected[0], digits);
  expect(actual![1]).toBeCloseTo(expected[1], digits);
};

describe("wilsonInterval", () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table II, method 3 (score, no continuity correction).
  it.each([
    [81, 263, [0.2553, 0.3662]],
    [15, 148, [0.0624, 0.1605]],
    [0, 20, [0, 0.1611]],
    [1, 29, [0.0061, 0.1718]],
  ] as const)("%i of %i → published interval", (x, n, ci) => {
    close(wilsonInterval({ converted: x, total: n }), [ci[0], ci[1]]);
  });

  it("7 of 14 by hand: centre 0.5, half-width z/(1+z²/n)·√(1/56 + z²/784)", () => {
    const z = 1.959963984540054;
    const half = (z / (1 + (z * z) / 14)) * Math.sqrt(0.25 / 14 + (z * z) / (4 * 14 * 14));
    close(wilsonInterval({ converted: 7, total: 14 }), [0.5 - half, 0.5 + half], 12);
    close(wilsonInterval({ converted: 7, total: 14 }), [0.268, 0.732], 3);
  });

  it("ends exactly at 0 and 1 for 0 of n and n of n; null for an empty or invalid group", () => {
    expect(wilsonInterval({ converted: 0, total: 10 })![0]).toBe(0);
    expect(wilsonInterval({ converted: 10, total: 10 })![1]).toBe(1);
    expect(wilsonInterval({ converted: 0, total: 0 })).toBeNull();
    expect(wilsonInterval({ converted: 3, total: 2 })).toBeNull();
    expect(wilsonInterval({ converted: 1.5, total: 2 })).toBeNull();
  });

  it("always contains the observed rate and stays inside [0, 1]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([x, n]) => {
          const [lo, hi] = wilsonInterval({ converted: x, total: n })!;
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
          expect(lo).toBeLessThanOrEqual(x / n + 1e-12);
          expect(hi).toBeGreaterThanOrEqual(x / n - 1e-12);
        },
      ),
    );
  });
});

describe("diffWilsonInterval (Newcombe's hybrid score, method 10)", () => {
  // Newcombe (1998), "Interval estimation for the difference between independent proportions", Table II, method 10.
  it.each([
    [
      [48, 80],
      [56, 70],
      [0.0524, 0.3339],
    ],
    [
      [3, 10],
      [9, 10],
      [0.1705, 0.809],
    ],
    [
      [0, 29],
      [5, 56],
      [-0.0381, 0.1926],
    ],
  ] as const)("%j → %j: published interval", (a, b, ci) => {
    close(diffWilsonInterval({ converted: a[0], total: a[1] }, { converted: b[0], total: b[1] }), [ci[0], ci[1]]);
  });

  it("is null when either side is empty", () => {
    expect(diffWilsonInterval({ converted: 0, total: 0 }, { converted: 1, total: 2 })).toBeNull();
  });
});

describe("rateChange: the small-numbers rules", () => {
  it("fewer than 30 units on either side is too few to compare, however large the change", () => {
    // The dashboard case: 9 sessions last period.
    const c = rateChange({ converted: 40, total: 100 }, { converted: 2, total: 9 });
    expect(c.verdict).toBe("too-few");
    expect(c.changePp).toBeCloseTo(17.78, 2);
    expect(rateChange({ converted: 58, total: 100 }, { converted: 0, total: 0 }).verdict).toBe("too-few");
    expect(rateChange({ converted: 10, total: MIN_UNITS_TO_COMPARE - 1 }, { converted: 10, total: 1000 }).verdict).toBe("too-few");
  });

  it("a change whose interval includes 0 is neutral; one clear of 0 is up or down", () => {
    const neutral = rateChange({ converted: 12, total: 40 }, { converted: 10, total: 40 });
    expect(neutral.verdict).toBe("neutral");
    expect(neutral.changeCi95Pp![0]).toBeLessThan(0);
    expect(neutral.changeCi95Pp![1]).toBeGreaterThan(0);
    expect(rateChange({ converted: 56, total: 70 }, { converted: 48, total: 80 }).verdict).toBe("up");
    expect(rateChange({ converted: 48, total: 80 }, { converted: 56, total: 70 }).verdict).toBe("down");
  });

  it("carries counts, rates and Wilson intervals of both sides", () => {
    const c = rateChange({ converted: 56, total: 70 }, { converted: 48, total: 80 });
    expect(c.current).toMatchObject({ converted: 56, total: 70, rate: 0.8 });
    expect(c.previous).toMatchObject({ converted: 48, total: 80, rate: 0.6 });
    close(c.changeCi95Pp, [5.24, 33.39], 1);
  });
});
