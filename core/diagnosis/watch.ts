/**
 * "Did something just break?" — a step's recent settled conversion against its own
 * expectation (the same hours of the same weekdays over the previous four weeks), as a
 * scan over every possible start of the drop. Pure: buckets in, an alarm (or none) out.
 * Method, thresholds and false-alarm rate: docs/diagnosis.md.
 */
import { normalCdf, zTwoSided } from "../stats/normal";

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
   * Conversions and losses a span must be expected to have, each (default 10): the rule
   * under which its z is close enough to normal for the stated false-alarm rate. It
   * replaces a flat 30 units for the span: a step most units pass (or fail) needs more
   * than 30, a step half of them pass is judged from 20 — two hours of a mobile add to
   * cart on a shop of ~1,000 sessions a day.
   */
  minExpected?: number;
  /**
   * How many of the latest buckets a drop may start in (default 6): checks run every
   * bucket, so an older drop was raised by an earlier check; fewer looks keep the
   * correction, and so the time to detect, small.
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
  /** Standardized shortfall (negative) and its one-sided p-value before the scan correction. */
  z: number;
  pValue: number;
}

export interface WatchResult {
  /** The drop when the check alarms, else null. */
  alarm: Drop | null;
  /** The most extreme span found, alarm or not (for "nothing unusual: lowest was …"). */
  worst: Drop | null;
  /** Spans that had enough (expected) units to be tested (the scan's number of looks). */
  looks: number;
  /** The z a span must fall below: Φ⁻¹(falseAlarmRate / looks). */
  threshold: number | null;
}

/**
 * For every start s, compares the conversions from bucket s to the end with what each
 * bucket's baseline rate predicts for its units: z = (x − Σ nᵢp̂ᵢ) / √Var, where Var adds
 * the binomial noise of the recent units to the uncertainty of the baseline rates
 * (nᵢ²·p̂ᵢ(1−p̂ᵢ)/Nᵢ). The most negative z is the candidate drop and its s the change point.
 * The alarm is one-sided (only falls) and Bonferroni-corrected over the spans looked at,
 * so a check of an unchanged step alarms with probability at most `falseAlarmRate`.
 */
export function watchStep(buckets: readonly WatchBucket[], options: WatchOptions = {}): WatchResult {
  const falseAlarmRate = options.falseAlarmRate ?? 0.001;
  const minUnits = options.minUnits ?? 30;
  const minExpected = options.minExpected ?? 10;
  const oldest = Math.max(0, buckets.length - (options.window ?? 6));
  const spans: Drop[] = [];
  let x = 0;
  let n = 0;
  let expected = 0;
  let variance = 0;
  let baselineUnits = 0;
  // Third cumulant of x − Σnᵢp̂ᵢ: a step most units pass has a long lower tail (see below).
  let k3 = 0;
  const skews: number[] = [];
  for (let s = buckets.length - 1; s >= oldest; s--) {
    const b = buckets[s];
    if (b.settled < 0 || b.converted < 0 || b.converted > b.settled || b.baseline.converted > b.baseline.settled) {
      throw new RangeError(`bucket at ${new Date(b.start).toISOString()} has impossible counts`);
    }
    x += b.converted;
    n += b.settled;
    baselineUnits += b.baseline.settled;
    if (b.settled > 0) {
      // A slot with no baseline units cannot say what to expect: the span is not tested.
      if (b.baseline.settled === 0) break;
      const p = b.baseline.converted / b.baseline.settled;
      expected += b.settled * p;
      variance += b.settled * p * (1 - p) + (b.settled * b.settled * p * (1 - p)) / b.baseline.settled;
      const m3 = p * (1 - p) * (1 - 2 * p);
      k3 += b.settled * m3 - (b.settled ** 3 * m3) / b.baseline.settled ** 2;
    }
    if (expected < minExpected || n - expected < minExpected || baselineUnits < minUnits || variance <= 0) continue;
    const z = (x - expected) / Math.sqrt(variance);
    spans.push({ since: b.start, settled: n, converted: x, observedRate: x / n, expectedRate: expected / n, z, pValue: normalCdf(z) ?? 1 });
    skews.push(k3 / variance ** 1.5);
  }
  if (spans.length === 0) return { alarm: null, worst: null, looks: 0, threshold: null };
  const worst = spans.reduce((w, d) => (d.z < w.z ? d : w));
  // One-sided: zTwoSided(2a) = Φ⁻¹(1 − a).
  const critical = zTwoSided((2 * falseAlarmRate) / spans.length);
  const threshold = critical === null ? null : -critical;
  // A skewed span's threshold moves by its skewness γ (Cornish–Fisher: z + γ(z² − 1)/6):
  // lower when most units pass (γ < 0), where the normal tail would alarm too often.
  const falls = threshold === null ? [] : spans.filter((d, i) => d.z < threshold + (skews[i] * (threshold * threshold - 1)) / 6);
  if (threshold === null || falls.length === 0) return { alarm: null, worst, looks: spans.length, threshold };
  // The z-scan tells whether rates fell; where they fell is estimated as the start whose
  // span fits a step change best (largest binomial log-likelihood ratio): the z of a span
  // keeps growing with the ordinary hours before the break, the likelihood does not.
  const alarm = spans.filter((d) => d.observedRate < d.expectedRate).reduce((best, d) => (logLikelihoodRatio(d) > logLikelihoodRatio(best) ? d : best), worst);
  return { alarm, worst, looks: spans.length, threshold };
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
