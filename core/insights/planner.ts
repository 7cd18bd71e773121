/**
 * Testing planner over the shop's own numbers (docs/insights.md, "Testing planner"):
 * per-visitor baselines and weekly visitors from a trailing window, sized with
 * core/stats' planTest, for the macro goal and every micro metric side by side.
 */
import { DEFAULT_ALPHA, DEFAULT_POWER, planTest, type Counts, type TestPlanResult } from "../stats";

/** Below this many converting visitors a baseline is shown with a "rough estimate" caveat. */
export const MIN_BASELINE_CONVERSIONS = 30;
/** The trailing window the planner reads baselines and traffic from. */
export const PLANNER_WINDOW_DAYS = 28;

export interface PlannerMetric {
  key: string;
  label: string;
  kind: "macro" | "micro";
  /** Visitors of the window who did the metric at least once. */
  converted: number;
}

export interface PlannerSettings {
  /** Distinct visitors over the window. */
  visitors: number;
  /** Length of the window in days: 28, or fewer (fractional) for a shop younger than that. */
  days: number;
  /** Minimum detectable effect, relative (0.1 = +10 %). */
  mde: number;
  alpha?: number;
  power?: number;
  /** Arms including control (2 = A/B). */
  variants?: number;
}

export interface PlannerRow {
  key: string;
  label: string;
  kind: "macro" | "micro";
  /** converted of total visitors in the window: the baseline rate's counts. */
  baseline: Counts;
  /** baseline as a rate, null for an empty window. */
  rate: number | null;
  /** planTest's result: per-arm and total visitors, whole weeks (rounded up), or why not. */
  plan: TestPlanResult;
  /** total / weekly visitors, unrounded (33.16 → shown "33.2"), null without traffic or a plan. */
  exactWeeks: number | null;
  /** Sample-size caveat for this row, or null. */
  caveat: string | null;
}

export interface PlannerReport {
  visitors: number;
  days: number;
  /** visitors · 7 / days: distinct visitors of the window spread evenly over its weeks. */
  weeklyVisitors: number;
  mde: number;
  alpha: number;
  power: number;
  variants: number;
  /** Macro rows first, then micro rows fastest first (rows without a plan last). */
  rows: PlannerRow[];
}

/** Plans a test on each metric with the same traffic, MDE, significance and power. */
export function planMetrics(metrics: readonly PlannerMetric[], s: PlannerSettings): PlannerReport {
  const alpha = s.alpha ?? DEFAULT_ALPHA;
  const power = s.power ?? DEFAULT_POWER;
  const variants = s.variants ?? 2;
  const weeklyVisitors = s.days > 0 ? (s.visitors * 7) / s.days : 0;
  const rows = metrics.map((m): PlannerRow => {
    const baseline = { converted: m.converted, total: s.visitors };
    const rate = s.visitors > 0 ? m.converted / s.visitors : null;
    const plan: TestPlanResult =
      rate === null
        ? { ok: false, reason: `no visitors in the last ${formatDays(s.days)} to take a baseline from` }
        : m.converted === 0
          ? { ok: false, reason: `nobody did this in the last ${formatDays(s.days)}: no baseline to test against` }
          : planTest({ baseline: rate, mde: s.mde, alpha, power, weeklyVisitors, variants });
    const exactWeeks = plan.ok && weeklyVisitors > 0 ? plan.total / weeklyVisitors : null;
    const caveat =
      m.converted > 0 && m.converted < MIN_BASELINE_CONVERSIONS
        ? `rough estimate: baseline from only ${m.converted} converting visitor${m.converted === 1 ? "" : "s"} (fewer than ${MIN_BASELINE_CONVERSIONS})`
        : null;
    return { key: m.key, label: m.label, kind: m.kind, baseline, rate, plan, exactWeeks, caveat };
  });
  return { visitors: s.visitors, days: s.days, weeklyVisitors, mde: s.mde, alpha, power, variants, rows: sortPlannerRows(rows) };
}

function sortPlannerRows(rows: PlannerRow[]): PlannerRow[] {
  const weeks = (r: PlannerRow) => (r.plan.ok ? r.plan.total : Number.POSITIVE_INFINITY);
  return [...rows].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === "macro" ? -1 : 1;
    const wa = weeks(a);
    const wb = weeks(b);
    if (wa !== wb) return wa < wb ? -1 : 1;
    return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
  });
}

/** "28 days", "3.5 days", "1 day": a window length to one decimal. */
export function formatDays(days: number): string {
  const d = Math.round(days * 10) / 10;
  return `${d} day${d === 1 ? "" : "s"}`;
}

/** "33.2": exact weeks with one decimal, as shown beside the whole weeks planTest rounds up to. */
export function formatWeeks(exact: number): string {
  // The epsilon keeps 5950 / 1000 = 5.95 (stored as 5.9499…) rounding half up, to "6.0".
  return (Math.round(exact * 10 + 1e-9) / 10).toFixed(1);
}
