import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { chiSquareSurvival, compareProportions, lift, normalCdf, normalQuantile, sampleRatioMismatch, sampleSizePerArm, verdict } from "../../../core/stats";

const rate = fc.double({ min: 0.001, max: 0.6, noNaN: true });
const counts = fc
  .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }))
  .map(([a, b]) => ({ converted: Math.min(a, b), total: Math.max(a, b) }));

/** True when no number anywhere in the value is NaN or ±Infinity. */
function allFinite(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(allFinite);
  if (v && typeof v === "object") return Object.values(v).every(allFinite);
  return true;
}

describe("properties", () => {
  it("Φ⁻¹(Φ(x)) ≈ x", () => {
    fc.assert(
      // Lower tail down to p ≈ 1e-300. Above x ≈ 5 the round trip is limited by p itself:
      // 1 − Φ(x) keeps only a few digits next to 1, which no inverse can recover.
      fc.property(fc.double({ min: -37, max: 5, noNaN: true }), (x) => {
        expect(normalQuantile(normalCdf(x)!)).toBeCloseTo(x, 8);
      }),
    );
  });

  it("Φ(Φ⁻¹(p)) ≈ p", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => {
        expect(Math.abs(normalCdf(normalQuantile(p)!)! - p)).toBeLessThanOrEqual(1e-12 * Math.max(p, 1e-3));
      }),
    );
  });

  it("sample size shrinks as the MDE grows", () => {
    fc.assert(
      fc.property(rate, fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), (p1, m1, m2) => {
        const [lo, hi] = m1 < m2 ? [m1, m2] : [m2, m1];
        const a = sampleSizePerArm({ baseline: p1, mde: lo });
        const b = sampleSizePerArm({ baseline: p1, mde: hi });
        fc.pre(a.ok && b.ok);
        if (a.ok && b.ok) expect(b.perVariant).toBeLessThanOrEqual(a.perVariant);
      }),
    );
  });

  it("sample size grows with power and with stricter alpha", () => {
    fc.assert(
      fc.property(rate, fc.double({ min: 0.05, max: 0.5, noNaN: true }), (p1, mde) => {
        const base = sampleSizePerArm({ baseline: p1, mde });
        const morePower = sampleSizePerArm({ baseline: p1, mde, power: 0.9 });
        const stricter = sampleSizePerArm({ baseline: p1, mde, alpha: 0.01 });
        fc.pre(base.ok && morePower.ok && stricter.ok);
        if (base.ok && morePower.ok && stricter.ok) {
          expect(morePower.perVariant).toBeGreaterThanOrEqual(base.perVariant);
          expect(stricter.perVariant).toBeGreaterThanOrEqual(base.perVariant);
        }
      }),
    );
  });

  it("sample size never returns NaN/Infinity, whatever the input", () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), fc.double(), fc.double(), (baseline, mde, alpha, power) => {
        const r = sampleSizePerArm({ baseline, mde, alpha, power });
        expect(allFinite(r)).toBe(true);
        if (r.ok) expect(Number.isSafeInteger(r.perVariant) && r.perVariant >= 1).toBe(true);
      }),
    );
  });

  it("lift, comparison and verdict outputs are always finite or null", () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        expect(allFinite(lift(a, b))).toBe(true);
        expect(allFinite(compareProportions(a, b))).toBe(true);
        expect(allFinite(verdict({ control: a, variant: b, mde: 0.1 }))).toBe(true);
      }),
    );
  });

  it("the lift interval contains the ratio; the diff interval contains the diff", () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const l = lift(a, b);
        if (l.ci95 && l.ratio !== null) {
          expect(l.ci95[0]).toBeLessThanOrEqual(l.ratio * (1 + 1e-12));
          expect(l.ci95[1]).toBeGreaterThanOrEqual(l.ratio * (1 - 1e-12));
        }
        const c = compareProportions(a, b);
        if (c.diffCi95 && c.diff !== null) {
          expect(c.diffCi95[0]).toBeLessThanOrEqual(c.diff);
          expect(c.diffCi95[1]).toBeGreaterThanOrEqual(c.diff);
        }
        if (c.pValue !== null) expect(c.pValue >= 0 && c.pValue <= 1).toBe(true);
      }),
    );
  });

  it("chi-square survival is a decreasing probability in x", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }), fc.integer({ min: 1, max: 30 }), (x1, x2, df) => {
        const [lo, hi] = x1 < x2 ? [x1, x2] : [x2, x1];
        const pLo = chiSquareSurvival(lo, df)!;
        const pHi = chiSquareSurvival(hi, df)!;
        expect(pLo >= 0 && pLo <= 1 && pHi >= 0 && pHi <= 1).toBe(true);
        expect(pHi).toBeLessThanOrEqual(pLo + 1e-14);
      }),
    );
  });

  it("SRM never flags a split that matches the allocation exactly", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 2, maxLength: 6 }), (arms) => {
        const r = sampleRatioMismatch(arms, { weights: arms });
        expect(r.ok && r.mismatch).toBe(false);
        if (r.ok) expect(r.chiSquare).toBeCloseTo(0, 9);
      }),
    );
  });
});
