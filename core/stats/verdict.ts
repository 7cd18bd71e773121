/**
 * Plain-language verdict of one experiment step, for merchants who do not read p-values.
 */

import { DEFAULT_ALPHA, DEFAULT_POWER, sampleSizePerArm } from "./sampleSize";
import { sampleRatioMismatch, type SrmResult } from "./srm";
import { compareProportions, diffConfidenceInterval, type ProportionComparison } from "./twoProportion";
import { countsProblem, type Counts } from "./types";

/**
 * An experiment step's counts and the plan it was sized with. `allocation` holds the
 * planned traffic weights of [control, variant] (default [1, 1] = 50/50).
 *
 * @example const input: VerdictInput = { control: { converted: 90, total: 1000 }, variant: { converted: 99, total: 1000 }, mde: 0.1 };
 */
export interface VerdictInput {
  control: Counts;
  variant: Counts;
  mde: number;
  alpha?: number;
  power?: number;
  allocation?: readonly [number, number];
}

/**
 * The verdict: `kind` for code, `message` for people. Kinds, in order of precedence:
 * invalid → srm → not-enough-data → variant-wins / variant-loses → no-difference.
 *
 * @example { kind: "variant-wins", message: "variant B wins: +4.0 pp (95 % CI 0.4 to 7.6 pp)", ... }
 */
export type Verdict =
  | { kind: "invalid"; message: string }
  | { kind: "srm"; message: string; srm: SrmResult; comparison: ProportionComparison }
  | {
      kind: "not-enough-data";
      message: string;
      /** null when the control has no conversions yet, so no baseline to size from. */
      requiredPerVariant: number | null;
      moreVisitorsPerVariant: number | null;
      comparison: ProportionComparison;
    }
  | {
      kind: "variant-wins" | "variant-loses" | "no-difference";
      message: string;
      requiredPerVariant: number;
      /** Interval of rateB − rateA at the planned confidence 1 − alpha. */
      diffCi: [number, number];
      comparison: ProportionComparison;
    };

/**
 * Decides what an experiment step says:
 * 1. invalid counts or plan → "invalid";
 * 2. sample-ratio mismatch (p < 0.001) → "srm", before anything else: with broken
 *    assignment no other figure can be trusted;
 * 3. either arm below the per-arm sample size (sized with the control's observed rate
 *    as baseline and the planned MDE/alpha/power) → "not enough data yet: ~N more
 *    visitors per variant". A significant result before then is not reported: checking
 *    repeatedly and stopping at the first p < alpha inflates false positives well past alpha;
 * 4. p < alpha (pooled z-test) and the (1 − alpha) interval on the side of the
 *    difference → "variant B wins" / "variant B loses", with the difference in points;
 * 5. otherwise → "no detectable difference". If the pooled test and the unpooled
 *    interval disagree (possible only at the margin with unequal arms), this is the
 *    answer too: a claim should not rest on the choice of variance formula.
 *
 * @example verdict({ control: { converted: 1800, total: 20000 }, variant: { converted: 2100, total: 20000 }, mde: 0.1 }).message
 *   // "variant B wins: +1.5 pp (95 % CI 0.9 to 2.1 pp)"
 */
export function verdict(input: VerdictInput): Verdict {
  const { control, variant, mde } = input;
  const alpha = input.alpha ?? DEFAULT_ALPHA;
  const power = input.power ?? DEFAULT_POWER;
  const allocation = input.allocation ?? [1, 1];

  const problem =
    countsProblem(control, "control") ??
    countsProblem(variant, "variant") ??
    (mde > 0 && Number.isFinite(mde) ? null : "minimum detectable effect must be a positive relative change") ??
    (alpha > 0 && alpha < 1 ? null : "alpha must be between 0 and 1 (exclusive)") ??
    (power > 0 && power < 1 ? null : "power must be between 0 and 1 (exclusive)") ??
    (allocation.every((w) => w > 0 && Number.isFinite(w)) ? null : "allocation weights must be positive numbers");
  if (problem) return { kind: "invalid", message: problem };

  const comparison = compareProportions(control, variant, { alpha });
  const level = `${formatNumber((1 - alpha) * 100)} % CI`;

  // No visitors at all is "not enough data", not a mismatch; the SRM check needs some.
  if (control.total + variant.total > 0) {
    const srm = sampleRatioMismatch([control.total, variant.total], { weights: allocation });
    if (srm.ok && srm.mismatch) {
      const share = (w: number) => `${formatNumber((w / (allocation[0] + allocation[1])) * 100)} %`;
      return {
        kind: "srm",
        message:
          `sample ratio mismatch: ${group(control.total)} vs ${group(variant.total)} visitors where ` +
          `${share(allocation[0])} / ${share(allocation[1])} was planned (${formatP(srm.pValue)}); ` +
          "check assignment and tracking before reading results",
        srm,
        comparison,
      };
    }
  }

  if (control.converted === 0) {
    return {
      kind: "not-enough-data",
      message: "not enough data yet: no conversions in control, so the sample size cannot be estimated",
      requiredPerVariant: null,
      moreVisitorsPerVariant: null,
      comparison,
    };
  }
  const size = sampleSizePerArm({ baseline: control.converted / control.total, mde, alpha, power });
  if (!size.ok) return { kind: "invalid", message: `cannot size this test: ${size.reason}` };
  const required = size.perVariant;
  // The arm furthest behind decides; the formula assumes arms of equal size.
  const more = required - Math.min(control.total, variant.total);
  if (more > 0) {
    return {
      kind: "not-enough-data",
      message:
        `not enough data yet: ~${group(more)} more visitors per variant ` +
        `(${group(required)} per variant to detect a ${formatNumber(mde * 100)} % relative change)`,
      requiredPerVariant: required,
      moreVisitorsPerVariant: more,
      comparison,
    };
  }

  // Both arms are non-empty here (each has ≥ required ≥ 1 visitors), so these are defined.
  const diff = comparison.diff as number;
  const diffCi = diffConfidenceInterval(control, variant, 1 - alpha) as [number, number];
  const ciText = `(${level} ${pp(diffCi[0])} to ${pp(diffCi[1])} pp)`;
  const excludesZero = diffCi[0] > 0 || diffCi[1] < 0;
  if (comparison.significant && excludesZero) {
    const wins = diff > 0;
    return {
      kind: wins ? "variant-wins" : "variant-loses",
      message: `variant B ${wins ? "wins" : "loses"}: ${signedPp(diff)} pp ${ciText}`,
      requiredPerVariant: required,
      diffCi,
      comparison,
    };
  }
  return {
    kind: "no-difference",
    message: `no detectable difference: ${signedPp(diff)} pp ${ciText}`,
    requiredPerVariant: required,
    diffCi,
    comparison,
  };
}

/** Percentage points, one decimal, ASCII minus; avoids "-0.0". */
function pp(x: number): string {
  const s = (x * 100).toFixed(1);
  return s === "-0.0" ? "0.0" : s;
}

function signedPp(x: number): string {
  const s = pp(x);
  return s.startsWith("-") || s === "0.0" ? s : `+${s}`;
}

/** 95 → "95", 97.5 → "97.5", 33.333… → "33.3": no trailing ".0". */
function formatNumber(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** 16580 → "16,580"; locale-free so messages are identical on every server. */
function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatP(p: number): string {
  return p < 0.0001 ? "p < 0.0001" : `p = ${p.toPrecision(2)}`;
}
