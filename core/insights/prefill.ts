/**
 * What an Insights row's actions open, prefilled: a funnel "did the micro step, then
 * reached the goal", an audience "did the micro step, not the goal", and the planner on
 * that metric. Pure: links (query strings) and the funnel definition they stand for.
 */
import type { StepMatcher } from "../types";
import { EXPERIMENT_EVENT, goalByKey, MICRO_CATALOG, microByKey, type InsightMetric } from "./catalog";

/** The micro metric a row key names: a catalog key, or `custom:mc:<name>` for the shop's own events. */
export function insightMetricByKey(key: string | null | undefined): InsightMetric | null {
  if (!key) return null;
  const builtIn = microByKey(key);
  if (builtIn) return builtIn;
  const m = /^custom:(mc:[^\u0000-\u001f\u007f]{1,61})$/.exec(key);
  if (!m || m[1] === EXPERIMENT_EVENT) return null;
  return { key, label: `Custom event ${m[1]}`, anyOf: [{ event: m[1], filters: [] }] };
}

export interface FunnelPrefill {
  name: string;
  unit: "visitor";
  windowMinutes: number;
  template: null;
  steps: { label: string; anyOf: StepMatcher[] }[];
}

/** Insights count per visitor over the range; the funnel's window is the default 30-day range. */
export const PREFILL_WINDOW_MINUTES = 30 * 24 * 60;

/** Two steps, per visitor: the micro-conversion, then the goal; null for unknown keys. */
export function funnelPrefill(microKey: string | null, goalKey: string | null): FunnelPrefill | null {
  const micro = insightMetricByKey(microKey);
  const goal = goalKey ? goalByKey(goalKey) : null;
  if (!micro || !goal) return null;
  const clone = (anyOf: readonly StepMatcher[]) => anyOf.map((m) => ({ event: m.event, filters: m.filters.map((f) => ({ ...f })) }));
  return {
    name: `${micro.label} → ${goal.label}`.slice(0, 80),
    unit: "visitor",
    windowMinutes: PREFILL_WINDOW_MINUTES,
    template: null,
    steps: [
      { label: micro.label, anyOf: clone(micro.anyOf) },
      { label: goal.label, anyOf: clone(goal.anyOf) },
    ],
  };
}

/** Can an audience be made from this row? Audiences take catalog micro steps only. */
export const audienceMicroKeys: ReadonlySet<string> = new Set(MICRO_CATALOG.map((m) => m.key));

export interface RowLinks {
  funnel: string;
  audience: string | null;
  plan: string;
}

/**
 * The three actions of a row. `insightsQuery` is the page's own query (range, goal,
 * settings) so "plan a test" keeps them.
 */
export function rowLinks(microKey: string, goalKey: string, insightsQuery: string): RowLinks {
  const funnel = `/app/funnels/new?${new URLSearchParams({ micro: microKey, goal: goalKey })}`;
  const audience = audienceMicroKeys.has(microKey) ? `/app/audiences/new?${new URLSearchParams({ micro: microKey, macro: `goal:${goalKey}` })}` : null;
  const q = new URLSearchParams(insightsQuery);
  q.set("plan", microKey);
  return { funnel, audience, plan: `/app/insights?${q}#planner` };
}
