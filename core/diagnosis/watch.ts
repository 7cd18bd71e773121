/**
 * "Did something just break?" — a step's recent settled conversion against its own
 * expectation (the same hours of the same weekdays over the previous four weeks), as a
 * scan over every possible start of the drop. Pure: buckets in, an alarm (or none) out.
 * Method, thresholds and false-alarm rate: docs/diagnosis.md.
 */

/** One hour (or day) of recent traffic at the step, and the same slot in the baseline weeks. */
export interface WatchBucket {
  /** Start of the bucket (ms since epoch). */
  start: number;
  /** Settled units that reached the step before in this bucket, and how many went on. */
  settled: number;
  converted: number;
  /** The same hour of the same weekday over the previous 4 weeks, summed. */
  baseline: { settled: number; converted: number };
}

export interface WatchOptions {
  /** Chance that a check raises an alarm on a step that did not change (default 0.001). */
  falseAlarmRate?: number;
  /** Settled units the baseline of a span needs (default 30, the small-numbers rule). */
  minUnits?: number;
  /**
   * How many of the latest buckets a drop may start in (default 6): checks run every
   * bucket or more often, so an older drop was raised by an earlier check; fewer looks
   * keep the correction, and so the time to detect, small.
   */
  window?: number;
}

export interface Drop {
  /** Start of the first bucket of the drop: the change point. */
  since: number;
  /** Settled units and conversions since then. */
  settled: number;
  converted: number;
  observedRate: number;
  /** What the baseline expected of those same units. */
  expectedRate: number;
  /** Standardized shortfall (negative when low), for display: (x − Σnᵢp̂ᵢ)/√Var. */
  z: number;
  /** Exact one-sided p-value of the span (stratified conditional test), before the scan correction. */
  pValue: number;
  /** The smallest p-value the span could have shown (all its buckets at their lowest). */
  minPValue: number;
}

export interface WatchResult {
  /** The drop when the check alarms, else null. */
  alarm: Drop | null;
  /** The span with the smallest p-value, alarm or not (for "nothing unusual: lowest was …"). */
  worst: Drop | null;
  /** Spans tested (those that could reach significance; Tarone): the scan's number of looks. */
  looks: number;
  /** The p-value a tested span must be at or under: falseAlarmRate / looks. */
  threshold: number | null;
}

/** Values below this (relative to a distribution's mode) are dropped: their mass is far under any threshold used. */
const NEGLIGIBLE = 1e-24;

/** A distribution over the integers off, off+1, … (probabilities, summing to 1 up to NEGLIGIBLE). */
interface Dist {
  off: number;
  p: Float64Array;
}

/**
 * The recent units' conversions in a bucket, given the bucket's total conversions (recent
 * plus baseline): hypergeometric — `draws` of `population` units of which `successes`
 * converted. Computed outward from the mode by the pmf's ratio (no factorials), normalized.
 */
export function hypergeometric(population: number, successes: number, draws: number): Dist {
  const lo = Math.max(0, draws - (population - successes));
  const hi = Math.min(draws, successes);
  const mode = Math.min(hi, Math.max(lo, Math.floor(((draws + 1) * (successes + 1)) / (population + 2))));
  // ratio(k) = P(k+1)/P(k)
  const ratio = (k: number) => ((successes - k) * (draws - k)) / ((k + 1) * (population - successes - draws + k + 1));
  const up: number[] = [];
  for (let k = mode, v = 1; k < hi; k++) {
    v *= ratio(k);
    if (v < NEGLIGIBLE) break;
    up.push(v);
  }
  const down: number[] = [];
  for (let k = mode - 1, v = 1; k >= lo; k--) {
    v /= ratio(k);
    if (v < NEGLIGIBLE) break;
    down.push(v);
  }
  const p = new Float64Array(down.length + 1 + up.length);
  for (let i = 0; i < down.length; i++) p[down.length - 1 - i] = down[i];
  p[down.length] = 1;
  for (let i = 0; i < up.length; i++) p[down.length + 1 + i] = up[i];
  let sum = 0;
  for (const v of p) sum += v;
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return { off: mode - down.length, p };
}

/** The distribution of a + b (independent), kept up to `max`. */
function convolve(a: Dist, b: Dist, max: number): Dist {
  const off = a.off + b.off;
  const len = Math.max(0, Math.min(a.p.length + b.p.length - 1, max - off + 1));
  const p = new Float64Array(len);
  for (let i = 0; i < a.p.length; i++) {
    const ai = a.p[i];
    if (ai === 0) continue;
    const end = Math.min(b.p.length, len - i);
    for (let j = 0; j < end; j++) p[i + j] += ai * b.p[j];
  }
  // Both ends far below the peak carry no mass any threshold could see: dropped, so the
  // sums of big buckets stay as wide as their spread, not their range.
  let peak = 0;
  for (const v of p) if (v > peak) peak = v;
  let first = 0;
  let last = p.length - 1;
  while (first < last && p[first] < peak * NEGLIGIBLE) first++;
  while (last > first && p[last] < peak * NEGLIGIBLE) last--;
  return first === 0 && last === p.length - 1 ? { off, p } : { off: off + first, p: p.slice(first, last + 1) };
}

/** P(X ≤ x). */
function cdf(d: Dist, x: number): number {
  let s = 0;
  for (let i = 0; i < d.p.length && d.off + i <= x; i++) s += d.p[i];
  return Math.min(1, s);
}

/**
 * For every start s among the latest `window` buckets, tests whether the conversions from
 * bucket s to the end are lower than the baseline predicts, exactly: in each bucket, under
 * "nothing changed" (the recent units convert at the rate of the same slot's baseline
 * units), the recent conversions given the slot's total conversions are hypergeometric;
 * the span's total is their sum (convolution), and its p-value is P(S ≤ observed) — the
 * stratified conditional (Fisher / exact Mantel–Haenszel) test, so the baseline's own
 * uncertainty is in it and no normal approximation is needed at any size or rate.
 * The scan: spans that could not reach significance even with no conversion at all are not
 * counted (Tarone), the others are tested at falseAlarmRate / looks (Bonferroni), so a
 * check of an unchanged step alarms with probability at most `falseAlarmRate`. The change
 * point is the alarming scan's start that fits a step change best (largest binomial
 * log-likelihood ratio).
 */
export function watchStep(buckets: readonly WatchBucket[], options: WatchOptions = {}): WatchResult {
  const { scale: _scale, ...result } = watchScales([buckets], options);
  return result;
}

/**
 * `watchStep` over several bucket sizes of one step at once (hours and days): every span of
 * every scale is one look, and Tarone's correction runs over all of them together, so a
 * check still alarms on an unchanged step with probability at most `falseAlarmRate`. A
 * scale too thin to ever reach the bar (hours on a small shop) costs nothing; one that can
 * shares the bar. `scale` is the index of the scale the alarm's change point is read on.
 */
export function watchScales(scales: readonly (readonly WatchBucket[])[], options: WatchOptions = {}): WatchResult & { scale: number | null } {
  const falseAlarmRate = options.falseAlarmRate ?? 0.001;
  const minUnits = options.minUnits ?? 30;
  const window = options.window ?? 6;
  const spans: (Drop & { scale: number })[] = [];
  scales.forEach((buckets, scale) => {
    for (const d of spansOf(buckets, Math.max(0, buckets.length - window), minUnits)) spans.push({ ...d, scale });
  });
  if (spans.length === 0) return { alarm: null, worst: null, looks: 0, threshold: null, scale: null };
  const strip = ({ scale: _s, ...d }: Drop & { scale: number }): Drop => d;
  const worst = spans.reduce((w, d) => (d.pValue < w.pValue ? d : w));
  // Tarone: the smallest K with at most K spans able to reach falseAlarmRate / K.
  let looks = spans.length;
  for (let k = 1; k <= spans.length; k++) {
    if (spans.filter((d) => d.minPValue <= falseAlarmRate / k).length <= k) {
      looks = k;
      break;
    }
  }
  const threshold = falseAlarmRate / looks;
  const falls = spans.filter((d) => d.minPValue <= threshold && d.pValue <= threshold);
  if (falls.length === 0) return { alarm: null, worst: strip(worst), looks, threshold, scale: null };
  // The p-value says whether rates fell; where they fell is estimated as the start whose
  // span fits a step change best, on any scale: a span's evidence keeps growing with the
  // ordinary hours before the break, the likelihood ratio does not. So a fresh break is
  // read on the hours, and one older than the hours scanned on the days (whose hours
  // would all look low and put its start at the oldest hour scanned).
  const alarm = spans
    .filter((d) => d.observedRate < d.expectedRate)
    .reduce((best, d) => (logLikelihoodRatio(d) > logLikelihoodRatio(best) ? d : best), falls[0]);
  return { alarm: strip(alarm), worst: strip(worst), looks, threshold, scale: alarm.scale };
}

/** Every span from a start among buckets[oldest..] to the end, with its exact p-value (the spans of `watchStep`). */
function spansOf(buckets: readonly WatchBucket[], oldest: number, minUnits: number): Drop[] {
  for (const b of buckets) {
    if (b.settled < 0 || b.converted < 0 || b.converted > b.settled || b.baseline.converted < 0 || b.baseline.converted > b.baseline.settled) {
      throw new RangeError(`bucket at ${new Date(b.start).toISOString()} has impossible counts`);
    }
  }
  // Conversions the longest span holds: no partial sum above it is ever asked for.
  let max = 0;
  for (let s = oldest; s < buckets.length; s++) max += buckets[s].converted;
  const spans: Drop[] = [];
  let dist: Dist = { off: 0, p: new Float64Array([1]) };
  let minP = 1;
  let x = 0;
  let n = 0;
  let expected = 0;
  let variance = 0;
  let baselineUnits = 0;
  for (let s = buckets.length - 1; s >= oldest; s--) {
    const b = buckets[s];
    x += b.converted;
    n += b.settled;
    baselineUnits += b.baseline.settled;
    if (b.settled > 0) {
      // A slot with no baseline units cannot say what to expect: the span is not tested.
      if (b.baseline.settled === 0) break;
      const p = b.baseline.converted / b.baseline.settled;
      expected += b.settled * p;
      variance += b.settled * p * (1 - p) + (b.settled * b.settled * p * (1 - p)) / b.baseline.settled;
      const h = hypergeometric(b.settled + b.baseline.settled, b.converted + b.baseline.converted, b.settled);
      dist = convolve(dist, h, max);
      minP *= h.p[0] ?? 1;
    }
    if (n === 0 || baselineUnits < minUnits) continue;
    const z = variance > 0 ? (x - expected) / Math.sqrt(variance) : 0;
    spans.push({ since: b.start, settled: n, converted: x, observedRate: x / n, expectedRate: expected / n, z, pValue: cdf(dist, x), minPValue: minP });
  }
  return spans;
}

/** x·ln(q/p) + (n−x)·ln((1−q)/(1−p)), q the observed and p the expected rate of the span. */
function logLikelihoodRatio(d: Drop): number {
  const term = (k: number, q: number, p: number) => (k === 0 ? 0 : k * Math.log(q / p));
  return term(d.converted, d.observedRate, d.expectedRate) + term(d.settled - d.converted, 1 - d.observedRate, 1 - d.expectedRate);
}

/**
 * Hours when the step sees enough units per hour to judge one, days otherwise: a shop
 * too small for an hour compares days.
 */
export function watchGranularity(settledPerHour: number, minUnits = 30): "hour" | "day" {
  return settledPerHour * 2 >= minUnits ? "hour" : "day";
}
