/**
 * Report output types and the pure arithmetic that turns per-step counts into figures.
 * Kept separate from the engine so a SQL implementation can produce the same
 * aggregate and get an identical report from `figuresFromCounts`.
 *
 * All rates are fractions (0.35 = 35 %). A rate whose denominator is zero is `null`,
 * never NaN, Infinity or 0.
 */
import type { BreakdownKey, FunnelUnit } from "../types";
import { MIN_UNITS_TO_COMPARE, rateChange, wilsonInterval, type RateChange } from "../stats/wilson";
import { cachedZoneOffsetMs, wallClockToEpoch } from "./timezone";

/** Figures of one step k (1-based). Fields that need a previous step are null for k = 1. */
export interface StepFigures {
  step: number;
  label: string;
  /** Units that reached this step. */
  count: number;
  /** count[k] / count[k-1]. */
  stepConversion: number | null;
  /** count[k] / count[1]. */
  overallConversion: number | null;
  /** In-progress units whose furthest step is k: still able to advance, so never drop-offs (0 at the last step). */
  waiting: number;
  /** count[k-1] − waiting[k-1]: the units at k−1 that can no longer advance past it or already did (null for k = 1). */
  settled: number | null;
  /** count[k-1] − count[k] − waiting[k-1]: units that stopped at k−1 and can no longer advance. */
  dropOff: number | null;
  /** dropOff[k] / settled[k] (null when no unit at k−1 is settled). */
  dropOffRate: number | null;
  /** waiting[k-1]: the in-progress units between k−1 and k, kept apart from dropOff[k]. 0 for k = 1. */
  inProgress: number;
  /** Nearest-rank median of ms from step k−1 to step k among units that reached k. */
  medianMsFromPrev: number | null;
  /** Nearest-rank 90th percentile of the same durations. */
  p90MsFromPrev: number | null;
}

/** The step with the highest drop-off rate (the headline "most are lost between A and B"). */
export interface Leak {
  /** The step k ≥ 2 that loses units: they reached k−1 but not k. */
  step: number;
  fromLabel: string;
  toLabel: string;
  fromCount: number;
  toCount: number;
  /** Units at k−1 that are settled (not waiting): the rate's denominator. */
  settled: number;
  /** Units still in progress at k−1 (not counted in dropOff). */
  waiting: number;
  dropOff: number;
  dropOffRate: number;
}

/** A leak is named only from a step with at least this many settled units (docs/funnel-semantics.md). */
export const MIN_SETTLED_FOR_LEAK = 30;

/**
 * Why no leak is named. `too-few-settled`: no step with a drop-off has MIN_SETTLED_FOR_LEAK
 * settled units; `settled` is the largest settled base among such steps (or among all
 * steps when none lost a unit). `no-drop-off`: enough settled units but none dropped off.
 */
export interface NoLeak {
  reason: "too-few-settled" | "no-drop-off";
  settled: number;
  /** Units of the report that are finished (not in progress): what "finished visits" counts. */
  finished: number;
}

/** Step figures plus headline numbers, for a whole report or one breakdown group. */
export interface FunnelFigures {
  steps: StepFigures[];
  biggestLeak: Leak | null;
  /** Set exactly when biggestLeak is null and the funnel has 2 or more steps: why none is named. */
  noLeak: NoLeak | null;
  /** Units with an attempt in the range (= count of step 1). */
  totalUnits: number;
  /** Units not completed that could still advance. */
  inProgressUnits: number;
}

/**
 * What any implementation (this engine or SQL) must provide to build figures.
 * All arrays have one entry per step, index i ↔ step i+1.
 */
export interface FunnelAggregate {
  /** Units that reached step i+1 (non-increasing). */
  counts: number[];
  /** In-progress units whose furthest step is i+1 (the last entry is always 0). */
  inProgressByFurthest: number[];
  /** Durations in ms from step i to step i+1 of each unit that reached step i+1; empty for index 0. Any order. */
  msFromPrev: number[][];
}

/** The result of one unit, as the engine (or SQL) computes it. */
export interface UnitOutcome {
  /** Furthest step reached, 1..n. */
  furthest: number;
  /** msFromPrev[j] = ms from step j+1 to step j+2, for the steps reached (length furthest − 1). */
  msFromPrev: number[];
  inProgress: boolean;
  /** How many units with this same outcome it stands for (default 1): precomputed results group alike units. */
  count?: number;
  /**
   * For an outcome standing for `count` units whose durations differ: times[j] holds the
   * `count` durations from step j+1 to step j+2 (any order), in place of `msFromPrev`.
   * Saves one object per unit when hundreds of thousands of units are read grouped.
   */
  times?: readonly (readonly number[])[];
}

/** One value of the breakdown attribute. */
export interface BreakdownGroup extends FunnelFigures {
  /** The attribute value as text ("(none)" for null); "(other)" for the rest bucket. */
  value: string;
  /** True for the bucket gathering every value outside the top 10. */
  isOther: boolean;
  /** Fewer than MIN_UNITS_TO_COMPARE units: shown greyed, never named as a leak or the worst row. */
  small: boolean;
  /** 95 % Wilson interval of the group's overall conversion (last step / step 1); null when empty. */
  overallCi95: [number, number] | null;
}

/** Report figures per value of one entry attribute. */
export interface Breakdown {
  key: BreakdownKey;
  /** Top values by step-1 count (desc, ties by value), then "(other)" when there are more. */
  groups: BreakdownGroup[];
}

/** Counts of units whose entry falls in one local day or ISO week. */
export interface TrendBucket {
  /** Local date "YYYY-MM-DD" of the day, or of the Monday starting the week. */
  key: string;
  counts: number[];
  overallConversion: (number | null)[];
  inProgressUnits: number;
}

/** The funnel per entry day or week in the shop's time zone. */
export interface Trend {
  granularity: "day" | "week";
  timeZone: string;
  /** Every day/week touched by the range, in order, including empty ones. */
  buckets: TrendBucket[];
}

/** A complete funnel report for one range. */
export interface FunnelReport extends FunnelFigures {
  unit: FunnelUnit;
  from: number;
  to: number;
  now: number;
  breakdown?: Breakdown;
  trend?: Trend;
}

/** Change of one step's rates between two periods, in percentage points (null when either side is null). */
export interface StepComparison {
  step: number;
  label: string;
  count: { current: number; previous: number };
  stepConversionPp: number | null;
  overallConversionPp: number | null;
  dropOffRatePp: number | null;
  /**
   * The same changes with both sides' counts, Wilson intervals, the change's 95 % interval
   * and how it may be shown ("too-few" under 30 units a side, "neutral" when the interval
   * holds 0). Null for step 1's step conversion and drop-off (no previous step).
   */
  stepConversion: RateChange | null;
  overallConversion: RateChange;
  dropOffRate: RateChange | null;
}

/** Current vs previous period, per step. */
export interface FunnelComparison {
  totalUnits: { current: number; previous: number };
  steps: StepComparison[];
}

/** The small-numbers fields of a breakdown group: greyed under 30 units, interval of its overall conversion. */
export function groupStats(figures: FunnelFigures): Pick<BreakdownGroup, "small" | "overallCi95"> {
  const last = figures.steps[figures.steps.length - 1];
  return {
    small: figures.totalUnits < MIN_UNITS_TO_COMPARE,
    overallCi95: last ? wilsonInterval({ converted: last.count, total: figures.totalUnits }) : null,
  };
}

/**
 * The breakdown row with the lowest overall conversion among rows with at least
 * MIN_UNITS_TO_COMPARE units (ties → the earlier row); rows under that are never named.
 */
export function worstGroup(groups: readonly BreakdownGroup[]): BreakdownGroup | null {
  let worst: BreakdownGroup | null = null;
  let worstRate = Number.POSITIVE_INFINITY;
  for (const g of groups) {
    const r = g.steps[g.steps.length - 1]?.overallConversion ?? null;
    if (g.small || r === null) continue;
    if (r < worstRate) {
      worst = g;
      worstRate = r;
    }
  }
  return worst;
}

/** Division that yields null instead of NaN / Infinity. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * Nearest-rank percentile: the smallest value v such that at least `percent` % of the
 * values are ≤ v, i.e. sorted[ceil(percent/100 · N) − 1]. The median is therefore the
 * lower middle value for even N (same as SQL PERCENTILE_DISC). Null for no values.
 * `percent` is an integer in 1..100 so the rank is computed exactly.
 */
export function percentileNearestRank(values: readonly number[], percent: number): number | null {
  return percentilesNearestRank(values, [percent])[0];
}

/** Several nearest-rank percentiles of the same values, sorting them once. */
export function percentilesNearestRank(values: readonly number[], percents: readonly number[]): (number | null)[] {
  if (values.length === 0) return percents.map(() => null);
  // A typed copy sorts numerically without a comparator: several times faster on 100 k+ values.
  const sorted = Float64Array.from(values).sort();
  return percents.map((percent) => sorted[Math.max(1, Math.ceil((percent * sorted.length) / 100)) - 1]);
}

/** How many units the outcomes stand for. */
export const unitsOf = (outcomes: readonly UnitOutcome[]): number => outcomes.reduce((a, o) => a + (o.count ?? 1), 0);

/** Folds unit outcomes into the aggregate that `figuresFromCounts` consumes. */
export function aggregateOutcomes(outcomes: Iterable<UnitOutcome>, stepCount: number): FunnelAggregate {
  const counts = new Array<number>(stepCount).fill(0);
  const inProgressByFurthest = new Array<number>(stepCount).fill(0);
  const msFromPrev: number[][] = Array.from({ length: stepCount }, () => []);
  for (const o of outcomes) {
    const n = o.count ?? 1;
    for (let i = 0; i < o.furthest; i++) counts[i] += n;
    if (o.inProgress) inProgressByFurthest[o.furthest - 1] += n;
    if (o.times) {
      if (o.times.length !== o.furthest - 1 || o.times.some((t) => t.length !== n)) throw new RangeError("times must hold count durations per step reached");
      o.times.forEach((list, j) => {
        const into = msFromPrev[j + 1];
        for (const ms of list) into.push(ms);
      });
    } else {
      for (let k = 0; k < n; k++) o.msFromPrev.forEach((ms, j) => msFromPrev[j + 1].push(ms));
    }
  }
  return { counts, inProgressByFurthest, msFromPrev };
}

/**
 * Builds all report figures from per-step counts, in-progress counts and per-unit
 * durations. `labels` gives the step count; the aggregate's arrays must match it.
 */
export function figuresFromCounts(labels: readonly string[], agg: FunnelAggregate): FunnelFigures {
  const n = labels.length;
  if (agg.counts.length !== n || agg.inProgressByFurthest.length !== n || agg.msFromPrev.length !== n) {
    throw new RangeError("aggregate arrays must have one entry per step");
  }
  const first = agg.counts[0] ?? 0;
  const steps = labels.map((label, i): StepFigures => {
    const count = agg.counts[i];
    const prev = i === 0 ? null : agg.counts[i - 1];
    const waitingPrev = i === 0 ? 0 : agg.inProgressByFurthest[i - 1];
    // Units still in progress at k−1 may yet reach k: they are neither lost nor in the base.
    const settled = prev === null ? null : prev - waitingPrev;
    const dropOff = prev === null ? null : prev - count - waitingPrev;
    const [median, p90] = i === 0 ? [null, null] : percentilesNearestRank(agg.msFromPrev[i], [50, 90]);
    return {
      step: i + 1,
      label,
      count,
      stepConversion: prev === null ? null : rate(count, prev),
      overallConversion: rate(count, first),
      waiting: agg.inProgressByFurthest[i],
      settled,
      dropOff,
      dropOffRate: settled === null || dropOff === null ? null : rate(dropOff, settled),
      inProgress: waitingPrev,
      medianMsFromPrev: median,
      p90MsFromPrev: p90,
    };
  });
  const leak = biggestLeak(steps);
  const inProgressUnits = agg.inProgressByFurthest.reduce((a, b) => a + b, 0);
  return {
    steps,
    biggestLeak: leak,
    noLeak: leak === null ? noLeakReason(steps, first - inProgressUnits) : null,
    totalUnits: first,
    inProgressUnits,
  };
}

/** True when step k may be named as the leak: enough settled units at k−1 and at least one lost. */
export const leakEligible = (s: StepFigures): boolean =>
  s.settled !== null && s.settled >= MIN_SETTLED_FOR_LEAK && s.dropOff !== null && s.dropOff > 0 && s.dropOffRate !== null;

/**
 * Step k ≥ 2 with the highest drop-off rate among eligible steps (≥ 30 settled units at
 * k−1 and at least one drop-off); ties go to the earlier step; null when none qualifies.
 */
export function biggestLeak(steps: readonly StepFigures[]): Leak | null {
  let best: StepFigures | null = null;
  for (const s of steps) {
    if (!leakEligible(s)) continue;
    if (best === null || (s.dropOffRate as number) > (best.dropOffRate as number)) best = s;
  }
  if (best === null) return null;
  const from = steps[best.step - 2];
  return {
    step: best.step,
    fromLabel: from.label,
    toLabel: best.label,
    fromCount: from.count,
    toCount: best.count,
    settled: best.settled as number,
    waiting: best.inProgress,
    dropOff: best.dropOff as number,
    dropOffRate: best.dropOffRate as number,
  };
}

/**
 * Why biggestLeak found nothing (null for a one-step funnel, which has no leak to name).
 * `finished`: the report's units that are not in progress.
 */
export function noLeakReason(steps: readonly StepFigures[], finished: number): NoLeak | null {
  const later = steps.slice(1);
  if (later.length === 0) return null;
  const lossy = later.filter((s) => (s.dropOff ?? 0) > 0);
  const maxSettled = (xs: StepFigures[]) => Math.max(0, ...xs.map((s) => s.settled ?? 0));
  if (lossy.length > 0) return { reason: "too-few-settled", settled: maxSettled(lossy), finished };
  const settled = maxSettled(later);
  return { reason: settled >= MIN_SETTLED_FOR_LEAK ? "no-drop-off" : "too-few-settled", settled, finished };
}

/** Difference a − b in percentage points; null when either rate is undefined. */
function pp(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : (a - b) * 100;
}

/**
 * Rate changes of `current` against `previous` (the same funnel over another range),
 * in percentage points: +3.5 means the rate rose from e.g. 35 % to 38.5 %.
 */
export function compareReports(current: FunnelFigures, previous: FunnelFigures): FunnelComparison {
  if (current.steps.length !== previous.steps.length) {
    throw new RangeError("reports of funnels with different step counts cannot be compared");
  }
  return {
    totalUnits: { current: current.totalUnits, previous: previous.totalUnits },
    steps: current.steps.map((c, i) => {
      const p = previous.steps[i];
      return {
        step: c.step,
        label: c.label,
        count: { current: c.count, previous: p.count },
        stepConversionPp: pp(c.stepConversion, p.stepConversion),
        overallConversionPp: pp(c.overallConversion, p.overallConversion),
        dropOffRatePp: pp(c.dropOffRate, p.dropOffRate),
        stepConversion:
          i === 0 ? null : rateChange({ converted: c.count, total: current.steps[i - 1].count }, { converted: p.count, total: previous.steps[i - 1].count }),
        overallConversion: rateChange({ converted: c.count, total: current.totalUnits }, { converted: p.count, total: previous.totalUnits }),
        dropOffRate: i === 0 ? null : rateChange({ converted: c.dropOff ?? 0, total: c.settled ?? 0 }, { converted: p.dropOff ?? 0, total: p.settled ?? 0 }),
      };
    }),
  };
}

/**
 * The range of equal length ending where [from, to) starts.
 * Without `timeZone` the length is in milliseconds. With it, the length is measured on
 * the shop's wall clock, so "the previous 7 days" of a range crossing a DST change still
 * starts at local midnight (the two ranges then differ by an hour in milliseconds).
 */
export function previousPeriod(from: number, to: number, timeZone?: string): { from: number; to: number } {
  if (timeZone === undefined) return { from: from - (to - from), to: from };
  const wallFrom = from + cachedZoneOffsetMs(from, timeZone);
  const wallTo = to + cachedZoneOffsetMs(to, timeZone);
  return { from: wallClockToEpoch(wallFrom - (wallTo - wallFrom), timeZone), to: from };
}
