/**
 * One check of a saved funnel by the hourly step alarm: every step transition, overall and
 * per device, against its own expectation (`watchStep`), and what to do with the shop's
 * alerts. Pure: counts in, checks and alert actions out. The reads, the schedule and the
 * Alert rows are app/services/step-alarm.server.ts; method and false-alarm rate:
 * docs/diagnosis.md.
 */
import { watchGranularity, watchScales, type WatchBucket, type WatchResult } from "./watch";

export const HOUR_MS = 3_600_000;
export const WEEK_HOURS = 168;
/** Baseline weeks: the same hours of the same weekdays over the previous four weeks. */
export const BASELINE_WEEKS = 4;
/** Recent buckets read: a day of hours, a week of days (watchStep looks at the last 6). */
export const RECENT_HOURS = 24;
export const RECENT_DAYS = 7;
/**
 * Chance that one check of one funnel raises any alarm when no step changed. Checked every
 * 15 minutes, 96 times a day: at this level a steady funnel raised any alert on 0, 0 and 2
 * of 100 simulated days at ~50, ~1,000 and ~3,000 sessions a day (consecutive checks share
 * most of their data), at most 2 % (stated and tested: test/unit/diagnosis/watch-day.test.ts).
 * Looser levels name a break little sooner (docs/diagnosis.md, "Time to name a break").
 */
export const RUN_FALSE_ALARM_RATE = 0.0005;
/** An open alert clears when its latest units are no longer significantly low at this z (one-sided 2.5 %). */
export const RECOVERED_Z = -1.96;

/**
 * A step's outcome as the alarm judges it: "reached step k within 20 minutes of step k−1".
 * It is known 20 minutes after the unit reached k−1 (or as soon as it reached k), however
 * long the session goes on, so an hour's units count soon after the hour rather than 30
 * minutes after each of their sessions ends; recent and baseline weeks alike. (30 minutes
 * named one simulated break after 2¼ hours; docs/diagnosis.md.)
 */
export const STEP_WITHIN_MS = 20 * 60_000;

/**
 * Units entering at hour `hour` (hours since the epoch, UTC) with entry device `device`, at
 * the transition to `step` (k ≥ 2): `settled` reached k−1 and their outcome was known at the
 * check (for the baseline weeks: at the same moment 1–4 weeks earlier), `converted` of them
 * reached k within STEP_WITHIN_MS.
 */
export interface StepHourGroup {
  hour: number;
  device: string | null;
  step: number;
  settled: number;
  converted: number;
}

/**
 * Units at entry hour `hour` with device `device` whose furthest step is `furthest`, every
 * outcome known (synthetic traffic in tests): reached k within the time is reached k.
 */
export interface HourGroup {
  hour: number;
  device: string | null;
  furthest: number;
  n: number;
}

/** Step groups of units whose outcomes are all known, from their furthest steps. */
export function stepGroupsOf(groups: readonly HourGroup[], steps: number): StepHourGroup[] {
  const out: StepHourGroup[] = [];
  for (const g of groups) {
    for (let step = 2; step <= Math.min(steps, g.furthest + 1); step++) {
      out.push({ hour: g.hour, device: g.device, step, settled: g.n, converted: g.furthest >= step ? g.n : 0 });
    }
  }
  return out;
}

/**
 * A unit's outcome at the transition to `step` as known at `asOf` (the rule the alarm's read,
 * db/queries/alarm-hour-groups.ts, applies in SQL): "not counted" (it never reached k−1, or
 * its STEP_WITHIN_MS are not over and it has not reached k), "dropped" or "converted" (reached k
 * within STEP_WITHIN_MS of k−1, by asOf). `entryTs` is when it reached step 1 and
 * `msFromPrev` the times between its steps (its deciding attempt's).
 */
export function stepOutcome(
  unit: { entryTs: number; furthest: number; msFromPrev: readonly number[] },
  step: number,
  asOf: number,
): "not counted" | "dropped" | "converted" {
  if (unit.furthest < step - 1) return "not counted";
  let reachedPrev = unit.entryTs;
  for (let i = 0; i < step - 2; i++) reachedPrev += unit.msFromPrev[i];
  if (unit.furthest >= step) {
    const ms = unit.msFromPrev[step - 2];
    if (ms <= STEP_WITHIN_MS && reachedPrev + ms <= asOf) return "converted";
  }
  return reachedPrev + STEP_WITHIN_MS <= asOf ? "dropped" : "not counted";
}

export type Segment = "overall" | string;

/** A span of buckets' figures: since `since`, settled units at step k−1 and how many reached k. */
export interface SpanFigures {
  since: number;
  settled: number;
  converted: number;
  observedRate: number;
  expectedRate: number;
  /** 95 % range of the rate these units would show if nothing changed. */
  expectedLow: number;
  expectedHigh: number;
  z: number;
  baselineSettled: number;
  baselineConverted: number;
}

export interface SeriesCheck {
  /** Step k ≥ 2: the transition from step k−1 to k. */
  step: number;
  segment: Segment;
  granularity: "hour" | "day";
  /** Baseline settled units at step k−1 an hour (decides the granularity). */
  settledPerHour: number;
  /** The level each check of this series is run at: RUN_FALSE_ALARM_RATE / series. */
  falseAlarmRate: number;
  result: WatchResult;
  /** The alarm's span with its expected range, when the check alarms. */
  alarm: SpanFigures | null;
  /** The shortest latest span with enough units (is the step back to normal?). */
  latest: SpanFigures | null;
  /** The buckets of `granularity` (the alarm's scale when it alarms). */
  buckets: WatchBucket[];
  /** Both scales read: the last RECENT_HOURS hours and RECENT_DAYS 24-hour blocks, each with its baseline. */
  hours: WatchBucket[];
  days: WatchBucket[];
}

export interface FunnelCheck {
  /** Hour index (since the epoch) after the current hour: buckets end there. */
  endHour: number;
  /** Series tested in this run: transitions × (overall + devices seen). */
  series: number;
  checks: SeriesCheck[];
}

/** The hours of entry the read must cover: the baseline weeks and the recent one. */
export function readWindow(now: number): { fromHour: number; endHour: number } {
  const endHour = Math.floor(now / HOUR_MS) + 1;
  return { fromHour: endHour - (BASELINE_WEEKS + 1) * WEEK_HOURS, endHour };
}

/** Week 0 (recent) to 4 of an entry hour, counted back from the check's end hour. */
export const weekOf = (hour: number, endHour: number) => Math.floor((endHour - 1 - hour) / WEEK_HOURS);

export function checkFunnel(
  groups: readonly StepHourGroup[],
  opts: { now: number; steps: number; runFalseAlarmRate?: number; minUnits?: number },
): FunnelCheck {
  const { endHour } = readWindow(opts.now);
  const minUnits = opts.minUnits ?? 30;
  const devices = [...new Set(groups.map((g) => g.device).filter((d): d is string => d !== null && d !== ""))].sort();
  const segments: Segment[] = ["overall", ...devices];
  const seriesCount = Math.max(0, opts.steps - 1) * segments.length;
  const falseAlarmRate = (opts.runFalseAlarmRate ?? RUN_FALSE_ALARM_RATE) / Math.max(1, seriesCount);
  // counts[segment][(hour offset from endHour − 35 weeks, step)] = settled, converted
  const firstHour = endHour - (BASELINE_WEEKS + 1) * WEEK_HOURS;
  const span = (BASELINE_WEEKS + 1) * WEEK_HOURS;
  const slot = (hourIndex: number, step: number) => 2 * (hourIndex * (opts.steps + 1) + step);
  const hist = new Map<Segment, Float64Array>();
  const histOf = (seg: Segment) => {
    let h = hist.get(seg);
    if (!h) hist.set(seg, (h = new Float64Array(2 * span * (opts.steps + 1))));
    return h;
  };
  for (const g of groups) {
    const i = g.hour - firstHour;
    if (i < 0 || i >= span || g.step < 2 || g.step > opts.steps) continue;
    for (const seg of g.device ? ["overall", g.device] : ["overall"]) {
      const h = histOf(seg);
      h[slot(i, g.step)] += g.settled;
      h[slot(i, g.step) + 1] += g.converted;
    }
  }
  const checks: SeriesCheck[] = [];
  for (let step = 2; step <= opts.steps; step++) {
    for (const segment of segments) {
      const h = histOf(segment);
      const at = (hourIndex: number) => ({ settled: h[slot(hourIndex, step)], converted: h[slot(hourIndex, step) + 1] });
      let baselineTotal = 0;
      for (let i = 0; i < BASELINE_WEEKS * WEEK_HOURS; i++) baselineTotal += at(i).settled;
      const settledPerHour = baselineTotal / (BASELINE_WEEKS * WEEK_HOURS);
      const bucketsOf = (size: number, count: number): WatchBucket[] => {
        const out: WatchBucket[] = [];
        for (let b = count - 1; b >= 0; b--) {
          const start = span - (b + 1) * size;
          const bucket: WatchBucket = { start: (firstHour + start) * HOUR_MS, settled: 0, converted: 0, baseline: { settled: 0, converted: 0 } };
          for (let i = start; i < start + size; i++) {
            const r = at(i);
            bucket.settled += r.settled;
            bucket.converted += r.converted;
            for (let w = 1; w <= BASELINE_WEEKS; w++) {
              const base = at(i - w * WEEK_HOURS);
              bucket.baseline.settled += base.settled;
              bucket.baseline.converted += base.converted;
            }
          }
          out.push(bucket);
        }
        return out;
      };
      const hours = bucketsOf(1, RECENT_HOURS);
      const days = bucketsOf(24, RECENT_DAYS);
      // Both scales are looked at in one scan (Tarone over all their spans): hours find a
      // sharp break fast wherever the hours hold enough units (a busy afternoon), days find
      // it on a small shop or at a quiet time; a scale too thin to reach the bar costs nothing.
      const result = watchScales([hours, days], { falseAlarmRate, minUnits });
      const granularity = result.scale === null ? watchGranularity(settledPerHour, minUnits) : result.scale === 0 ? "hour" : "day";
      const buckets = granularity === "hour" ? hours : days;
      checks.push({
        step,
        segment,
        granularity,
        settledPerHour,
        falseAlarmRate,
        result,
        buckets,
        hours,
        days,
        alarm: result.alarm ? spanSince(buckets, result.alarm.since) : null,
        latest: latestSpan(hours, minUnits) ?? latestSpan(days, minUnits),
      });
    }
  }
  return { endHour, series: seriesCount, checks };
}

/** The figures of the buckets from `since` on (those starting at or after it); null without baseline. */
export function spanSince(buckets: readonly WatchBucket[], since: number): SpanFigures | null {
  let settled = 0;
  let converted = 0;
  let expected = 0;
  let variance = 0;
  let baselineSettled = 0;
  let baselineConverted = 0;
  let first: number | null = null;
  for (const b of buckets) {
    if (b.start < since) continue;
    first ??= b.start;
    settled += b.settled;
    converted += b.converted;
    baselineSettled += b.baseline.settled;
    baselineConverted += b.baseline.converted;
    if (b.settled > 0 && b.baseline.settled > 0) {
      const p = b.baseline.converted / b.baseline.settled;
      expected += b.settled * p;
      variance += b.settled * p * (1 - p) + (b.settled * b.settled * p * (1 - p)) / b.baseline.settled;
    }
  }
  if (first === null || settled === 0 || baselineSettled === 0) return null;
  const sd = Math.sqrt(variance);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return {
    since: Math.max(since, first),
    settled,
    converted,
    observedRate: converted / settled,
    expectedRate: expected / settled,
    expectedLow: clamp((expected - 1.96 * sd) / settled),
    expectedHigh: clamp((expected + 1.96 * sd) / settled),
    z: sd > 0 ? (converted - expected) / sd : 0,
    baselineSettled,
    baselineConverted,
  };
}

/** The latest buckets, back until they hold `minUnits` settled units and baseline units. */
function latestSpan(buckets: readonly WatchBucket[], minUnits: number): SpanFigures | null {
  let settled = 0;
  let baseline = 0;
  for (let i = buckets.length - 1; i >= 0; i--) {
    settled += buckets[i].settled;
    baseline += buckets[i].baseline.settled;
    if (settled >= minUnits && baseline >= minUnits) return spanSince(buckets, buckets[i].start);
  }
  return null;
}

/** An alert as the decision needs it. */
export interface AlertState {
  id: string;
  step: number;
  segment: Segment;
  status: "open" | "cleared";
  since: number;
  clearedAt: number | null;
}

export type AlertAction =
  | { kind: "open"; check: SeriesCheck; figures: SpanFigures }
  | { kind: "update"; id: string; check: SeriesCheck; figures: SpanFigures | null; granularity: "hour" | "day" }
  | { kind: "clear"; id: string; check: SeriesCheck; figures: SpanFigures | null; granularity: "hour" | "day" };

/**
 * What this check does to the funnel's alerts. An open alert is cleared when the step's
 * latest units are no longer significantly below expectation, else updated (its change
 * point kept). A step+segment without an open alert gets one when the check alarms with a
 * change point after its last cleared alert, so the low buckets an alert already reported
 * do not raise it again while they are still in the scan's window.
 */
export function decideAlerts(check: FunnelCheck, alerts: readonly AlertState[]): AlertAction[] {
  const actions: AlertAction[] = [];
  for (const c of check.checks) {
    const mine = alerts.filter((a) => a.step === c.step && a.segment === c.segment);
    const open = mine.find((a) => a.status === "open");
    if (open) {
      const recovered = c.latest !== null && c.latest.z > RECOVERED_Z;
      // Hours while the change point is among them, else days; the alert says which.
      const hourly = open.since >= c.hours[0].start ? spanSince(c.hours, open.since) : null;
      const figures = hourly ?? spanSince(c.days, open.since) ?? c.alarm;
      const granularity = hourly ? "hour" : figures === c.alarm ? c.granularity : "day";
      actions.push(
        recovered ? { kind: "clear", id: open.id, check: c, figures, granularity } : { kind: "update", id: open.id, check: c, figures, granularity },
      );
      continue;
    }
    if (!c.alarm) continue;
    const lastCleared = Math.max(-Infinity, ...mine.map((a) => a.clearedAt ?? -Infinity));
    if (c.alarm.since <= lastCleared) continue;
    actions.push({ kind: "open", check: c, figures: c.alarm });
  }
  return actions;
}
