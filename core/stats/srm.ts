/**
 * Sample-ratio mismatch (SRM): did the arms receive the traffic split they were meant
 * to? A mismatch means assignment or tracking is broken, and the experiment's other
 * figures cannot be trusted, however significant they look.
 */

import { chiSquareSurvival } from "./gamma";
import type { StatsError } from "./types";

/**
 * SRM is flagged below this p-value. Deliberately strict (the usual industry choice):
 * the check runs on every readout, and at 0.05 one healthy test in twenty would be
 * flagged as broken.
 */
export const SRM_THRESHOLD = 0.001;

/**
 * Chi-square goodness of fit of the observed arm sizes against the planned allocation.
 *
 * @example { ok: true, chiSquare: 4, df: 1, pValue: 0.0455, mismatch: false, expected: [5000, 5000] }
 */
export interface SrmResult {
  ok: true;
  chiSquare: number;
  df: number;
  pValue: number;
  mismatch: boolean;
  /** Expected visitors per arm under the planned allocation. */
  expected: number[];
}

/** @example const r: SrmCheck = sampleRatioMismatch([5100, 4900]); */
export type SrmCheck = SrmResult | StatsError;

/**
 * χ² = Σ (observed − expected)² / expected with k − 1 degrees of freedom, where
 * expected follows `weights` (default equal; e.g. [1, 1, 2] for 25/25/50 %).
 * `mismatch` = pValue < `threshold` (default 0.001). Needs ≥ 2 arms and ≥ 1 visitor.
 *
 * @example sampleRatioMismatch([5300, 4700]) // chiSquare 36, pValue ≈ 1.97e-9, mismatch: true
 * @example sampleRatioMismatch([2600, 2400, 5000], { weights: [1, 1, 2] }) // chiSquare 8, df 2
 */
export function sampleRatioMismatch(observed: readonly number[], options: { weights?: readonly number[]; threshold?: number } = {}): SrmCheck {
  const k = observed.length;
  const weights = options.weights ?? observed.map(() => 1);
  const threshold = options.threshold ?? SRM_THRESHOLD;
  if (k < 2) return { ok: false, reason: "needs at least 2 arms" };
  if (weights.length !== k) return { ok: false, reason: `expected ${k} allocation weights, got ${weights.length}` };
  if (observed.some((o) => !Number.isSafeInteger(o) || o < 0)) {
    return { ok: false, reason: "visitor counts must be non-negative whole numbers" };
  }
  if (weights.some((w) => !(w > 0) || !Number.isFinite(w))) {
    return { ok: false, reason: "allocation weights must be positive numbers" };
  }
  if (!(threshold > 0 && threshold < 1)) return { ok: false, reason: "threshold must be between 0 and 1 (exclusive)" };
  const n = observed.reduce((s, o) => s + o, 0);
  if (n === 0) return { ok: false, reason: "no visitors yet" };

  const wSum = weights.reduce((s, w) => s + w, 0);
  const expected = weights.map((w) => (n * w) / wSum);
  let chiSquare = 0;
  for (let i = 0; i < k; i++) chiSquare += (observed[i] - expected[i]) ** 2 / expected[i];
  // Only reachable with weights so lopsided that an expected count underflows to 0.
  if (!Number.isFinite(chiSquare)) return { ok: false, reason: "allocation weights are too unequal to test" };
  const df = k - 1;
  // Non-null: df ≥ 1 and chiSquare is finite and ≥ 0.
  const pValue = chiSquareSurvival(chiSquare, df) as number;
  return { ok: true, chiSquare, df, pValue, mismatch: pValue < threshold, expected };
}
