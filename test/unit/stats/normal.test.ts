import { describe, it, expect } from "vitest";
import { normalCdf, normalQuantile, twoSidedPValue, zTwoSided } from "../../../core/stats";

// Reference values are from published normal tables / R (pnorm, qnorm), quoted to
// more digits than the 1e-7 accuracy the module promises.
describe("normalCdf", () => {
  it.each([
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [1.959963984540054, 0.975],
    [-2, 0.022750131948179195],
    [0.5, 0.6914624612740131],
    [3, 0.9986501019683699],
  ])("Φ(%s) = %s", (x, expected) => {
    expect(normalCdf(x)).toBeCloseTo(expected, 12);
  });

  it("keeps relative precision far in the lower tail (p-values of 1e-9 and below)", () => {
    // R: pnorm(-6) = 9.865876450377e-10, pnorm(-10) = 7.619853024160e-24
    expect(normalCdf(-6)! / 9.865876450377e-10).toBeCloseTo(1, 10);
    expect(normalCdf(-10)! / 7.61985302416047e-24).toBeCloseTo(1, 10);
  });

  it("maps ±Infinity to 1 / 0 and NaN to null, never NaN", () => {
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(NaN)).toBeNull();
    expect(normalCdf(-50)).toBe(0);
    expect(normalCdf(50)).toBe(1);
    expect(normalCdf(-1e308)).toBe(0);
    expect(normalCdf(Number.MAX_VALUE)).toBe(1);
  });

  it("is symmetric: Φ(−x) = 1 − Φ(x)", () => {
    for (const x of [0.1, 0.7, 1.3, 2.2, 4.5]) expect(normalCdf(-x)! + normalCdf(x)!).toBeCloseTo(1, 14);
  });
});

describe("normalQuantile", () => {
  it.each([
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.8, 0.8416212335729143],
    [0.9, 1.2815515655446004],
    [0.995, 2.5758293035489004],
    [0.025, -1.959963984540054],
    [0.001, -3.090232306167813],
    [0.02425, -1.972961051311885], // Acklam's region boundary
    [1e-9, -5.997807015007687],
  ])("Φ⁻¹(%s) = %s", (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 10);
  });

  it("returns null outside (0, 1) instead of ±Infinity / NaN", () => {
    for (const p of [0, 1, -0.1, 1.5, NaN, Infinity]) expect(normalQuantile(p)).toBeNull();
  });

  it("stays finite for the smallest representable p", () => {
    const x = normalQuantile(Number.MIN_VALUE)!;
    expect(Number.isFinite(x)).toBe(true);
    expect(x).toBeCloseTo(-38.4674, 3);
  });
});

describe("zTwoSided / twoSidedPValue", () => {
  it("gives the usual critical values", () => {
    expect(zTwoSided(0.05)).toBeCloseTo(1.959963984540054, 12);
    expect(zTwoSided(0.01)).toBeCloseTo(2.5758293035489004, 12);
    expect(zTwoSided(0.1)).toBeCloseTo(1.6448536269514722, 12);
    expect(zTwoSided(0)).toBeNull();
    expect(zTwoSided(1)).toBeNull();
  });

  it("inverts the critical value", () => {
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedPValue(-1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedPValue(0)).toBe(1);
    expect(twoSidedPValue(NaN)).toBeNull();
  });
});
