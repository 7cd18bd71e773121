/**
 * Reads one funnel's report: validated params → the precomputed per-unit results as of the
 * refresher's progress, or the stored events through the pure engine (core/funnel) → the
 * view model (./view.ts). Nothing here builds or refreshes. The clock is read here
 * (Date.now()), never in core/. What it reads with is passed in (the composition root's
 * `reports`), so tests and tools can read through their own connections.
 */
import { compareReports, previousPeriod, type FunnelComparison, type FunnelParams, type Trend } from "../../../core/funnel";
import type { StepPaths } from "../../../core/diagnosis/paths";
import type { ReportParams } from "../../lib/funnel-query";
import { describeRange, resolveDateRange, safeTimeZone, type ResolvedRange } from "../date-range";
import { stepPaths } from "../diagnosis-paths.server";
import { unitDayUnits } from "../diagnosis-reads.server";
import { diagnoseStep, diagnosisDimensions, productTitles, type StepDiagnosis } from "../diagnosis.server";
import { funnelAggregateSql, funnelUnitsSql } from "../funnel-results/events-report.server";
import { unitDayReport, type ReadDeps } from "../funnel-results/read.server";
import type { BuildProgress } from "../funnel-results/state.server";
import { funnelVersionNow, getFunnel, toDefinition } from "../funnels.server";
import { RequestError } from "../request-error";
import { funnelNotFound, parseReportParams } from "./params";
import { reportView, type FunnelReportView, type ReportShop } from "./view";

/** What a report reads with: Prisma, its dialect and the report read connections (AppContext.reports). */
export type ReportDeps = ReadDeps;

/**
 * The report of one of the shop's funnels. Throws RequestError for bad params
 * (400) and for a funnel that is not the shop's (404).
 */
export async function funnelReport(
  deps: ReportDeps,
  shop: ReportShop,
  funnelId: string,
  input: URLSearchParams | ReportParams,
  opts: { stepTimes?: boolean; diagnosis?: boolean; retried?: boolean } = {},
): Promise<FunnelReportView> {
  const params = input instanceof URLSearchParams ? parseReportParams(input) : input;
  const now = Date.now();
  const timeZone = safeTimeZone(shop.timeZone);
  const range = resolveRange(params, timeZone, now);
  const funnel = await getFunnel(deps.db, shop.id, funnelId);
  if (!funnel) throw funnelNotFound();
  const def = toDefinition(funnel);
  if (params.diagnose && params.diagnose > def.steps.length) {
    throw new RequestError(`diagnose must be a step number from 2 to ${def.steps.length} (this funnel has ${def.steps.length} steps)`, 400);
  }
  // Precomputed per-unit results as of the refresher's progress (funnel-results/read.server.ts),
  // else the database reduces the events and the engine computes (events-*.server.ts).
  // Tests prove both equal computeFunnel over all events. Nothing here builds or refreshes.
  // Cast: set inside `compute`, which control-flow narrowing does not follow.
  let resultsFrom = "unit-days" as FunnelReportView["resultsFrom"];
  let asOf = now;
  let build = null as BuildProgress | null;
  // Rows were read: the version check below makes sure they were the reported version's.
  let readRows = false;
  const compute = async (p: FunnelParams) => {
    const answer = await unitDayReport(deps, shop.id, funnel.id, def, p);
    if (answer.from !== "unit-days" && answer.build) build = answer.build;
    readRows ||= answer.from !== "events";
    if (answer.from === "events") {
      if (resultsFrom === "unit-days") resultsFrom = "events";
      return funnelAggregateSql(deps.db, deps.dialect, shop.id, def, p);
    }
    if (answer.from === "partial") resultsFrom = "partial";
    asOf = Math.min(asOf, answer.asOf);
    return answer.report;
  };

  const report = await compute({
    from: range.from,
    to: range.to,
    now,
    timeZone,
    trend: params.trend,
    ...(params.breakdown ? { breakdown: params.breakdown } : {}),
    ...(opts.stepTimes === false ? { stepTimes: false } : {}),
  });

  // For whom: every unit of the same range and `now` with all its dimensions, read like the
  // report (precomputed rows when they answered it), without step times or trend.
  let diagnosis: StepDiagnosis | null = null;
  let paths: StepPaths | null = null;
  const diagnosed = params.diagnose ?? report.biggestLeak?.step ?? null;
  if (opts.diagnosis && diagnosed !== null && report.totalUnits > 0) {
    // One read serves every dimension and pair: the precomputed rows grouped by every
    // attribute when they answered the report (whole or partial), else the events with
    // every attribute (no product there).
    const window = { from: range.from, to: range.to, now, timeZone };
    const at = report.steps[diagnosed - 1];
    const pathsRead = stepPaths(deps.reads, {
      shopId: shop.id,
      funnelId: funnel.id,
      def,
      params: window,
      step: diagnosed,
      totals: { dropped: at.dropOff ?? 0, advanced: at.count },
      fromUnitDays: resultsFrom === "unit-days",
    });
    // Runs beside the breakdowns and is awaited after them: if they throw first, its own
    // failure must not surface as an unhandled rejection.
    pathsRead.catch(() => {});
    const fromRows = resultsFrom !== "events";
    const dimensions = diagnosisDimensions(def, fromRows);
    const units = fromRows
      ? await unitDayUnits(deps.reads, shop.id, funnel.id, def, window, { product: dimensions.includes("product") })
      : await funnelUnitsSql(deps.db, deps.dialect, shop.id, def, window);
    diagnosis = diagnoseStep(report.steps, diagnosed, diagnosed === report.biggestLeak?.step && !params.diagnose, units, dimensions, productTitles(def));
    paths = await pathsRead;
  }

  let previousRange: ResolvedRange | null = null;
  let comparison: FunnelComparison | null = null;
  let previous: FunnelReportView["previous"] = null;
  let previousTrend: Trend | null = null;
  if (params.compare) {
    const prev = previousPeriod(range.from, range.to, timeZone);
    previousRange = describeRange("custom", prev.from, prev.to, timeZone);
    const prevReport = await compute({ from: prev.from, to: prev.to, now, timeZone, trend: params.trend });
    previousTrend = prevReport.trend ?? null;
    comparison = compareReports(report, prevReport);
    previous = { totalUnits: prevReport.totalUnits, inProgressUnits: prevReport.inProgressUnits, steps: prevReport.steps };
  }

  // An edit committed while precomputed rows were read (decision 010): they may belong to
  // another version than `def`; answer again for the definition now stored.
  if (readRows && !opts.retried && (await funnelVersionNow(deps.db, shop.id, funnel.id)) !== funnel.version) {
    return funnelReport(deps, shop, funnelId, params, { ...opts, retried: true });
  }

  // Only the empty state uses it ("no events" vs "nobody reached step 1").
  const eventsInRange =
    report.totalUnits > 0 ? null : await deps.db.event.count({ where: { shopId: shop.id, isBot: false, ts: { gte: range.from, lt: range.to } } });
  return reportView(
    report,
    { funnel, params, resultsFrom, asOf, build, range, previousRange, now, comparison, previous, previousTrend, diagnosis, paths, eventsInRange },
    def.unit,
    shop.locale,
  );
}

function resolveRange(p: ReportParams, timeZone: string, now: number): ResolvedRange {
  return resolveDateRange({ preset: p.range, from: p.from ?? undefined, to: p.to ?? undefined }, timeZone, now);
}
