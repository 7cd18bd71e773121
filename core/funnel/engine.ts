/**
 * The funnel engine: events in, report out, following docs/funnel-semantics.md.
 * Pure: the clock (`now`) and the shop's time zone are parameters.
 *
 * Cost: one sort, then per unit a scan per evaluated attempt over the events in its
 * window. Later attempts that an earlier one provably dominates are skipped, so a
 * session unit scans its events about once.
 */
import { groupByVisitor, sessionize } from "../sessionize";
import { MAX_STEPS, SESSION_GAP_MS, type BreakdownKey, type CoreEvent, type FunnelDefinition } from "../types";
import { dedupeEvents } from "./dedupe";
import { compileStepMask } from "./match";
import {
  aggregateOutcomes,
  figuresFromCounts,
  groupStats,
  rate,
  type Breakdown,
  type BreakdownGroup,
  type FunnelReport,
  type Trend,
  type UnitOutcome,
  unitsOf,
} from "./report";
import { dayKey, isoWeekStartDay, localDayNumber } from "./timezone";

/** Parameters of one report. `from`/`to` are epoch ms already resolved in the shop's zone. */
export interface FunnelParams {
  from: number;
  to: number;
  now: number;
  /** The shop's IANA zone, used for trend buckets only. */
  timeZone: string;
  breakdown?: BreakdownKey;
  trend?: "day" | "week";
  /**
   * false: the caller shows no step times, so precomputed results may leave the medians
   * null and read counts only (the dashboard). Counts are the same either way.
   */
  stepTimes?: boolean;
}

/** A unit's outcome plus what identifies it and its deciding attempt. */
export interface UnitResult extends UnitOutcome {
  /** Session id (`visitorId:start`) or visitor id. */
  unitId: string;
  /** Step-1 event of the deciding attempt: the earliest attempt that reached `furthest`. */
  entry: CoreEvent;
}

/** Breakdowns show this many values, then one "(other)" group. */
export const BREAKDOWN_TOP_VALUES = 10;
/** Value of the rest group; parenthesised so it cannot be mistaken for a real utm value "other". */
export const OTHER_VALUE = "(other)";
/** Value shown for a null attribute (no campaign, unknown device…). */
export const NONE_VALUE = "(none)";

/** Computes the full funnel report for one range. */
export function computeFunnel(events: readonly CoreEvent[], def: FunnelDefinition, params: FunnelParams): FunnelReport {
  return reportFromUnitResults(computeUnitResults(events, def, params), def, params);
}

/**
 * The report from per-unit results: figures, breakdown, trend. Shared by the engine and
 * by precomputed results (core/funnel/unit-days.ts), so both build figures the same way.
 * Only `entry.ts` and `entry.attrs` of each result are read.
 */
export function reportFromUnitResults(results: readonly UnitResult[], def: FunnelDefinition, params: FunnelParams): FunnelReport {
  const labels = def.steps.map((s) => s.label);
  const report: FunnelReport = {
    ...figuresFromCounts(labels, aggregateOutcomes(results, labels.length)),
    unit: def.unit,
    from: params.from,
    to: params.to,
    now: params.now,
  };
  if (params.breakdown) report.breakdown = buildBreakdown(results, labels, params.breakdown);
  if (params.trend) report.trend = buildTrend(results, labels.length, params, params.trend);
  return report;
}

/**
 * Per-unit results (units with an attempt in [from, to) only), after deduplication and
 * sessionization. Exposed for exports and cross-checks against other implementations.
 */
export function computeUnitResults(events: readonly CoreEvent[], def: FunnelDefinition, params: FunnelParams): UnitResult[] {
  validateDefinition(def);
  const clean = dedupeEvents(events);
  const units: [string, CoreEvent[]][] = def.unit === "session" ? sessionize(clean).map((s) => [s.id, s.events]) : [...groupByVisitor(clean)];
  const ctx: UnitContext = {
    maskOf: compileStepMask(def.steps),
    steps: def.steps.length,
    from: params.from,
    to: params.to,
    now: params.now,
    unit: def.unit,
    // A session bounds itself: no window inside it.
    windowMs: def.unit === "session" ? Number.POSITIVE_INFINITY : def.windowMs,
  };
  const results: UnitResult[] = [];
  for (const [unitId, unitEvents] of units) {
    const r = evaluateUnit(unitId, unitEvents, ctx);
    if (r) results.push(r);
  }
  return results;
}

function validateDefinition(def: FunnelDefinition): void {
  if (def.steps.length < 1 || def.steps.length > MAX_STEPS) {
    throw new RangeError(`a funnel has 1..${MAX_STEPS} steps, got ${def.steps.length}`);
  }
  if (def.unit === "visitor" && !(def.windowMs >= 0 && Number.isFinite(def.windowMs))) {
    throw new RangeError(`invalid conversion window ${def.windowMs}`);
  }
}

interface UnitContext {
  maskOf: (e: CoreEvent) => number;
  steps: number;
  from: number;
  to: number;
  now: number;
  unit: FunnelDefinition["unit"];
  windowMs: number;
}

function evaluateUnit(unitId: string, events: CoreEvent[], ctx: UnitContext): UnitResult | null {
  const masks = events.map(ctx.maskOf);
  const a = bestAttempt(events, masks, ctx);
  if (!a) return null;
  const completed = a.reach.length === ctx.steps;
  const lastTs = events[events.length - 1].ts;
  const couldAdvance = ctx.unit === "visitor" ? a.latestStart + ctx.windowMs > ctx.now : ctx.now - lastTs < SESSION_GAP_MS;
  return {
    unitId,
    entry: events[a.index],
    furthest: a.reach.length,
    msFromPrev: a.reach.slice(1).map((ts, j) => ts - a.reach[j]),
    inProgress: !completed && couldAdvance,
  };
}

/** The deciding attempt of a unit among those starting in [from, to). */
export interface BestAttempt {
  /** Index of its step-1 event. */
  index: number;
  /** reach[k] = time step k+1 was reached; length = furthest step. */
  reach: number[];
  /** Start of the latest attempt in [from, to) (visitor units' in-progress rule). */
  latestStart: number;
}

/**
 * Evaluates the unit's attempts in [from, to) in (ts, seq) order and keeps the earliest
 * one that reaches the furthest step. An attempt starting at t is dominated by an earlier
 * attempt at t0 < t whose window covers the unit's last event (the earlier one can reuse
 * the later one's steps), so such attempts are skipped. `events` are the unit's, sorted;
 * `masks` their step masks.
 */
export function bestAttempt(
  events: readonly CoreEvent[],
  masks: readonly number[],
  ctx: { steps: number; from: number; to: number; windowMs: number },
): BestAttempt | null {
  const lastTs = events[events.length - 1].ts;
  let bestIndex = -1;
  let bestReach: number[] = [];
  let latestStart = Number.NEGATIVE_INFINITY;
  let dominatedAfter = Number.POSITIVE_INFINITY;
  for (let i = 0; i < events.length && bestReach.length < ctx.steps; i++) {
    const t = events[i].ts;
    if ((masks[i] & 1) === 0 || t < ctx.from || t >= ctx.to) continue;
    latestStart = t;
    if (t > dominatedAfter) continue;
    const reach = reachFrom(events, masks, i, ctx.steps, t + ctx.windowMs);
    if (reach.length > bestReach.length) {
      bestIndex = i;
      bestReach = reach;
    }
    if (t + ctx.windowMs >= lastTs) dominatedAfter = Math.min(dominatedAfter, t);
  }
  return bestIndex < 0 ? null : { index: bestIndex, reach: bestReach, latestStart };
}

/**
 * For the attempt whose step-1 event is events[start], returns reach[k] = the earliest
 * timestamp at which step k+1 can be reached (reach[0] = ts of step 1); its length is
 * the furthest step. Events are processed in groups of equal timestamp, since inside a
 * group any order is allowed ("ties count in the funnel's favour"); the group includes
 * equal-ts events sorted before the start event.
 *
 * Why greedy is optimal: the only state carried between groups is the next step to
 * fill. Any valid chain's steps that fall in later groups are still available from a
 * state that is further along, so maximising the state after every group maximises the
 * final step, and also gives each step its earliest possible timestamp.
 * Inside a group, how many consecutive steps can be filled by distinct events is a
 * bipartite matching (an event may match several steps), see `matchConsecutiveSteps`.
 */
function reachFrom(events: readonly CoreEvent[], masks: readonly number[], start: number, steps: number, windowEnd: number): number[] {
  const t1 = events[start].ts;
  const reach = [t1];
  let g = start;
  while (g > 0 && events[g - 1].ts === t1) g--;
  while (g < events.length && reach.length < steps) {
    const ts = events[g].ts;
    if (ts > windowEnd) break;
    const group: number[] = [];
    for (; g < events.length && events[g].ts === ts; g++) {
      // Keep only events that can still fill a step ≥ the next one.
      if (g !== start && masks[g] >>> reach.length !== 0) group.push(masks[g]);
    }
    const gained = matchConsecutiveSteps(group, reach.length, steps);
    for (let s = 0; s < gained; s++) reach.push(ts);
  }
  return reach;
}

/**
 * Largest m such that steps next..next+m−1 (0-based bits) can each get a different
 * event of the group. Adds steps one at a time with Kuhn's augmenting paths: if step s
 * cannot be added, no matching covers next..s, so larger prefixes fail too.
 */
export function matchConsecutiveSteps(groupMasks: readonly number[], next: number, steps: number): number {
  if (groupMasks.length === 0) return 0;
  if (groupMasks.length === 1) return next < steps ? (groupMasks[0] >>> next) & 1 : 0;
  const owner = new Array<number>(groupMasks.length).fill(-1);
  let matched = 0;
  for (let step = next; step < steps; step++) {
    const visited = new Array<boolean>(groupMasks.length).fill(false);
    if (!augment(step, groupMasks, owner, visited)) break;
    matched++;
  }
  return matched;
}

function augment(step: number, masks: readonly number[], owner: number[], visited: boolean[]): boolean {
  for (let e = 0; e < masks.length; e++) {
    if (visited[e] || ((masks[e] >>> step) & 1) === 0) continue;
    visited[e] = true;
    if (owner[e] === -1 || augment(owner[e], masks, owner, visited)) {
      owner[e] = step;
      return true;
    }
  }
  return false;
}

/** The breakdown attribute of a unit's entry as text; null becomes "(none)". */
export function breakdownValue(entry: CoreEvent, key: BreakdownKey): string {
  const v = entry.attrs[key];
  return v === null || v === undefined ? NONE_VALUE : String(v);
}

/** Top values by step-1 count (ties by value), then one "(other)" group for the rest. */
function buildBreakdown(results: readonly UnitResult[], labels: string[], key: BreakdownKey): Breakdown {
  const byValue = new Map<string, UnitResult[]>();
  for (const r of results) {
    const v = breakdownValue(r.entry, key);
    const list = byValue.get(v);
    if (list) list.push(r);
    else byValue.set(v, [r]);
  }
  const size = new Map([...byValue].map(([v, units]) => [v, unitsOf(units)]));
  const ranked = [...byValue].sort((a, b) => size.get(b[0])! - size.get(a[0])! || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const group = (value: string, isOther: boolean, units: UnitResult[]): BreakdownGroup => {
    const figures = figuresFromCounts(labels, aggregateOutcomes(units, labels.length));
    return { value, isOther, ...figures, ...groupStats(figures) };
  };
  const groups = ranked.slice(0, BREAKDOWN_TOP_VALUES).map(([v, units]) => group(v, false, units));
  const rest = ranked.slice(BREAKDOWN_TOP_VALUES).flatMap(([, units]) => units);
  if (rest.length > 0) groups.push(group(OTHER_VALUE, true, rest));
  return { key, groups };
}

/**
 * Units per local entry day (or ISO week from Monday) of their deciding attempt, so
 * buckets add up to the report totals. Every bucket of the range is listed.
 */
function buildTrend(results: readonly UnitResult[], steps: number, params: FunnelParams, granularity: "day" | "week"): Trend {
  const { timeZone, from, to } = params;
  const bucketOf = (ts: number): number => {
    const day = localDayNumber(ts, timeZone);
    return granularity === "week" ? isoWeekStartDay(day) : day;
  };
  const byBucket = new Map<number, UnitResult[]>();
  for (const r of results) {
    const b = bucketOf(r.entry.ts);
    const list = byBucket.get(b);
    if (list) list.push(r);
    else byBucket.set(b, [r]);
  }
  const buckets: Trend["buckets"] = [];
  if (to > from) {
    const stride = granularity === "week" ? 7 : 1;
    for (let b = bucketOf(from); b <= bucketOf(to - 1); b += stride) {
      const units = byBucket.get(b) ?? [];
      const counts = new Array<number>(steps).fill(0);
      for (const u of units) for (let i = 0; i < u.furthest; i++) counts[i] += u.count ?? 1;
      buckets.push({
        key: dayKey(b),
        counts,
        overallConversion: counts.map((c) => rate(c, counts[0])),
        inProgressUnits: unitsOf(units.filter((u) => u.inProgress)),
      });
    }
  }
  return { granularity, timeZone, buckets };
}
