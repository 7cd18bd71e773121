/**
 * Reads one funnel's report: validated params → the precomputed per-unit results as of the
 * refresher's progress, or the stored events through the pure engine (core/funnel) → the
 * view model (./view.ts). In two parts: the report (readReport) and its diagnosis
 * (reportDiagnosis), which the report page streams after the rest. Nothing here builds or
 * refreshes. The clock is read here (Date.now()), never in core/. What it reads with is
 * passed in (the composition root's `reports`), so tests and tools can read through their
 * own connections.
 */
import { compareReports, previousPeriod, type FunnelComparison, type FunnelParams, type FunnelReport, type Trend } from "../../../core/funnel";
import type { StepPaths } from "../../../core/diagnosis/paths";
import type { FunnelDefinition } from "../../../core/types";
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
 * What the diagnosis of a report computes from: the report part's own read, so the
 * diagnosis reads the same units (range, clock, source) and states the same totals.
 */
export interface DiagnosisBasis {
  shopId: number;
  /** The funnel and the version the report was read for (decision 010). */
  funnel: { id: string; version: number };
  def: FunnelDefinition;
  /** The computed report of the range: the diagnosis states its figures at the step. */
  report: FunnelReport;
  /** The report's range, clock and zone. */
  window: { from: number; to: number; now: number; timeZone: string };
  resultsFrom: FunnelReportView["resultsFrom"];
  /** The diagnosed step: the one asked for (params.diagnose), else the biggest leak. */
  step: number;
  /** The step is the biggest leak and was not picked. */
  isBiggestLeak: boolean;
}

/** A report without its diagnosis, and what its diagnosis needs. */
export interface ReportRead {
  /** The report; its `diagnosis` and `paths` are null (reportDiagnosis computes them). */
  view: FunnelReportView;
  /** Null when there is nothing to diagnose: no step picked and no leak named, or no unit entered. */
  basis: DiagnosisBasis | null;
}

/** For whom the diagnosed step is worst, and what its drop-offs did instead. */
export interface ReportDiagnosis {
  diagnosis: StepDiagnosis;
  paths: StepPaths;
}

/**
 * The report of one of the shop's funnels, with its diagnosis when asked for (the JSON
 * API and the CSV; the report page streams the diagnosis after the rest: readReport +
 * reportDiagnosis). Throws RequestError for bad params (400) and for a funnel that is not
 * the shop's (404).
 */
export async function funnelReport(
  deps: ReportDeps,
  shop: ReportShop,
  funnelId: string,
  input: URLSearchParams | ReportParams,
  opts: { stepTimes?: boolean; diagnosis?: boolean; retried?: boolean } = {},
): Promise<FunnelReportView> {
  const read = await readReport(deps, shop, funnelId, input, opts);
  if (!opts.diagnosis || !read.basis) return read.view;
  const d = await reportDiagnosis(deps, read.basis, { checkVersion: !opts.retried });
  // An edit committed while the diagnosis read rows: answer again for the definition now stored.
  if (!d) return funnelReport(deps, shop, funnelId, read.view.params, { ...opts, retried: true });
  return { ...read.view, diagnosis: d.diagnosis, paths: d.paths };
}

/**
 * The report without its diagnosis (`view.diagnosis` and `view.paths` null), and the
 * basis reportDiagnosis computes it from. Throws like funnelReport.
 */
export async function readReport(
  deps: ReportDeps,
  shop: ReportShop,
  funnelId: string,
  input: URLSearchParams | ReportParams,
  opts: { stepTimes?: boolean; retried?: boolean } = {},
): Promise<ReportRead> {
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
    return readReport(deps, shop, funnelId, params, { ...opts, retried: true });
  }

  // Only the empty state uses it ("no events" vs "nobody reached step 1").
  const eventsInRange =
    report.totalUnits > 0 ? null : await deps.db.event.count({ where: { shopId: shop.id, isBot: false, ts: { gte: range.from, lt: range.to } } });
  const view = reportView(
    report,
    { funnel, params, resultsFrom, asOf, build, range, previousRange, now, comparison, previous, previousTrend, diagnosis: null, paths: null, eventsInRange },
    def.unit,
    shop.locale,
  );
  const step = params.diagnose ?? report.biggestLeak?.step ?? null;
  const basis: DiagnosisBasis | null =
    step === null || report.totalUnits === 0
      ? null
      : {
          shopId: shop.id,
          funnel: { id: funnel.id, version: funnel.version },
          def,
          report,
          window: { from: range.from, to: range.to, now, timeZone },
          resultsFrom,
          step,
          isBiggestLeak: step === report.biggestLeak?.step && !params.diagnose,
        };
  return { view, basis };
}

/**
 * For whom the basis' step is worst (every unit of the report's range with all its
 * dimensions: the segment scan) and what its drop-offs did instead (the paths), read like
 * the report: the precomputed rows when they answered it (whole or partial), else the
 * events (no product there).
 *
 * It may run after its report was answered (the report page streams it), so it re-checks
 * the funnel's version after reading rows (decision 010): null when an edit (or a delete)
 * committed since the report was read, as its rows may then be another version's than
 * the report's. `checkVersion: false` skips that check (a report already read again).
 */
export async function reportDiagnosis(deps: ReportDeps, basis: DiagnosisBasis, opts: { checkVersion?: boolean } = {}): Promise<ReportDiagnosis | null> {
  const { shopId, funnel, def, report, window, resultsFrom, step } = basis;
  const at = report.steps[step - 1];
  const fromRows = resultsFrom !== "events";
  const dimensions = diagnosisDimensions(def, fromRows);
  // Both reads at once, on the report's read connections (Promise.all also handles the
  // rejection of the one that fails second).
  const [paths, units] = await Promise.all([
    stepPaths(deps.reads, {
      shopId,
      funnelId: funnel.id,
      def,
      params: window,
      step,
      totals: { dropped: at.dropOff ?? 0, advanced: at.count },
      fromUnitDays: resultsFrom === "unit-days",
    }),
    fromRows
      ? unitDayUnits(deps.reads, shopId, funnel.id, def, window, { product: dimensions.includes("product") })
      : funnelUnitsSql(deps.db, deps.dialect, shopId, def, window),
  ]);
  if (fromRows && opts.checkVersion !== false && (await funnelVersionNow(deps.db, shopId, funnel.id)) !== funnel.version) return null;
  const diagnosis = diagnoseStep(report.steps, step, basis.isBiggestLeak, units, dimensions, productTitles(def));
  return { diagnosis, paths };
}

function resolveRange(p: ReportParams, timeZone: string, now: number): ResolvedRange {
  return resolveDateRange({ preset: p.range, from: p.from ?? undefined, to: p.to ?? undefined }, timeZone, now);
}
