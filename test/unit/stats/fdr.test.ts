import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { benjaminiHochberg } from "../../../core/stats/fdr";

describe("benjaminiHochberg", () => {
  it("rejects every hypothesis when each sorted p-value is under its k·q/m line", () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 against 0.0125, 0.025, 0.0375, 0.05.
    const r = benjaminiHochberg([0.01, 0.04, 0.03, 0.005], 0.05);
    expect(r.rejected).toEqual([true, true, true, true]);
    // m·p/k = 0.02, 0.02, 0.04, 0.04 (by rank), then the running minimum from the top.
    r.adjusted.forEach((a, i) => expect(a).toBeCloseTo([0.02, 0.04, 0.04, 0.02][i], 12));
  });

  it("steps up: a p-value over its own line is rejected when a later rank passes", () => {
    // 0.013 > 0.0125 (rank 1) but 0.02 ≤ 0.025 (rank 2) → ranks 1 and 2 rejected.
    // Adjusted: min(4·0.013/1, 4·0.02/2) = 0.04 for both; 0.95 for ranks 3–4 (1.2 capped by 0.95).
    const r = benjaminiHochberg([0.013, 0.02, 0.9, 0.95], 0.05);
    expect(r.rejected).toEqual([true, true, false, false]);
    r.adjusted.forEach((a, i) => expect(a).toBeCloseTo([0.04, 0.04, 0.95, 0.95][i], 12));
  });

  it("rejects nothing when no rank passes (all adjusted 0.0533…)", () => {
    const r = benjaminiHochberg([0.02, 0.03, 0.04, 0.2], 0.05);
    expect(r.rejected).toEqual([false, false, false, false]);
    expect(r.adjusted[0]).toBeCloseTo((0.04 * 4) / 3, 12);
  });

  it("leaves null p-values out of m", () => {
    const r = benjaminiHochberg([null, 0.01], 0.05);
    expect(r).toEqual({ rejected: [false, true], adjusted: [null, 0.01] });
    expect(() => benjaminiHochberg([0.1], 0)).toThrow(/q must be/);
  });

  it("is never laxer than q/m for the smallest p-value nor stricter than Bonferroni", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (ps) => {
        const r = benjaminiHochberg(ps, 0.05);
        ps.forEach((p, i) => {
          if (p <= 0.05 / ps.length) expect(r.rejected[i]).toBe(true); // Bonferroni rejects → BH rejects
          expect(r.adjusted[i]!).toBeGreaterThanOrEqual(p - 1e-15);
        });
        if (r.rejected.some(Boolean)) expect(Math.min(...ps)).toBeLessThanOrEqual(0.05);
      }),
    );
  });
});
