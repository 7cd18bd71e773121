/**
 * Intervals for rates built from small counts: the Wilson score interval for one
 * proportion and Newcombe's hybrid score interval (his method 10) for the difference of
 * two independent proportions. Unlike the Wald interval they stay inside [0, 1] and keep
 * their coverage at 0 of n or n of n, which is where a funnel's small segments live.
 *
 * Also the "small numbers" rules of docs/funnel-semantics.md: a comparison with fewer
 * than MIN_UNITS_TO_COMPARE units on either side is "too few to compare"; a change whose
 * interval includes 0 is neutral.
 */
import { zTwoSided } from "./normal";
import { countsProblem, type Counts } from "./types";

/** Below this many units on either side a rate is not compared (and a breakdown row is greyed). */
export const MIN_UNITS_TO_COMPARE = 30;

/**
 * Wilson score interval of converted / total at `confidence` (default 0.95):
 * (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n). `null` for an empty group or
 * invalid counts.
 *
 * @example wilsonInterval({ converted: 81, total: 263 }) // ≈ [0.2553, 0.3662] (Newcombe 1998)
 */
export function wilsonInterval(c: Counts, confidence = 0.95): [number, number] | null {
  if (countsProblem(c, "group") || c.total === 0) return null;
  const z = zTwoSided(1 - confidence);
  if (z === null) return null;
  const n = c.total;
  const p = c.converted / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact ends at 0 of n and n of n (rounding would leave ±1e-17).
  return [c.converted === 0 ? 0 : Math.max(0, centre - half), c.converted === n ? 1 : Math.min(1, centre + half)];
}

/**
 * Newcombe's hybrid score interval of rate(b) − rate(a) from the two Wilson intervals:
 * [d − √((p_b − l_b)² + (u_a − p_a)²), d + √((u_b − p_b)² + (p_a − l_a)²)].
 * `null` when either group is empty or invalid.
 *
 * @example diffWilsonInterval({ converted: 48, total: 80 }, { converted: 56, total: 70 }) // ≈ [0.0524, 0.3092]
 */
export function diffWilsonInterval(a: Counts, b: Counts, confidence = 0.95): [number, number] | null {
  const ia = wilsonInterval(a, confidence);
  const ib = wilsonInterval(b, confidence);
  if (!ia || !ib) return null;
  const pa = a.converted / a.total;
  const pb = b.converted / b.total;
  const d = pb - pa;
  return [d - Math.hypot(pb - ib[0], ia[1] - pa), d + Math.hypot(ib[1] - pb, pa - ia[0])];
}

/**
 * How a change from `previous` to `current` may be shown:
 * - "too-few": fewer than MIN_UNITS_TO_COMPARE units on either side (no colour, no arrow);
 * - "neutral": the 95 % interval of the difference includes 0;
 * - "up" / "down": the whole interval is above / below 0 (whether that is good is the
 *   caller's call: a higher drop-off rate is bad).
 * `null` when either rate is undefined (an empty side).
 */
export type ChangeVerdict = "too-few" | "neutral" | "up" | "down";

export interface RateChange {
  current: Counts & { rate: number | null; ci95: [number, number] | null };
  previous: Counts & { rate: number | null; ci95: [number, number] | null };
  /** (current − previous) × 100, null when either rate is undefined. */
  changePp: number | null;
  /** 95 % interval of the change, in percentage points. */
  changeCi95Pp: [number, number] | null;
  verdict: ChangeVerdict | null;
}

/** A rate compared across two periods (or groups), with the small-numbers rules applied. */
export function rateChange(current: Counts, previous: Counts): RateChange {
  const side = (c: Counts) => ({
    ...c,
    rate: c.total > 0 && !countsProblem(c, "group") ? c.converted / c.total : null,
    ci95: wilsonInterval(c),
  });
  const cur = side(current);
  const prev = side(previous);
  const ci = diffWilsonInterval(previous, current);
  const changePp = cur.rate === null || prev.rate === null ? null : (cur.rate - prev.rate) * 100;
  let verdict: ChangeVerdict | null = null;
  if (changePp !== null && ci) {
    if (current.total < MIN_UNITS_TO_COMPARE || previous.total < MIN_UNITS_TO_COMPARE) verdict = "too-few";
    else if (ci[0] <= 0 && ci[1] >= 0) verdict = "neutral";
    else verdict = ci[0] > 0 ? "up" : "down";
  } else if (current.total < MIN_UNITS_TO_COMPARE || previous.total < MIN_UNITS_TO_COMPARE) {
    verdict = "too-few";
  }
  return {
    current: cur,
    previous: prev,
    changePp,
    changeCi95Pp: ci ? [ci[0] * 100, ci[1] * 100] : null,
    verdict,
  };
}
