/**
 * Testing planner: visitors needed per arm for a two-sided two-proportion test, and
 * how many weeks of the shop's traffic that takes (docs/funnel-semantics.md,
 * "Testing planner").
 */

import { normalQuantile, zTwoSided } from "./normal";
import type { StatsError } from "./types";

/** Defaults of the planner: 5 % false-positive rate, 80 % power. */
export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_POWER = 0.8;

/**
 * What to size a test for. `mde` is the minimum detectable effect *relative* to the
 * baseline (0.1 = +10 %, so p₂ = p₁·1.1).
 *
 * @example const input: SampleSizeInput = { baseline: 0.09, mde: 0.1 };
 */
export interface SampleSizeInput {
  baseline: number;
  mde: number;
  alpha?: number;
  power?: number;
}

/**
 * A valid sample size: the two rates compared and the visitors needed in each arm.
 *
 * @example { ok: true, p1: 0.09, p2: 0.099, perVariant: 16580 }
 */
export interface SampleSize {
  ok: true;
  p1: number;
  p2: number;
  perVariant: number;
}

/** @example const r: SampleSizeResult = sampleSizePerArm({ baseline: 0.35, mde: 0.1 }); */
export type SampleSizeResult = SampleSize | StatsError;

interface Prepared {
  p1: number;
  p2: number;
  zAlpha: number;
  zBeta: number;
}

/** Validates once for both variance flavours; every rejection says what to fix. */
function prepare(input: SampleSizeInput): Prepared | StatsError {
  const { baseline, mde } = input;
  const alpha = input.alpha ?? DEFAULT_ALPHA;
  const power = input.power ?? DEFAULT_POWER;
  if (!(baseline > 0 && baseline < 1)) {
    return { ok: false, reason: "baseline conversion rate must be between 0 and 1 (exclusive)" };
  }
  if (!(mde > 0) || !Number.isFinite(mde)) {
    return { ok: false, reason: "minimum detectable effect must be a positive relative change (e.g. 0.1 for +10 %)" };
  }
  if (!(alpha > 0 && alpha < 1)) return { ok: false, reason: "alpha must be between 0 and 1 (exclusive)" };
  if (!(power > 0 && power < 1)) return { ok: false, reason: "power must be between 0 and 1 (exclusive)" };
  const p2 = baseline * (1 + mde);
  if (!(p2 < 1)) {
    return { ok: false, reason: `baseline ${pct(baseline)} with +${pct(mde)} relative effect reaches ${pct(p2)}, which is not a possible rate` };
  }
  // Both are non-null: alpha and power were checked to lie in (0, 1).
  return { p1: baseline, p2, zAlpha: zTwoSided(alpha) as number, zBeta: normalQuantile(power) as number };
}

/** Rounds the real-valued n up, tolerating float noise (3838.0000000001 is 3838). */
function finish(p: Prepared, n: number): SampleSizeResult {
  // Underflow of (p₂ − p₁)² for absurdly small effects would give Infinity.
  if (!Number.isFinite(n) || n > Number.MAX_SAFE_INTEGER) {
    return { ok: false, reason: "effect is too small to detect with any realistic traffic" };
  }
  return { ok: true, p1: p.p1, p2: p.p2, perVariant: Math.max(1, Math.ceil(n - 1e-9)) };
}

/**
 * Visitors per arm for a two-sided two-proportion z-test, the formula of the spec:
 * n = (z₁₋α/₂ + z₁₋β)² · [p₁(1−p₁) + p₂(1−p₂)] / (p₂ − p₁)², p₂ = p₁·(1 + MDE), rounded up.
 * Invalid input (baseline ∉ (0,1), p₂ ≥ 1, MDE ≤ 0, α or power ∉ (0,1)) gives `{ ok: false }`.
 *
 * @example sampleSizePerArm({ baseline: 0.09, mde: 0.1 }) // { ok: true, p1: 0.09, p2: 0.099, perVariant: 16580 }
 */
export function sampleSizePerArm(input: SampleSizeInput): SampleSizeResult {
  const p = prepare(input);
  if ("ok" in p) return p;
  const { p1, p2, zAlpha, zBeta } = p;
  const n = ((zAlpha + zBeta) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2))) / (p2 - p1) ** 2;
  return finish(p, n);
}

/**
 * Variant with the variance under H₀ taken from the baseline in both arms, as Evan
 * Miller's online calculator does:
 * n = (z₁₋α/₂·√(2p₁(1−p₁)) + z₁₋β·√(p₁(1−p₁) + p₂(1−p₂)))² / (p₂ − p₁)².
 * Offered so a merchant comparing with that calculator can see where a few percent
 * difference comes from; the planner itself uses `sampleSizePerArm`.
 *
 * @example sampleSizePerArmPooled({ baseline: 0.1, mde: 0.2 }) // perVariant 3623 (vs 3839 unpooled)
 */
export function sampleSizePerArmPooled(input: SampleSizeInput): SampleSizeResult {
  const p = prepare(input);
  if ("ok" in p) return p;
  const { p1, p2, zAlpha, zBeta } = p;
  const s = zAlpha * Math.sqrt(2 * p1 * (1 - p1)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return finish(p, (s * s) / (p2 - p1) ** 2);
}

/**
 * Planner input: sizing plus the traffic that would enter the test per week (all arms
 * together) and the number of arms including control.
 *
 * @example const plan: PlanInput = { baseline: 0.35, mde: 0.1, weeklyVisitors: 1000 };
 */
export interface PlanInput extends SampleSizeInput {
  weeklyVisitors: number;
  variants?: number;
}

/**
 * A test plan: per-arm and total visitors, and whole weeks to collect them
 * (`null` when the shop has no weekly traffic to estimate from).
 *
 * @example { ok: true, p1: 0.35, p2: 0.385, perVariant: 2975, total: 5950, weeks: 6 }
 */
export interface TestPlan {
  ok: true;
  p1: number;
  p2: number;
  perVariant: number;
  total: number;
  weeks: number | null;
}

/** @example const r: TestPlanResult = planTest({ baseline: 0.09, mde: 0.1, weeklyVisitors: 1000 }); */
export type TestPlanResult = TestPlan | StatsError;

/**
 * Plans an A/B(/n) test on a rate: per-arm size from `sampleSizePerArm`, total over
 * `variants` arms (default 2, equal split) and weeks = ⌈total / weeklyVisitors⌉,
 * rounded up because a test should run whole weeks (weekday/weekend cycles).
 * With more than two arms each is compared with control at the given alpha; no
 * multiple-comparison correction is applied (pass a smaller alpha for that).
 *
 * @example planTest({ baseline: 0.09, mde: 0.1, weeklyVisitors: 1000 })
 *   // { ok: true, p1: 0.09, p2: 0.099, perVariant: 16580, total: 33160, weeks: 34 }
 */
export function planTest(input: PlanInput): TestPlanResult {
  const variants = input.variants ?? 2;
  if (!Number.isSafeInteger(variants) || variants < 2) {
    return { ok: false, reason: "a test needs at least 2 variants (control included)" };
  }
  const { weeklyVisitors } = input;
  if (!(weeklyVisitors >= 0) || !Number.isFinite(weeklyVisitors)) {
    return { ok: false, reason: "weekly visitors must be a non-negative number" };
  }
  const size = sampleSizePerArm(input);
  if (!size.ok) return size;
  const total = size.perVariant * variants;
  if (!Number.isSafeInteger(total)) {
    return { ok: false, reason: "effect is too small to detect with any realistic traffic" };
  }
  const weeks = weeklyVisitors > 0 ? Math.ceil(total / weeklyVisitors - 1e-9) : null;
  // A vanishingly small (but positive) weekly figure would overflow to Infinity weeks.
  if (weeks !== null && !Number.isSafeInteger(weeks)) {
    return { ok: false, reason: "weekly traffic is too low to ever finish this test" };
  }
  return { ok: true, p1: size.p1, p2: size.p2, perVariant: size.perVariant, total, weeks };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
