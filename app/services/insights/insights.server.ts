/**
 * The Insights page's numbers: micro → macro value over a date range and the testing
 * planner over the last 28 days, for one shop. One event load covers both windows;
 * the pure core computes everything (core/insights). JSON-safe view models.
 */
import { z } from "zod";
import prisma from "../../db.server";
import { loadReportEvents } from "../events.server";
import {
  computeMicroValue,
  countVisitorsByMetric,
  DEFAULT_GOAL,
  goalByKey,
  GOAL_KEYS,
  MACRO_GOALS,
  microsFor,
  planMetrics,
  PLANNER_WINDOW_DAYS,
  DAY_MS,
  type MicroValueReport,
  type PlannerReport,
} from "../../../core/insights";
import { InsightsRequestError, resolveInsightRange, zodMessage, type InsightRange } from "./range.server";

export { InsightsRequestError } from "./range.server";

/** Planner settings as the merchant types them: MDE in percent, alpha and power as fractions. */
export const plannerQuery = z.object({
  mde: z.coerce
    .number({ error: "mde must be a number (percent, e.g. 10 for +10 %)" })
    .gt(0, "mde must be above 0 %")
    .max(500, "mde is at most 500 %")
    .default(10),
  alpha: z.coerce
    .number({ error: "alpha must be a number such as 0.05" })
    .gt(0, "alpha must be above 0")
    .max(0.2, "alpha is at most 0.2")
    .default(0.05),
  power: z.coerce
    .number({ error: "power must be a number such as 0.8" })
    .min(0.5, "power is at least 0.5")
    .max(0.99, "power is at most 0.99")
    .default(0.8),
});

const goalQuery = z.enum(GOAL_KEYS, { error: `goal must be one of ${GOAL_KEYS.join(", ")}` }).default(DEFAULT_GOAL);

export interface PlannerSettingsView {
  /** Percent, as typed (10 = +10 % relative). */
  mde: number;
  alpha: number;
  power: number;
}

/** `?mde=&alpha=&power=` validated; empty values take the defaults. */
export function parsePlannerSettings(search: URLSearchParams): PlannerSettingsView {
  const parsed = plannerQuery.safeParse({
    mde: search.get("mde") || undefined,
    alpha: search.get("alpha") || undefined,
    power: search.get("power") || undefined,
  });
  if (!parsed.success) throw new InsightsRequestError(zodMessage(parsed.error));
  return parsed.data;
}

export interface InsightsView {
  range: InsightRange;
  goals: { key: string; label: string }[];
  microValue: MicroValueReport;
  planner: PlannerReport & { from: number; to: number };
  settings: PlannerSettingsView;
}

/**
 * Micro value over the requested range (`?range=…&goal=…`) and the planner over
 * [now − 28 days, now) (`?mde=&alpha=&power=`), both per visitor.
 */
export async function insightsReport(shop: { id: number; timeZone: string }, search: URLSearchParams, now = Date.now()): Promise<InsightsView> {
  const range = resolveInsightRange(search, shop.timeZone, now);
  const goalParsed = goalQuery.safeParse(search.get("goal") || undefined);
  if (!goalParsed.success) throw new InsightsRequestError(zodMessage(goalParsed.error));
  const goal = goalByKey(goalParsed.data)!;
  const settings = parsePlannerSettings(search);

  const plannerWindow = { from: now - PLANNER_WINDOW_DAYS * DAY_MS, to: now };
  const from = Math.min(range.from, plannerWindow.from);
  const to = Math.max(range.to, plannerWindow.to);
  const events = await loadReportEvents(prisma, shop.id, { from, to, unit: "visitor", windowMs: 0 });

  const names = [...new Set(events.filter((e) => e.ts >= range.from && e.ts < range.to).map((e) => e.name))];
  const micros = microsFor(goal, names);
  const microValue = computeMicroValue(events, goal, micros, range);

  const metrics = [goal, ...micros];
  const counts = countVisitorsByMetric(events, metrics, plannerWindow);
  const planner = planMetrics(
    metrics.map((m, i) => ({ key: m.key, label: m.label, kind: i === 0 ? "macro" : "micro", converted: counts.did[m.key] })),
    { visitors: counts.visitors, days: PLANNER_WINDOW_DAYS, mde: settings.mde / 100, alpha: settings.alpha, power: settings.power },
  );
  return {
    range,
    goals: MACRO_GOALS.map((g) => ({ key: g.key, label: g.label })),
    microValue,
    planner: { ...planner, ...plannerWindow },
    settings,
  };
}
