/**
 * What an Insights row's actions open, prefilled: a funnel "did the micro step, then
 * reached the goal", an audience "did the micro step, not the goal", and the planner on
 * that metric. Pure: links (query strings) and the funnel definition they stand for.
 */
import { z } from "zod";
import { planTest, type TestPlanResult } from "../stats";
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

/**
 * "Plan a test on this step" from a funnel report: the step's own baseline (settled
 * units at step k−1 of the report's range, and how many of them reached step k) and its
 * traffic (those settled units spread evenly over the range's weeks). The unit is the
 * funnel's (session or visitor): the plan counts what the report counted.
 */
export interface StepPlanPrefill {
  /** "Carted → Checked out". */
  label: string;
  unit: "session" | "visitor";
  /** Settled units at step k−1: the baseline's denominator. */
  settled: number;
  /** Of them, units that reached step k. */
  converted: number;
  /** Length of the report's range in days. */
  days: number;
}

export const STEP_PLAN_KEY = "funnel-step";

const count = z.coerce.number().int().min(0).max(1e12);
const stepPlanSchema = z
  .object({
    label: z.string().trim().min(1).max(200),
    unit: z.enum(["session", "visitor"]),
    settled: count,
    converted: count,
    days: z.coerce.number().int().min(1).max(3660),
  })
  .refine((p) => p.converted <= p.settled, { message: "converted must not exceed settled" });

/** The planner link a report step opens: `?plan=funnel-step&…#planner`. */
export function stepPlanLink(p: StepPlanPrefill): string {
  const q = new URLSearchParams({
    plan: STEP_PLAN_KEY,
    label: p.label,
    unit: p.unit,
    settled: String(p.settled),
    converted: String(p.converted),
    days: String(p.days),
  });
  return `/app/insights?${q}#planner`;
}

/** The step prefill a planner query carries, or null when it names none or is malformed (the page then ignores it). */
export function readStepPlan(search: URLSearchParams): StepPlanPrefill | null {
  if (search.get("plan") !== STEP_PLAN_KEY) return null;
  const parsed = stepPlanSchema.safeParse({
    label: search.get("label") ?? undefined,
    unit: search.get("unit") ?? undefined,
    settled: search.get("settled") ?? undefined,
    converted: search.get("converted") ?? undefined,
    days: search.get("days") ?? undefined,
  });
  return parsed.success ? parsed.data : null;
}

export interface StepPlan {
  prefill: StepPlanPrefill;
  /** converted / settled, null without settled units. */
  rate: number | null;
  /** settled · 7 / days. */
  weeklyUnits: number;
  plan: TestPlanResult;
}

/** Sizes a test on the step's conversion with the planner's MDE, significance, power and arms. */
export function planStep(p: StepPlanPrefill, s: { mde: number; alpha: number; power: number; variants: number }): StepPlan {
  const rate = p.settled > 0 ? p.converted / p.settled : null;
  const weeklyUnits = (p.settled * 7) / p.days;
  const plan: TestPlanResult =
    rate === null
      ? { ok: false, reason: `no finished ${p.unit}s reached the step's start in the report's range` }
      : planTest({ baseline: rate, mde: s.mde, alpha: s.alpha, power: s.power, weeklyVisitors: weeklyUnits, variants: s.variants });
  return { prefill: p, rate, weeklyUnits, plan };
}
