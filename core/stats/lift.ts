/**
 * Micro-conversion value: how much more likely visitors who did a micro step reach the
 * macro goal than those who did not (docs/funnel-semantics.md, "Micro-conversion value").
 */

import { zTwoSided } from "./normal";
import { countsProblem, rateOf, type Counts } from "./types";

/** The spec shows lift only when both groups have at least this many visitors. */
export const MIN_LIFT_GROUP = 30;

// z₀.₉₇₅ computed once rather than hard-coding 1.96, so the interval is exact to the digit.
const Z95 = zTwoSided(0.05) as number;

/**
 * Relative risk of the macro goal in group A (did the micro step) vs group B (did not).
 * `ratio` and `ci95` are `null` when undefined; `eligible` is the display rule
 * (both groups ≥ 30 visitors, valid counts); `reason` explains any of these.
 *
 * @example { rateA: 0.2, rateB: 0.05, ratio: 4, ci95: [2.716, 5.891], eligible: true }
 */
export interface LiftResult {
  rateA: number | null;
  rateB: number | null;
  ratio: number | null;
  ci95: [number, number] | null;
  eligible: boolean;
  reason?: string;
}

/**
 * lift = P(goal | A) / P(goal | B) with a 95 % Katz (log relative-risk) interval:
 * exp(ln RR ± z·se), se = √(1/a − 1/n₁ + 1/c − 1/n₂), a and c the conversions.
 *
 * Zero conversions: no continuity correction is applied, because a made-up half
 * conversion would show a confident-looking number the data does not support.
 * - no conversions in B → ratio `null` (division by zero), interval `null`;
 * - none in A (B has some) → ratio 0 is a true point estimate, interval `null`
 *   (its log bound is −∞).
 * Ratio and interval are still computed for groups under 30 so a debug view can show
 * them; the UI must honour `eligible`.
 *
 * @example lift({ converted: 40, total: 200 }, { converted: 50, total: 1000 })
 *   // { rateA: 0.2, rateB: 0.05, ratio: 4, ci95: [≈2.716, ≈5.891], eligible: true }
 * @example lift({ converted: 90, total: 350 }, { converted: 0, total: 650 }).ratio // null
 */
export function lift(a: Counts, b: Counts): LiftResult {
  const problem = countsProblem(a, "group A") ?? countsProblem(b, "group B");
  if (problem) return { rateA: null, rateB: null, ratio: null, ci95: null, eligible: false, reason: problem };

  const rateA = rateOf(a);
  const rateB = rateOf(b);
  const smaller = Math.min(a.total, b.total);
  const tooSmall = smaller < MIN_LIFT_GROUP ? `needs ≥ ${MIN_LIFT_GROUP} visitors in each group; has ${smaller}` : null;

  if (rateA === null || rateB === null || b.converted === 0) {
    const why =
      rateA === null || rateB === null
        ? "a group has no visitors"
        : a.converted === 0
          ? "no conversions in either group; lift is undefined"
          : "no conversions in group B; lift is unbounded";
    return { rateA, rateB, ratio: null, ci95: null, eligible: false, reason: tooSmall ?? why };
  }

  const ratio = rateA / rateB;
  if (a.converted === 0) {
    return {
      rateA,
      rateB,
      ratio: 0,
      ci95: null,
      eligible: tooSmall === null,
      reason: tooSmall ?? "no conversions in group A; no confidence interval",
    };
  }

  const se = Math.sqrt(1 / a.converted - 1 / a.total + 1 / b.converted - 1 / b.total);
  const log = Math.log(ratio);
  const ci95: [number, number] = [Math.exp(log - Z95 * se), Math.exp(log + Z95 * se)];
  return tooSmall === null ? { rateA, rateB, ratio, ci95, eligible: true } : { rateA, rateB, ratio, ci95, eligible: false, reason: tooSmall };
}
