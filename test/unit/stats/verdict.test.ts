import { describe, it, expect } from "vitest";
import { verdict } from "../../../core/stats";

const c = (converted: number, total: number) => ({ converted, total });

describe("verdict", () => {
  it("not enough data: uses the control rate as baseline (9 % + 10 % → 16,580 per variant)", () => {
    const v = verdict({ control: c(90, 1000), variant: c(99, 1000), mde: 0.1 });
    expect(v.kind).toBe("not-enough-data");
    if (v.kind !== "not-enough-data") return;
    expect(v.requiredPerVariant).toBe(16580);
    expect(v.moreVisitorsPerVariant).toBe(15580);
    expect(v.message).toMatch(/^not enough data yet: ~15,580 more visitors per variant/);
  });

  it("the arm furthest behind decides how many more are needed", () => {
    const v = verdict({ control: c(1500, 17000), variant: c(1400, 16000), mde: 0.1, allocation: [17, 16] });
    // control rate 1500/17000 = 8.82 %; required is computed for that baseline
    expect(v.kind).toBe("not-enough-data");
    if (v.kind === "not-enough-data") expect(v.moreVisitorsPerVariant).toBe(v.requiredPerVariant! - 16000);
  });

  it("does not call a winner before the planned sample, however small p is (no peeking)", () => {
    const v = verdict({ control: c(90, 1000), variant: c(150, 1000), mde: 0.1 });
    expect(v.kind).toBe("not-enough-data");
    if (v.kind === "not-enough-data") expect(v.comparison.significant).toBe(true);
  });

  it("variant wins: 1800/20000 vs 2100/20000 → +1.5 pp (95 % CI 0.9 to 2.1)", () => {
    // diff = 0.105 − 0.09 = 0.015; SE = √(0.09·0.91/20000 + 0.105·0.895/20000) = 0.00296543
    // CI = 0.015 ± 1.959964·0.00296543 = [0.0091879, 0.0208121] → 0.9 to 2.1 pp
    const v = verdict({ control: c(1800, 20000), variant: c(2100, 20000), mde: 0.1 });
    expect(v.kind).toBe("variant-wins");
    expect(v.message).toBe("variant B wins: +1.5 pp (95 % CI 0.9 to 2.1 pp)");
    if (v.kind === "variant-wins") {
      expect(v.requiredPerVariant).toBe(16580);
      expect(v.diffCi[0]).toBeCloseTo(0.0091879, 6);
    }
  });

  it("variant loses: the mirror case", () => {
    // baseline 10.5 % + 10 % → 13,964 per variant ≤ 20,000
    const v = verdict({ control: c(2100, 20000), variant: c(1800, 20000), mde: 0.1 });
    expect(v.kind).toBe("variant-loses");
    expect(v.message).toBe("variant B loses: -1.5 pp (95 % CI -2.1 to -0.9 pp)");
  });

  it("no detectable difference: 1800/20000 vs 1850/20000 (p ≈ 0.385)", () => {
    // diff 0.0025; CI = 0.0025 ± 1.959964·0.00287964 = [−0.0031439, 0.0081439]
    const v = verdict({ control: c(1800, 20000), variant: c(1850, 20000), mde: 0.1 });
    expect(v.kind).toBe("no-difference");
    expect(v.message).toBe("no detectable difference: +0.3 pp (95 % CI -0.3 to 0.8 pp)");
  });

  it("labels the interval with the planned confidence (alpha 0.1 → 90 % CI)", () => {
    // 1800 vs 1900 of 20000: p = 0.0844 < 0.1; 90 % CI = 0.005 ± 1.644854·0.00291 = [0.00023, 0.00977]
    const v = verdict({ control: c(1800, 20000), variant: c(1900, 20000), mde: 0.1, alpha: 0.1 });
    expect(v.message).toBe("variant B wins: +0.5 pp (90 % CI 0.0 to 1.0 pp)");
  });

  it("pooled test and unpooled interval disagreeing at the margin → no claim", () => {
    // 16/40 vs 13/60 with MDE +100 % (needs 20 per arm): pooled p = 0.0478 < 0.05,
    // but the unpooled 95 % CI is [−36.7, +0.1] pp, which contains 0.
    const v = verdict({ control: c(16, 40), variant: c(13, 60), mde: 1, allocation: [2, 3] });
    expect(v.kind).toBe("no-difference");
    if (v.kind === "no-difference") {
      expect(v.comparison.significant).toBe(true);
      expect(v.message).toBe("no detectable difference: -18.3 pp (95 % CI -36.7 to 0.1 pp)");
    }
  });

  it("SRM takes precedence over everything else", () => {
    // 5300 vs 4700 visitors on a 50/50 plan: χ² = 36, p ≈ 2e-9 — even with a clear "win"
    const v = verdict({ control: c(477, 5300), variant: c(1000, 4700), mde: 0.1 });
    expect(v.kind).toBe("srm");
    expect(v.message).toBe(
      "sample ratio mismatch: 5,300 vs 4,700 visitors where 50 % / 50 % was planned (p < 0.0001); " + "check assignment and tracking before reading results",
    );
    // and before "not enough data"
    expect(verdict({ control: c(10, 530), variant: c(10, 470), mde: 0.1 }).kind).not.toBe("srm"); // χ² = 3.6, fine
    expect(verdict({ control: c(10, 5300), variant: c(10, 4700), mde: 0.1 }).kind).toBe("srm");
  });

  it("a planned 90 / 10 split is not a mismatch", () => {
    const v = verdict({ control: c(810, 9000), variant: c(100, 1000), mde: 0.1, allocation: [9, 1] });
    expect(v.kind).toBe("not-enough-data");
  });

  it("no conversions in control yet: not enough data, size unknown", () => {
    const v = verdict({ control: c(0, 400), variant: c(3, 400), mde: 0.1 });
    expect(v).toMatchObject({ kind: "not-enough-data", requiredPerVariant: null, moreVisitorsPerVariant: null });
    expect(verdict({ control: c(0, 0), variant: c(0, 0), mde: 0.1 }).kind).toBe("not-enough-data");
  });

  it("invalid counts or plan", () => {
    expect(verdict({ control: c(5, 3), variant: c(1, 10), mde: 0.1 }).kind).toBe("invalid");
    expect(verdict({ control: c(5, 30), variant: c(1, 10), mde: 0 }).kind).toBe("invalid");
    expect(verdict({ control: c(5, 30), variant: c(1, 10), mde: 0.1, alpha: 1 }).kind).toBe("invalid");
    expect(verdict({ control: c(5, 30), variant: c(1, 10), mde: 0.1, power: 0 }).kind).toBe("invalid");
    expect(verdict({ control: c(5, 30), variant: c(1, 10), mde: 0.1, allocation: [1, 0] }).kind).toBe("invalid");
    // a control converting 95 % cannot rise by 10 %
    const v = verdict({ control: c(95, 100), variant: c(96, 100), mde: 0.1 });
    expect(v.kind).toBe("invalid");
    expect(v.message).toMatch(/^cannot size this test/);
  });
});
