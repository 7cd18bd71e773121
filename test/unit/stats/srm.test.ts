import { describe, it, expect } from "vitest";
import { sampleRatioMismatch } from "../../../core/stats";

describe("sampleRatioMismatch", () => {
  it("5000 / 5000 → χ² = 0, p = 1", () => {
    expect(sampleRatioMismatch([5000, 5000])).toEqual({
      ok: true,
      chiSquare: 0,
      df: 1,
      pValue: 1,
      mismatch: false,
      expected: [5000, 5000],
    });
  });

  it("5100 / 4900 → χ² = 4, p ≈ 0.0455 (not a mismatch at 0.001)", () => {
    // χ² = 100²/5000 + 100²/5000 = 2 + 2 = 4; p = erfc(√2) = 0.0455003
    const r = sampleRatioMismatch([5100, 4900]);
    expect(r).toMatchObject({ ok: true, chiSquare: 4, df: 1, mismatch: false });
    expect(r.ok && r.pValue).toBeCloseTo(0.0455003, 7);
  });

  it("5300 / 4700 → χ² = 36, p ≈ 1.97e-9 → mismatch", () => {
    // χ² = 300²/5000 · 2 = 36; p = erfc(√18) = 1.97318e-9
    const r = sampleRatioMismatch([5300, 4700]);
    expect(r).toMatchObject({ ok: true, chiSquare: 36, df: 1, mismatch: true });
    expect(r.ok && r.pValue / 1.9731752900753933e-9).toBeCloseTo(1, 8);
  });

  it("three equal arms 1000 / 1100 / 900 → χ² = 20, df 2, p = e^−10 → mismatch", () => {
    // expected 1000 each: 0 + 100²/1000 + 100²/1000 = 20; χ²₂ survival = e^(−20/2) = 4.53999e-5
    const r = sampleRatioMismatch([1000, 1100, 900]);
    expect(r).toMatchObject({ ok: true, chiSquare: 20, df: 2, mismatch: true });
    expect(r.ok && r.pValue / Math.exp(-10)).toBeCloseTo(1, 10);
  });

  it("three arms with a 25 / 25 / 50 allocation: 2600 / 2400 / 5000 → χ² = 8, p = e^−4", () => {
    // expected 2500 / 2500 / 5000: 100²/2500 · 2 + 0 = 8; p = e^−4 = 0.0183156
    const r = sampleRatioMismatch([2600, 2400, 5000], { weights: [1, 1, 2] });
    expect(r).toMatchObject({ ok: true, chiSquare: 8, df: 2, mismatch: false, expected: [2500, 2500, 5000] });
    expect(r.ok && r.pValue).toBeCloseTo(0.0183156389, 9);
  });

  it("a 90 / 10 plan observed as 50 / 50 is a mismatch", () => {
    const r = sampleRatioMismatch([500, 500], { weights: [9, 1] });
    expect(r.ok && r.mismatch).toBe(true);
  });

  it("custom threshold", () => {
    const r = sampleRatioMismatch([5100, 4900], { threshold: 0.05 });
    expect(r.ok && r.mismatch).toBe(true);
  });

  it("invalid input is a typed error", () => {
    expect(sampleRatioMismatch([10])).toMatchObject({ ok: false });
    expect(sampleRatioMismatch([0, 0])).toMatchObject({ ok: false, reason: "no visitors yet" });
    expect(sampleRatioMismatch([10, -1])).toMatchObject({ ok: false });
    expect(sampleRatioMismatch([10, 1.5])).toMatchObject({ ok: false });
    expect(sampleRatioMismatch([10, 10], { weights: [1] })).toMatchObject({ ok: false });
    expect(sampleRatioMismatch([10, 10], { weights: [1, 0] })).toMatchObject({ ok: false });
    expect(sampleRatioMismatch([10, 10], { threshold: 0 })).toMatchObject({ ok: false });
    expect(sampleRatioMismatch([10, 10], { weights: [1, 1e-320] })).toMatchObject({ ok: false });
  });
});
