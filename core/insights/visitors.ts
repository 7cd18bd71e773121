/**
 * Per-visitor views of a shop's events: who was active in a window, who did a metric,
 * and when. The unit of every insight is the visitor (the pixel's clientId), the unit
 * an A/B test randomises and a remarketing list targets.
 */
import { dedupeEvents, groupByVisitor, matchesAlternative } from "../funnel";
import type { CoreEvent, StepMatcher } from "../types";

/** Half-open window [from, to) in epoch ms. */
export interface Window {
  from: number;
  to: number;
}

export function inWindow(ts: number, w: Window): boolean {
  return ts >= w.from && ts < w.to;
}

/** Whether the event matches any alternative of the metric. */
export function matchesMetric(e: CoreEvent, anyOf: readonly StepMatcher[]): boolean {
  for (const alt of anyOf) if (matchesAlternative(e, alt)) return true;
  return false;
}

/**
 * The events of `w`, duplicates removed (same id, repeated checkout token or order id:
 * core/funnel's rules), grouped by visitor in (ts, seq, id) order. A visitor is in the
 * map when it has at least one event in the window: that is the population of every
 * per-visitor rate on the insights pages.
 */
export function visitorsInWindow(events: readonly CoreEvent[], w: Window): Map<string, CoreEvent[]> {
  return groupByVisitor(dedupeEvents(events).filter((e) => inWindow(e.ts, w)));
}

/** Index of the first event matching the metric, or -1. */
export function firstMatch(events: readonly CoreEvent[], anyOf: readonly StepMatcher[]): number {
  for (let i = 0; i < events.length; i++) if (matchesMetric(events[i], anyOf)) return i;
  return -1;
}

/**
 * Visitors of the window and, per metric, how many of them did it at least once in the
 * window (no ordering constraint). This is the testing planner's baseline.
 */
export function countVisitorsByMetric(
  events: readonly CoreEvent[],
  metrics: readonly { key: string; anyOf: StepMatcher[] }[],
  w: Window,
): { visitors: number; did: Record<string, number> } {
  const byVisitor = visitorsInWindow(events, w);
  const did: Record<string, number> = Object.fromEntries(metrics.map((m) => [m.key, 0]));
  for (const list of byVisitor.values()) {
    for (const m of metrics) if (firstMatch(list, m.anyOf) >= 0) did[m.key]++;
  }
  return { visitors: byVisitor.size, did };
}
