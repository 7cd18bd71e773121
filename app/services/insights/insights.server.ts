/**
 * The Insights page's numbers: micro → macro value over a date range and the testing
 * planner over the last 28 days, for one shop. One event load covers both windows;
 * the pure core computes everything (core/insights). JSON-safe view models.
 */
import { z } from "zod";
import type { Db } from "../../../db/prisma";
import { loadReportEvents } from "../events.server";
import {
  computeMicroValue,
  firstLiftEtaDays,
  countVisitorsByMetric,
  DEFAULT_GOAL,
  goalByKey,
  GOAL_KEYS,
  MACRO_GOALS,
  microsFor,
  planMetrics,
  PLANNER_WINDOW_DAYS,
  type MicroValueReport,
  type PlannerReport,
} from "../../../core/insights";
import { DAY_MS } from "../../../core/time";
import { parseAll, resolveInsightRange, zodFieldErrors, type InsightRange } from "./range.server";
import { RequestError } from "../request-error";

/** Planner settings as the merchant types them: MDE in percent, alpha and power as fractions. */
export const plannerQuery = z.object({
  mde: z.coerce
    .number({ error: "mde must be a number (percent, e.g. 10 for +10 %)" })
    .gt(0, "mde must be above 0 %")
    .max(500, "mde is at most 500 %")
    .default(10),
  alpha: z.coerce.number({ error: "alpha must be a number such as 0.05" }).gt(0, "alpha must be above 0").max(0.2, "alpha is at most 0.2").default(0.05),
  power: z.coerce.number({ error: "power must be a number such as 0.8" }).min(0.5, "power is at least 0.5").max(0.99, "power is at most 0.99").default(0.8),
});

const goalQuery = z.enum(GOAL_KEYS, { error: `goal must be one of ${GOAL_KEYS.join(", ")}` }).default(DEFAULT_GOAL);

export interface PlannerSettingsView {
  /** Percent, as typed (10 = +10 % relative). */
  mde: number;
  alpha: number;
  power: number;
}

/** `?mde=&alpha=&power=` validated (every bad one reported); empty values take the defaults. */
export function parsePlannerSettings(search: URLSearchParams): PlannerSettingsView {
  const parsed = plannerQuery.safeParse({
    mde: search.get("mde") || undefined,
    alpha: search.get("alpha") || undefined,
    power: search.get("power") || undefined,
  });
  if (!parsed.success) throw new RequestError(zodFieldErrors(parsed.error));
  return parsed.data;
}

function parseGoal(search: URLSearchParams): string {
  const parsed = goalQuery.safeParse(search.get("goal") || undefined);
  if (!parsed.success) throw new RequestError({ goal: parsed.error.issues[0].message });
  return parsed.data;
}

/**
 * When the shop's data starts: the install, or its first stored event when that is
 * earlier (imported or backfilled history). Rates and weekly traffic never count days
 * before it, however new the shop is.
 */
export async function dataSince(db: Db, shop: { id: number; installedAt?: Date | null }): Promise<number | null> {
  const first = await db.event.findFirst({ where: { shopId: shop.id }, orderBy: { ts: "asc" }, select: { ts: true } });
  const times = [shop.installedAt?.getTime(), first ? Number(first.ts) : undefined].filter((t): t is number => typeof t === "number");
  return times.length ? Math.min(...times) : null;
}

export interface InsightsView {
  range: InsightRange;
  goals: { key: string; label: string }[];
  microValue: MicroValueReport;
  /** The planner's window: the last 28 days, or since `dataSince` when that is later. */
  planner: PlannerReport & { from: number; to: number; sinceInstall: boolean };
  settings: PlannerSettingsView;
  /** When the shop's data starts (install or first event), epoch ms. */
  dataSince: number | null;
  /** Days until the first lift can show at the pace so far (null: no micro step yet; 0: now). */
  firstLiftEtaDays: number | null;
}

/**
 * Micro value over the requested range (`?range=…&goal=…`) and the planner over
 * [max(now − 28 days, data start), now) (`?mde=&alpha=&power=`), both per visitor.
 * Every bad parameter is reported at once (RequestError.fieldErrors).
 */
export async function insightsReport(
  db: Db,
  shop: { id: number; timeZone: string; installedAt?: Date | null },
  search: URLSearchParams,
  now = Date.now(),
): Promise<InsightsView> {
  const { range, goalKey, settings } = parseAll({
    range: () => resolveInsightRange(search, shop.timeZone, now),
    goalKey: () => parseGoal(search),
    settings: () => parsePlannerSettings(search),
  });
  const goal = goalByKey(goalKey)!;
  const since = await dataSince(db, shop);
  // A new shop's traffic per week is its visitors over the days it has existed (at
  // least one, so a first hour is not extrapolated to a week), not over 28 days.
  const windowStart = Math.max(now - PLANNER_WINDOW_DAYS * DAY_MS, Math.min(since ?? now, now - DAY_MS));
  const plannerWindow = { from: windowStart, to: now };
  const plannerDays = (now - windowStart) / DAY_MS;
  const from = Math.min(range.from, plannerWindow.from);
  const to = Math.max(range.to, plannerWindow.to);
  const events = await loadReportEvents(db, shop.id, { from, to, unit: "visitor", windowMs: 0 });

  const names = [...new Set(events.filter((e) => e.ts >= range.from && e.ts < range.to).map((e) => e.name))];
  const micros = microsFor(goal, names);
  const microValue = computeMicroValue(events, goal, micros, range);

  const metrics = [goal, ...micros];
  const counts = countVisitorsByMetric(events, metrics, plannerWindow);
  const planner = planMetrics(
    metrics.map((m, i) => ({ key: m.key, label: m.label, kind: i === 0 ? "macro" : "micro", converted: counts.did[m.key] })),
    { visitors: counts.visitors, days: plannerDays, mde: settings.mde / 100, alpha: settings.alpha, power: settings.power },
  );
  return {
    range,
    goals: MACRO_GOALS.map((g) => ({ key: g.key, label: g.label })),
    microValue,
    planner: { ...planner, ...plannerWindow, sinceInstall: windowStart > now - PLANNER_WINDOW_DAYS * DAY_MS },
    settings,
    dataSince: since,
    firstLiftEtaDays: firstLiftEtaDays(microValue, (Math.min(range.to, now) - Math.max(range.from, since ?? range.from)) / DAY_MS),
  };
}
