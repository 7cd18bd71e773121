import { describe, it, expect } from "vitest";
import { chiSquareSurvival, lnGamma, regularizedGammaP, regularizedGammaQ } from "../../../core/stats";

// Closed forms used as hand-computable references:
//   Q(1, x) = e^−x;  Q(1/2, x) = erfc(√x);  χ²₂ survival = e^(−x/2);
//   χ²₃ survival = erfc(√(x/2)) + √(2x/π)·e^(−x/2);  χ²₄ survival = e^(−x/2)(1 + x/2).
describe("lnGamma", () => {
  it("matches factorials and Γ(1/2) = √π", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(lnGamma(101)! / 363.73937555556347).toBeCloseTo(1, 13); // ln(100!)
  });
  it("is null outside x > 0", () => {
    expect(lnGamma(0)).toBeNull();
    expect(lnGamma(-1)).toBeNull();
    expect(lnGamma(NaN)).toBeNull();
  });
});

describe("regularized incomplete gamma", () => {
  it("Q(1, x) = e^−x on both branches (series below a+1, continued fraction above)", () => {
    for (const x of [0.1, 1.5, 2, 10, 40]) expect(regularizedGammaQ(1, x)! / Math.exp(-x)).toBeCloseTo(1, 12);
  });
  it("P + Q = 1", () => {
    for (const [a, x] of [
      [0.5, 0.2],
      [3, 2],
      [3, 8],
      [25, 20],
      [25, 30],
    ]) {
      expect(regularizedGammaP(a, x)! + regularizedGammaQ(a, x)!).toBeCloseTo(1, 12);
    }
  });
  it("handles the edges and rejects invalid input with null", () => {
    expect(regularizedGammaQ(2, 0)).toBe(1);
    expect(regularizedGammaQ(2, Infinity)).toBe(0);
    expect(regularizedGammaP(2, 0)).toBe(0);
    expect(regularizedGammaQ(0, 1)).toBeNull();
    expect(regularizedGammaQ(1, -1)).toBeNull();
    expect(regularizedGammaQ(1, NaN)).toBeNull();
  });
});

describe("chiSquareSurvival", () => {
  it("df = 1: erfc(√(x/2)) — published 3.841 critical value", () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(4, 1)).toBeCloseTo(0.0455002638963584, 12);
    expect(chiSquareSurvival(36, 1)! / 1.9731752900753933e-9).toBeCloseTo(1, 9);
  });
  it("df = 2, 3, 4 closed forms", () => {
    for (const x of [0.5, 3, 8, 20, 60]) {
      expect(chiSquareSurvival(x, 2)! / Math.exp(-x / 2)).toBeCloseTo(1, 11);
      expect(chiSquareSurvival(x, 4)! / (Math.exp(-x / 2) * (1 + x / 2))).toBeCloseTo(1, 11);
    }
    // χ²₃ at 7: erfc(√3.5) + √(14/π)·e^−3.5 = 0.0718977724964651
    expect(chiSquareSurvival(7, 3)).toBeCloseTo(0.0718977724964651, 12);
  });
  it("x = 0 → 1; invalid → null", () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(-1, 1)).toBeNull();
    expect(chiSquareSurvival(1, 0)).toBeNull();
  });
});
