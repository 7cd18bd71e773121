import { describe, it, expect } from "vitest";
import { compareProportions, diffConfidenceInterval } from "../../../core/stats";

describe("compareProportions", () => {
  it("200/1000 vs 240/1000: pooled z ≈ 2.159, p ≈ 0.0308", () => {
    // pooled p̄ = 440/2000 = 0.22; SE = √(0.22·0.78·(1/1000 + 1/1000)) = √0.0003432 = 0.0185257
    // z = 0.04 / 0.0185257 = 2.15917; p = 2·(1 − Φ(2.15917)) = 0.030837
    // unpooled SE = √(0.2·0.8/1000 + 0.24·0.76/1000) = √0.0003424 = 0.0185041
    // diff CI = 0.04 ± 1.959964·0.0185041 = 0.04 ± 0.0362673 = [0.0037327, 0.0762673]
    const r = compareProportions({ converted: 200, total: 1000 }, { converted: 240, total: 1000 });
    expect(r.rateA).toBeCloseTo(0.2, 12);
    expect(r.rateB).toBeCloseTo(0.24, 12);
    expect(r.diff).toBeCloseTo(0.04, 12);
    expect(r.relativeLift).toBeCloseTo(0.2, 12);
    expect(r.z).toBeCloseTo(2.15917, 5);
    expect(r.pValue).toBeCloseTo(0.030837, 6);
    expect(r.diffCi95![0]).toBeCloseTo(0.0037327, 7);
    expect(r.diffCi95![1]).toBeCloseTo(0.0762673, 7);
    expect(r.significant).toBe(true);
    expect(r.reason).toBeUndefined();
  });

  it("is antisymmetric when the arms are swapped", () => {
    const r = compareProportions({ converted: 240, total: 1000 }, { converted: 200, total: 1000 });
    expect(r.z).toBeCloseTo(-2.15917, 5);
    expect(r.pValue).toBeCloseTo(0.030837, 6);
    expect(r.relativeLift).toBeCloseTo(-0.04 / 0.24, 12);
    expect(r.significant).toBe(true);
  });

  it("unequal arms 30/120 vs 60/160", () => {
    // rates 0.25, 0.375; p̄ = 90/280 = 0.321429
    // pooled SE = √(0.321429·0.678571·(1/120 + 1/160)) = √(0.218112·0.0145833) = 0.0563986
    // z = 0.125 / 0.0563986 = 2.21637; p = 0.026666
    // unpooled SE = √(0.1875/120 + 0.234375/160) = √(0.0015625 + 0.00146484) = 0.0550258
    // CI = 0.125 ± 0.107849 = [0.017160, 0.232840]
    const r = compareProportions({ converted: 30, total: 120 }, { converted: 60, total: 160 });
    expect(r.z).toBeCloseTo(2.21637, 5);
    expect(r.pValue).toBeCloseTo(0.026666, 6);
    expect(r.diffCi95![0]).toBeCloseTo(0.01716, 5);
    expect(r.diffCi95![1]).toBeCloseTo(0.23284, 5);
  });

  it("honours a stricter alpha", () => {
    const r = compareProportions({ converted: 200, total: 1000 }, { converted: 240, total: 1000 }, { alpha: 0.01 });
    expect(r.significant).toBe(false);
    expect(compareProportions({ converted: 1, total: 2 }, { converted: 1, total: 2 }, { alpha: 2 }).reason).toMatch(/alpha/);
  });

  it("identical arms: z = 0, p = 1, not significant", () => {
    const r = compareProportions({ converted: 50, total: 500 }, { converted: 50, total: 500 });
    expect(r.z).toBe(0);
    expect(r.pValue).toBe(1);
    expect(r.significant).toBe(false);
  });

  it("no conversions anywhere: no test statistic (null, not NaN); relative lift undefined", () => {
    const r = compareProportions({ converted: 0, total: 500 }, { converted: 0, total: 500 });
    expect(r).toMatchObject({ rateA: 0, rateB: 0, diff: 0, z: null, pValue: null, relativeLift: null, significant: false });
    expect(r.diffCi95).toEqual([0, 0]);
  });

  it("zero control rate: relative lift null, test still defined", () => {
    const r = compareProportions({ converted: 0, total: 500 }, { converted: 10, total: 500 });
    expect(r.relativeLift).toBeNull();
    expect(r.z).not.toBeNull();
  });

  it("empty arm: everything null", () => {
    const r = compareProportions({ converted: 0, total: 0 }, { converted: 10, total: 500 });
    expect(r).toMatchObject({ rateA: null, rateB: 0.02, diff: null, diffCi95: null, z: null, pValue: null, significant: false });
  });

  it("invalid counts: nulls with a reason", () => {
    const r = compareProportions({ converted: 10, total: 5 }, { converted: 10, total: 500 });
    expect(r).toMatchObject({ rateA: null, rateB: null, z: null, significant: false });
    expect(r.reason).toMatch(/exceeds total/);
  });
});

describe("diffConfidenceInterval", () => {
  it("widens with confidence", () => {
    const a = { converted: 200, total: 1000 };
    const b = { converted: 240, total: 1000 };
    const ci90 = diffConfidenceInterval(a, b, 0.9)!;
    const ci99 = diffConfidenceInterval(a, b, 0.99)!;
    // 90 %: 0.04 ± 1.644854·0.0185041 = 0.04 ± 0.0304366
    expect(ci90[0]).toBeCloseTo(0.0095634, 6);
    expect(ci99[0]).toBeLessThan(0.0037327);
    expect(diffConfidenceInterval(a, b, 1)).toBeNull();
  });
});
