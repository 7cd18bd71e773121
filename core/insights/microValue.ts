/**
 * Micro → macro value (docs/insights.md, "Micro-conversion value"): for each micro step
 * M and the goal G over a range, per visitor, P(G | did M) against P(G | did not do M),
 * with counts and the lift's 95 % interval from core/stats.
 *
 * "Did M" counts only when M happened at or before the visitor's first G in the range
 * (same millisecond counts, as in funnels; the G event itself never counts as M), or
 * any time in the range when the visitor never did G. G is any time in the range.
 */
import { lift, MIN_LIFT_GROUP, type Counts, type LiftResult } from "../stats";
import type { CoreEvent } from "../types";
import type { InsightMetric } from "./catalog";
import { firstMatch, matchesMetric, visitorsInWindow, type Window } from "./visitors";

export interface MicroValueRow {
  key: string;
  label: string;
  /** Visitors who did M (before their first G, or ever in range if no G) and how many of them did G. */
  did: Counts;
  /** Every other visitor of the range, and how many of them did G. */
  didNot: Counts;
  /** Ratio, interval and the display rule (`eligible`: both groups ≥ 30 visitors). */
  lift: LiftResult;
}

export interface MicroValueReport {
  goal: { key: string; label: string };
  from: number;
  to: number;
  /** Visitors with at least one event in the range. */
  visitors: number;
  /** Of them, visitors who did G in the range. */
  converters: number;
  minGroup: number;
  /** Eligible rows by lift (highest first), then the rest by number of doers. */
  rows: MicroValueRow[];
}

/** Computes the micro-value table over [from, to). Pure: events in, figures out. */
export function computeMicroValue(events: readonly CoreEvent[], goal: InsightMetric, micros: readonly InsightMetric[], w: Window): MicroValueReport {
  const byVisitor = visitorsInWindow(events, w);
  const tallies = micros.map(() => ({ did: 0, didConverted: 0 }));
  let converters = 0;
  for (const list of byVisitor.values()) {
    const g = firstMatch(list, goal.anyOf);
    const converted = g >= 0;
    if (converted) converters++;
    const cutoff = converted ? list[g].ts : Number.POSITIVE_INFINITY;
    micros.forEach((m, k) => {
      if (didBefore(list, m, g, cutoff)) {
        tallies[k].did++;
        if (converted) tallies[k].didConverted++;
      }
    });
  }
  const visitors = byVisitor.size;
  const rows: MicroValueRow[] = micros.map((m, k) => {
    const did = { converted: tallies[k].didConverted, total: tallies[k].did };
    const didNot = { converted: converters - did.converted, total: visitors - did.total };
    return { key: m.key, label: m.label, did, didNot, lift: lift(did, didNot) };
  });
  return { goal: { key: goal.key, label: goal.label }, from: w.from, to: w.to, visitors, converters, minGroup: MIN_LIFT_GROUP, rows: sortRows(rows) };
}

/** M at or before the cutoff (the first G's timestamp), never the first G event itself. */
function didBefore(list: readonly CoreEvent[], m: InsightMetric, gIndex: number, cutoff: number): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e.ts > cutoff) return false; // sorted by ts: nothing later can count
    if (i !== gIndex && matchesMetric(e, m.anyOf)) return true;
  }
  return false;
}

/**
 * Eligible rows first, highest lift first (an undefined ratio last among them); then
 * the rows hidden for want of data, most doers first. Ties by label, so the order is stable.
 */
export function sortRows(rows: readonly MicroValueRow[]): MicroValueRow[] {
  const byLabel = (a: MicroValueRow, b: MicroValueRow) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  return [...rows].sort((a, b) => {
    if (a.lift.eligible !== b.lift.eligible) return a.lift.eligible ? -1 : 1;
    if (a.lift.eligible) {
      const ra = a.lift.ratio ?? Number.NEGATIVE_INFINITY;
      const rb = b.lift.ratio ?? Number.NEGATIVE_INFINITY;
      return ra === rb ? byLabel(a, b) : rb > ra ? 1 : -1;
    }
    return b.did.total - a.did.total || byLabel(a, b);
  });
}

/**
 * Days until the first lift can show, at the range's pace so far: the step closest to it
 * needs `minGroup` visitors who did it and as many who did not. Null when no step has
 * both yet (no rate to extrapolate), 0 when one already could.
 * `dataDays` = days of the range the shop had data for (at least a fraction of one).
 */
export function firstLiftEtaDays(report: Pick<MicroValueReport, "visitors" | "rows" | "minGroup">, dataDays: number): number | null {
  if (report.visitors === 0 || dataDays <= 0) return null;
  // Per step, the visitors needed for both its doers and the others to reach minGroup at
  // today's rate; a step everyone or no one did never gets there.
  const needs = report.rows
    .map((r) => r.did.total / report.visitors)
    .filter((rate) => rate > 0 && rate < 1)
    .map((rate) => Math.max(report.minGroup / rate, report.minGroup / (1 - rate)));
  if (needs.length === 0) return null;
  const needed = Math.min(...needs);
  const perDay = report.visitors / dataDays;
  return Math.max(0, Math.ceil((needed - report.visitors) / perDay));
}
