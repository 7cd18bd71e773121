/**
 * "For whom is this step worst?" — every segment's settled drop-off at one step against
 * the rest of the traffic, with the false-discovery rate held across all segments tested
 * (docs/diagnosis.md). Pure: counts in, claims out.
 *
 * Counts follow funnel semantics v2: `settled` units reached the step before and are no
 * longer in progress; `dropped` of them did not reach this step. Waiting units are in
 * neither.
 *
 * Segments are single values ("Mobile") or pairs of values of two dimensions ("Mobile,
 * from instagram"): all go through one Benjamini–Hochberg. A pair significant there is
 * claimed only when it says more than its two singles together (beyondParents): the
 * combination itself matters, not just two groups that each drop more. The filter only
 * removes claims, so BH's bound on false claims holds.
 */
import { benjaminiHochberg } from "../stats/fdr";
import { normalQuantile, zTwoSided } from "../stats/normal";
import { compareProportions } from "../stats/twoProportion";
import type { Counts } from "../stats/types";

/** One segment's settled units at the step and how many of them dropped there. */
export interface SegmentCounts {
  /** Breakdown dimension, e.g. "device". */
  dimension: string;
  /** Its value, e.g. "mobile". */
  value: string;
  settled: number;
  dropped: number;
  /**
   * Everyone else, when it is not `overall` minus this segment: e.g. a dimension read in
   * its own query, whose totals may differ from the overall's by units that arrived between
   * the reads. Defaults to overall − segment.
   */
  rest?: { settled: number; dropped: number };
  /** A pair segment: its two dimensions and values, and its two single parents' counts. */
  pair?: SegmentPair;
}

/** One single value's settled units and drop-offs (all of them, the pair's included). */
export interface ParentCounts {
  settled: number;
  dropped: number;
}

/** A segment made of one value of each of two dimensions ("device" = mobile and "source" = instagram). */
export interface SegmentPair {
  dimensions: readonly [string, string];
  values: readonly [string, string];
  parents: readonly [ParentCounts, ParentCounts];
}

/** Every segment's comparison, tested or not: what the CSV table lists. */
export interface SegmentResult {
  dimension: string;
  value: string;
  segment: Counts;
  rest: Counts;
  /** Both sides had at least `minUnits` settled units. */
  tested: boolean;
  /** Null when not tested. */
  diff: number | null;
  diffCi95: [number, number] | null;
  pValue: number | null;
  qValue: number | null;
  /** `restates-parent`: a pair significant under BH that says no more than its two singles (beyondParents): not claimed. */
  verdict: "worse" | "better" | "not-significant" | "too-few" | "restates-parent";
  pair?: SegmentPair;
}

export interface SegmentClaim {
  dimension: string;
  value: string;
  /** Dropped of settled in the segment. */
  segment: Counts;
  /** Dropped of settled in everyone else. */
  rest: Counts;
  dropRate: number;
  restDropRate: number;
  /** dropRate − restDropRate (fraction; × 100 for percentage points). */
  diff: number;
  diffCi95: [number, number];
  pValue: number;
  /** BH-adjusted p-value across every segment tested. */
  qValue: number;
  pair?: SegmentPair;
}

export interface SegmentScan {
  /** Segments (singles and pairs) with at least `minUnits` settled units on both sides, i.e. tested. */
  tested: number;
  /** Of them, pairs. */
  pairsTested: number;
  /** Segments left out because one side had fewer than `minUnits` settled units (pairs that small are never passed in). */
  tooSmall: number;
  /** Significantly worse than the rest, largest difference first. */
  worse: SegmentClaim[];
  /** Significantly better than the rest, largest difference first. */
  better: SegmentClaim[];
  /**
   * The smallest difference in drop-off (fraction) that the best-powered tested segment
   * would have shown as significant with 80 % power at the strictest BH threshold (q/m);
   * null when nothing could be tested. Said when no segment stands out.
   */
  minDetectableDiff: number | null;
  /** Every segment in input order, with its test (or why it was not tested). */
  segments: SegmentResult[];
  q: number;
  minUnits: number;
}

export interface ScanOptions {
  /** False-discovery rate across all segments (default 0.05). */
  q?: number;
  /** Settled units each side needs to be compared (default 30, the small-numbers rule). */
  minUnits?: number;
}

const POWER = 0.8;

/**
 * Compares each segment with the rest of `overall` (overall minus the segment) by a
 * two-proportion z-test, then applies Benjamini–Hochberg at `q` across all tested segments.
 *
 * @example scanSegments({ settled: 2726, dropped: 1442 },
 *   [{ dimension: "device", value: "mobile", settled: 580, dropped: 412 }])
 *   // worse[0]: 71 % vs 48 % (412 of 580 vs 1,030 of 2,146)
 */
export function scanSegments(overall: { settled: number; dropped: number }, segments: readonly SegmentCounts[], options: ScanOptions = {}): SegmentScan {
  const q = options.q ?? 0.05;
  const minUnits = options.minUnits ?? 30;
  const candidates: { s: SegmentCounts; rest: Counts; segment: Counts; index: number }[] = [];
  const results: SegmentResult[] = [];
  let tooSmall = 0;
  for (const s of segments) {
    const rest = s.rest ? { converted: s.rest.dropped, total: s.rest.settled } : { converted: overall.dropped - s.dropped, total: overall.settled - s.settled };
    const segment = { converted: s.dropped, total: s.settled };
    if (rest.total < 0 || rest.converted < 0 || rest.converted > rest.total || segment.converted > segment.total) {
      throw new RangeError(`segment ${s.dimension}=${s.value} does not fit inside the overall counts`);
    }
    const tested = segment.total >= minUnits && rest.total >= minUnits;
    if (tested) candidates.push({ s, rest, segment, index: results.length });
    else tooSmall++;
    results.push({
      dimension: s.dimension,
      value: s.value,
      segment,
      rest,
      tested,
      diff: null,
      diffCi95: null,
      pValue: null,
      qValue: null,
      verdict: tested ? "not-significant" : "too-few",
      ...(s.pair ? { pair: s.pair } : {}),
    });
  }
  const tests = candidates.map((c) => compareProportions(c.rest, c.segment));
  const fdr = benjaminiHochberg(
    tests.map((t) => t.pValue),
    q,
  );
  const worse: SegmentClaim[] = [];
  const better: SegmentClaim[] = [];
  candidates.forEach((c, i) => {
    const t = tests[i];
    Object.assign(results[c.index], { diff: t.diff, diffCi95: t.diffCi95, pValue: t.pValue, qValue: fdr.adjusted[i] ?? null });
    if (!fdr.rejected[i] || t.diff === null || t.diffCi95 === null || t.pValue === null) return;
    const claim: SegmentClaim = {
      dimension: c.s.dimension,
      value: c.s.value,
      segment: c.segment,
      rest: c.rest,
      dropRate: t.rateB as number,
      restDropRate: t.rateA as number,
      diff: t.diff,
      diffCi95: t.diffCi95,
      pValue: t.pValue,
      qValue: fdr.adjusted[i] as number,
      ...(c.s.pair ? { pair: c.s.pair } : {}),
    };
    if (c.s.pair && !beyondParents(t.diff, c.segment, c.rest, c.s.pair, minUnits)) {
      results[c.index].verdict = "restates-parent";
      return;
    }
    (t.diff > 0 ? worse : better).push(claim);
    results[c.index].verdict = t.diff > 0 ? "worse" : "better";
  });
  const byEffect = (a: SegmentClaim, b: SegmentClaim) => Math.abs(b.diff) - Math.abs(a.diff) || a.qValue - b.qValue;
  worse.sort(byEffect);
  better.sort(byEffect);
  const pairsTested = candidates.filter((c) => c.s.pair).length;
  return {
    tested: candidates.length,
    pairsTested,
    tooSmall,
    worse,
    better,
    minDetectableDiff: minDetectable(overall, candidates, q),
    segments: results,
    q,
    minUnits,
  };
}

/**
 * A pair (A and B) says more than its singles when, in the claim's direction (worse: diff >
 * 0), with every one of the four cells A·B, A·¬B, ¬A·B, ¬A·¬B holding ≥ minUnits settled units:
 * - inside A, the pair differs from the rest of A, and inside B from the rest of B (95 %
 *   interval of the difference wholly on the claim's side of 0): neither single says it all;
 * - the interaction: B raises the odds of dropping more inside A than outside A, on the
 *   log-odds scale (ℓ(x, n) = ln((x + ½)/(n − x + ½)), Haldane's ½ keeps empty cells finite):
 *   I = ℓ(A·B) − ℓ(A·¬B) − ℓ(¬A·B) + ℓ(¬A·¬B), SE = √Σ(1/(x + ½) + 1/(n − x + ½)) over the
 *   four cells, I/SE beyond 1.645 on the claim's side (one-sided 5 %: the direction is the
 *   claim's). Two groups that each drop more, with no more together than their odds make,
 *   are not a combination.
 */
export function beyondParents(diff: number, segment: Counts, rest: Counts, pair: SegmentPair, minUnits: number): boolean {
  const [a, b] = pair.parents;
  const aOnly = { converted: a.dropped - segment.converted, total: a.settled - segment.total };
  const bOnly = { converted: b.dropped - segment.converted, total: b.settled - segment.total };
  const neither = { converted: rest.converted - aOnly.converted - bOnly.converted, total: rest.total - aOnly.total - bOnly.total };
  if ([aOnly, bOnly, neither].some((c) => c.total < minUnits)) return false;
  const side = (lo: number, hi: number) => (diff > 0 ? lo > 0 : hi < 0);
  for (const inside of [aOnly, bOnly]) {
    const ci = compareProportions(inside, segment).diffCi95;
    if (ci === null || !side(ci[0], ci[1])) return false;
  }
  const logit = (c: Counts) => Math.log((c.converted + 0.5) / (c.total - c.converted + 0.5));
  const variance = (c: Counts) => 1 / (c.converted + 0.5) + 1 / (c.total - c.converted + 0.5);
  const interaction = logit(segment) - logit(aOnly) - logit(bOnly) + logit(neither);
  const z = interaction / Math.sqrt(variance(segment) + variance(aOnly) + variance(bOnly) + variance(neither));
  return diff > 0 ? z > Z_ONE_SIDED : z < -Z_ONE_SIDED;
}

/** Φ⁻¹(0.95). */
const Z_ONE_SIDED = 1.6448536269514722;

/** (z₁₋α/₂ + z_power)·√(p(1−p)(1/n₁ + 1/n₂)) with α = q/m and p the overall drop rate. */
function minDetectable(overall: { settled: number; dropped: number }, candidates: { segment: Counts; rest: Counts }[], q: number): number | null {
  if (candidates.length === 0 || overall.settled === 0) return null;
  const zAlpha = zTwoSided(q / candidates.length);
  const zPower = normalQuantile(POWER);
  if (zAlpha === null || zPower === null) return null;
  const p = overall.dropped / overall.settled;
  // Balanced splits have the most power; the best-powered segment bounds what any could show.
  const best = Math.min(...candidates.map((c) => 1 / c.segment.total + 1 / c.rest.total));
  const mde = (zAlpha + zPower) * Math.sqrt(p * (1 - p) * best);
  return Math.min(1, mde);
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const signed = (n: number) => (n < 0 ? `−${-n}` : String(n));
const count = (n: number) => n.toLocaleString("en-US");

/**
 * The claim in a merchant's words, evidence included:
 * "device: mobile: 71 % drop here vs 48 % for everyone else (412 of 580 vs 1,030 of 2,146; 95 % CI of the difference 19 to 27 pp)".
 */
export function describeClaim(claim: SegmentClaim, label = `${claim.dimension}: ${claim.value}`): string {
  const [lo, hi] = claim.diffCi95.map((x) => signed(Math.round(x * 100)));
  return (
    `${label}: ${pct(claim.dropRate)} drop here vs ${pct(claim.restDropRate)} for everyone else ` +
    `(${count(claim.segment.converted)} of ${count(claim.segment.total)} vs ${count(claim.rest.converted)} of ${count(claim.rest.total)}; ` +
    `95 % CI of the difference ${lo} to ${hi} pp)`
  );
}
