/**
 * Experiment readout: control vs variant conversion rates with a two-proportion z-test.
 */

import { twoSidedPValue, zTwoSided } from "./normal";
import { DEFAULT_ALPHA } from "./sampleSize";
import { countsProblem, rateOf, type Counts } from "./types";

/**
 * Unpooled Wald interval of rateB − rateA at the given confidence (default 0.95):
 * diff ± z·√(p_A(1−p_A)/n_A + p_B(1−p_B)/n_B). `null` for invalid counts, an empty
 * arm or a confidence outside (0, 1).
 *
 * @example diffConfidenceInterval({ converted: 200, total: 1000 }, { converted: 240, total: 1000 })
 *   // ≈ [0.00373, 0.07627]
 */
export function diffConfidenceInterval(control: Counts, variant: Counts, confidence = 0.95): [number, number] | null {
  if (countsProblem(control, "control") || countsProblem(variant, "variant")) return null;
  const z = zTwoSided(1 - confidence);
  const pA = rateOf(control);
  const pB = rateOf(variant);
  if (z === null || pA === null || pB === null) return null;
  const diff = pB - pA;
  const se = Math.sqrt((pA * (1 - pA)) / control.total + (pB * (1 - pB)) / variant.total);
  return [diff - z * se, diff + z * se];
}

/**
 * Comparison of two arms. Rates are fractions; `diff` = rateB − rateA (multiply by 100
 * for percentage points); `relativeLift` = diff / rateA. Any figure that is undefined
 * for the counts (empty arm, zero control rate, zero pooled variance) is `null`.
 *
 * @example { rateA: 0.2, rateB: 0.24, diff: 0.04, diffCi95: [0.00373, 0.07627],
 *            relativeLift: 0.2, z: 2.159, pValue: 0.0308, significant: true }
 */
export interface ProportionComparison {
  rateA: number | null;
  rateB: number | null;
  diff: number | null;
  diffCi95: [number, number] | null;
  relativeLift: number | null;
  z: number | null;
  pValue: number | null;
  significant: boolean;
  /** Set when the counts themselves are invalid (all figures are then null). */
  reason?: string;
}

/**
 * Two-sided two-proportion z-test of `variant` against `control`.
 * - z and p-value use the pooled SE √(p̄(1−p̄)(1/n_A + 1/n_B)): the variance under H₀
 *   (both arms share one rate), which is what the test's error rate is calibrated on.
 * - diffCi95 is the unpooled Wald interval diff ± z₀.₉₇₅·√(p_A(1−p_A)/n_A + p_B(1−p_B)/n_B):
 *   an interval describes the difference as it is, so each arm keeps its own variance.
 * - significant = pValue < alpha (default 0.05); false whenever pValue is null.
 *
 * @example compareProportions({ converted: 200, total: 1000 }, { converted: 240, total: 1000 })
 *   // z ≈ 2.1591, pValue ≈ 0.0308, significant: true
 */
export function compareProportions(control: Counts, variant: Counts, options: { alpha?: number } = {}): ProportionComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const problem =
    countsProblem(control, "control") ?? countsProblem(variant, "variant") ?? (alpha > 0 && alpha < 1 ? null : "alpha must be between 0 and 1 (exclusive)");
  const rateA = problem ? null : rateOf(control);
  const rateB = problem ? null : rateOf(variant);
  if (rateA === null || rateB === null) {
    return {
      rateA,
      rateB,
      diff: null,
      diffCi95: null,
      relativeLift: null,
      z: null,
      pValue: null,
      significant: false,
      ...(problem ? { reason: problem } : {}),
    };
  }
  const nA = control.total;
  const nB = variant.total;
  const diff = rateB - rateA;
  const diffCi95 = diffConfidenceInterval(control, variant, 0.95);

  const pooled = (control.converted + variant.converted) / (nA + nB);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  // Both rates 0 or both 1: no variance, so no test statistic (not "z = 0, p = 1").
  const z = sePooled > 0 ? diff / sePooled : null;
  const pValue = z === null ? null : twoSidedPValue(z);

  return {
    rateA,
    rateB,
    diff,
    diffCi95,
    relativeLift: rateA > 0 ? diff / rateA : null,
    z,
    pValue,
    significant: pValue !== null && pValue < alpha,
  };
}
