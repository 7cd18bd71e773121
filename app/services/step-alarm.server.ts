/**
 * The step alarm (every 15 minutes, on hourly buckets): for each ready funnel of each
 * installed shop, one grouped read of the precomputed rows (FunnelUnitDay: per entry hour
 * and device, each step's units whose outcome is known; db/queries/alarm-hour-groups.ts) as of
 * the background refresher's progress, the pure check (core/diagnosis/watch-run.ts) and the
 * shop's Alert rows opened, updated or cleared. Method and false-alarm rate: docs/diagnosis.md.
 */
import { localDayNumber } from "../../core/funnel";
import {
  checkFunnel,
  decideAlerts,
  HOUR_MS,
  readWindow,
  type AlertAction,
  type AlertState,
  type FunnelCheck,
  type StepHourGroup,
  type SpanFigures,
} from "../../core/diagnosis/watch-run";
import { readRows } from "../../db/query";
import alarmHourGroups from "../../db/queries/alarm-hour-groups";
import { resultsAsOf, type ResultsDeps } from "./funnel-results/state.server";
import { toDefinition, toView } from "./funnels.server";

export interface AlarmRunReport {
  shopId: number;
  funnelId: string;
  series: number;
  opened: number;
  updated: number;
  cleared: number;
}

/** One run over every installed shop. Returns what it did per funnel checked. */
export async function runStepAlarm(deps: ResultsDeps, now = Date.now(), opts: { shopIds?: number[] } = {}): Promise<AlarmRunReport[]> {
  const shops = await deps.db.shop.findMany({
    where: { uninstalledAt: null, ...(opts.shopIds ? { id: { in: opts.shopIds } } : {}) },
    select: { id: true, timeZone: true },
    orderBy: { id: "asc" },
  });
  const reports: AlarmRunReport[] = [];
  for (const shop of shops) {
    // The alarm never computes rows itself: it checks as of the background refresher's
    // progress (every event stored before `asOf` is in the rows), as a report reads them.
    const asOf = await resultsAsOf(deps.exec, shop.id, now);
    const funnels = await deps.db.funnel.findMany({
      where: { shopId: shop.id, resultsState: "ready" },
      include: { steps: { select: { position: true, label: true, matchers: true } } },
      orderBy: { id: "asc" },
    });
    for (const row of funnels) {
      const view = toView(row);
      if (view.steps.length < 2) continue;
      const check = await checkSavedFunnel(deps, shop, view.id, toDefinition(view), asOf);
      const labels = view.steps.map((s) => s.label);
      reports.push({ shopId: shop.id, funnelId: view.id, ...(await applyActions(deps, shop.id, view.id, labels, check, now)) });
    }
  }
  return reports;
}

async function checkSavedFunnel(
  deps: ResultsDeps,
  shop: { id: number; timeZone: string },
  funnelId: string,
  def: ReturnType<typeof toDefinition>,
  now: number,
): Promise<FunnelCheck> {
  const steps = def.steps.length;
  return checkFunnel(await alarmStepGroups(deps, shop, funnelId, steps, now), { now, steps });
}

/** The check's read at `now`: per entry hour, device and step, the units counted and converted (core's stepOutcome rule). */
export async function alarmStepGroups(
  deps: Pick<ResultsDeps, "exec">,
  shop: { id: number; timeZone: string },
  funnelId: string,
  steps: number,
  now: number,
): Promise<StepHourGroup[]> {
  const { fromHour, endHour } = readWindow(now);
  const rows = await readRows(deps.exec, alarmHourGroups({ steps }), {
    shopId: shop.id,
    funnelId,
    // Day numbers only bound the index range; the entry times decide.
    fromDay: localDayNumber(fromHour * HOUR_MS, shop.timeZone) - 1,
    toDay: localDayNumber(now, shop.timeZone) + 1,
    fromTs: fromHour * HOUR_MS,
    endTs: endHour * HOUR_MS,
    asOf: Math.floor(now),
  });
  const groups: StepHourGroup[] = [];
  for (const r of rows) {
    for (let step = 2; step <= steps; step++) {
      const settled = Number(r[`s${step}`] ?? 0);
      if (settled > 0) groups.push({ hour: Number(r.h), device: r.device, step, settled, converted: Number(r[`c${step}`] ?? 0) });
    }
  }
  return groups;
}

async function applyActions(
  deps: ResultsDeps,
  shopId: number,
  funnelId: string,
  labels: string[],
  check: FunnelCheck,
  now: number,
): Promise<Omit<AlarmRunReport, "shopId" | "funnelId">> {
  const rows = await deps.db.alert.findMany({
    where: { shopId, funnelId },
    select: { id: true, step: true, segment: true, status: true, since: true, clearedAt: true },
  });
  const states: AlertState[] = rows.map((r) => ({
    id: r.id,
    step: r.step,
    segment: r.segment,
    status: r.status === "open" ? "open" : "cleared",
    since: r.since.getTime(),
    clearedAt: r.clearedAt?.getTime() ?? null,
  }));
  const actions = decideAlerts(check, states);
  const at = new Date(now);
  const figures = (f: SpanFigures) => ({
    expectedRate: f.expectedRate,
    expectedLow: f.expectedLow,
    expectedHigh: f.expectedHigh,
    baselineSettled: f.baselineSettled,
    baselineConverted: f.baselineConverted,
    settled: f.settled,
    converted: f.converted,
    observedRate: f.observedRate,
  });
  const counts = { series: check.series, opened: 0, updated: 0, cleared: 0 };
  for (const a of actions) await apply(a);
  return counts;

  async function apply(a: AlertAction) {
    if (a.kind === "open") {
      // Never two open alerts for one step and segment, even if two processes run the check.
      await deps.db.$transaction(async (tx) => {
        const existing = await tx.alert.findFirst({
          where: { shopId, funnelId, step: a.check.step, segment: a.check.segment, status: "open" },
          select: { id: true },
        });
        if (existing) return;
        await tx.alert.create({
          data: {
            shopId,
            funnelId,
            step: a.check.step,
            fromLabel: labels[a.check.step - 2] ?? "",
            toLabel: labels[a.check.step - 1] ?? "",
            segment: a.check.segment,
            granularity: a.check.granularity,
            status: "open",
            openedAt: at,
            since: new Date(a.figures.since),
            lastCheckedAt: at,
            ...figures(a.figures),
          },
        });
        counts.opened++;
      });
      return;
    }
    const data = { lastCheckedAt: at, granularity: a.granularity, ...(a.figures ? figures(a.figures) : {}) };
    if (a.kind === "clear") {
      await deps.db.alert.updateMany({ where: { id: a.id, shopId, status: "open" }, data: { ...data, status: "cleared", clearedAt: at } });
      counts.cleared++;
    } else {
      await deps.db.alert.updateMany({ where: { id: a.id, shopId, status: "open" }, data });
      counts.updated++;
    }
  }
}

/* ------------------------------------------------------------------------------------ */
/* Reads for the pages and the report JSON                                              */
/* ------------------------------------------------------------------------------------ */

export interface AlertView {
  id: string;
  funnelId: string;
  funnelName: string;
  step: number;
  fromLabel: string;
  toLabel: string;
  segment: string;
  granularity: "hour" | "day";
  status: "open" | "cleared";
  openedAt: string;
  since: string;
  lastCheckedAt: string;
  clearedAt: string | null;
  expectedRate: number;
  expectedLow: number;
  expectedHigh: number;
  baselineSettled: number;
  baselineConverted: number;
  settled: number;
  converted: number;
  observedRate: number;
  /** "sessions" | "visitors": what the counts count. */
  unit: "session" | "visitor";
}

/** The shop's alerts, newest first: open ones (optionally of one funnel), or all (history). */
export async function listAlerts(
  db: ResultsDeps["db"],
  shopId: number,
  opts: { status?: "open"; funnelId?: string; limit?: number } = {},
): Promise<AlertView[]> {
  const rows = await db.alert.findMany({
    where: { shopId, ...(opts.status ? { status: opts.status } : {}), ...(opts.funnelId ? { funnelId: opts.funnelId } : {}) },
    include: { funnel: { select: { name: true, unit: true } } },
    orderBy: [{ openedAt: "desc" }, { id: "asc" }],
    take: opts.limit ?? 500,
  });
  return rows.map((r) => ({
    id: r.id,
    funnelId: r.funnelId,
    funnelName: r.funnel.name,
    step: r.step,
    fromLabel: r.fromLabel,
    toLabel: r.toLabel,
    segment: r.segment,
    granularity: r.granularity === "day" ? "day" : "hour",
    status: r.status === "open" ? "open" : "cleared",
    openedAt: r.openedAt.toISOString(),
    since: r.since.toISOString(),
    lastCheckedAt: r.lastCheckedAt.toISOString(),
    clearedAt: r.clearedAt?.toISOString() ?? null,
    expectedRate: r.expectedRate,
    expectedLow: r.expectedLow,
    expectedHigh: r.expectedHigh,
    baselineSettled: r.baselineSettled,
    baselineConverted: r.baselineConverted,
    settled: r.settled,
    converted: r.converted,
    observedRate: r.observedRate,
    unit: r.funnel.unit === "visitor" ? "visitor" : "session",
  }));
}
