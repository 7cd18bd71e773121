/**
 * The funnel report's view model: what the report page shows, the JSON API returns and the
 * CSV tables are written from, so the three can never disagree; and its assembly from a
 * computed report (sentences in the shop's locale).
 */
import type { Breakdown, FunnelComparison, FunnelReport, Leak, NoLeak, StepFigures, Trend } from "../../../core/funnel";
import type { StepPaths } from "../../../core/diagnosis/paths";
import type { FunnelUnit } from "../../../core/types";
import { formatter, leakSentence, noLeakSentence, safeLocale } from "../../lib/funnel-format";
import { reportQuery, type ReportParams } from "../../lib/funnel-query";
import type { ResolvedRange } from "../date-range";
import type { StepDiagnosis } from "../diagnosis.server";
import type { BuildProgress } from "../funnel-results/state.server";
import type { FunnelView } from "../funnels.server";

/** What a report needs to know about the shop. */
export interface ReportShop {
  id: number;
  timeZone: string;
  locale?: string | null;
}

/** Everything the report page shows; the JSON API returns exactly this. */
export interface FunnelReportView {
  funnel: FunnelView;
  params: ReportParams;
  /** reportQuery(params): append to /report or /csv to get the same numbers. */
  query: string;
  range: ResolvedRange;
  previousRange: ResolvedRange | null;
  locale: string;
  now: number;
  unit: FunnelUnit;
  totalUnits: number;
  inProgressUnits: number;
  steps: StepFigures[];
  biggestLeak: Leak | null;
  /** The headline, e.g. "65.0 % of sessions that reached “Viewed a product” never reached “Added to cart” (650 of 1,000)." */
  leakSentence: string | null;
  /** Why no leak is named (null when one is). */
  noLeak: NoLeak | null;
  /** That reason in words, e.g. "No leak named: not enough finished sessions yet: 12 (a step needs 30)." */
  noLeakSentence: string | null;
  breakdown: Breakdown | null;
  trend: Trend;
  comparison: FunnelComparison | null;
  previous: { totalUnits: number; inProgressUnits: number; steps: StepFigures[] } | null;
  /** The previous period's trend, same granularity (only when compared); bucket i lines up with `trend` bucket i. */
  previousTrend: Trend | null;
  /**
   * Where the figures came from: precomputed per-unit results, the events themselves (same
   * numbers), or — while a new funnel's results build and the range holds too many events
   * to read them — the results computed so far ("partial": see `build`).
   */
  resultsFrom: "unit-days" | "events" | "partial";
  /**
   * Epoch ms the figures are current to: every event stored before it is counted. Reports
   * never wait for the background refresher; they read its results as of its progress
   * (docs/funnel-semantics.md, "As of").
   */
  asOf: number;
  /** The funnel's results build while it runs (null once ready): how many of the shop's visitors are computed. */
  build: BuildProgress | null;
  /**
   * For whom the diagnosed step (params.diagnose, else the biggest leak) is worst: every
   * segment of every kept dimension against everyone else (docs/diagnosis.md). Null when
   * no step is picked and no leak is named, and when not asked for (opts.diagnosis: the
   * dashboard and the other CSV tables do without its reads).
   */
  diagnosis: StepDiagnosis | null;
  /**
   * What the units that dropped at the diagnosed step did next, against those that went on
   * (docs/diagnosis.md); null exactly when `diagnosis` is.
   */
  paths: StepPaths | null;
  /** Events in the range, counted only when no unit entered the funnel (null otherwise). */
  eventsInRange: number | null;
}

/** What the read found, besides the report itself (see FunnelReportView for each field). */
export type ReportReadParts = Pick<
  FunnelReportView,
  | "funnel"
  | "params"
  | "resultsFrom"
  | "asOf"
  | "build"
  | "range"
  | "previousRange"
  | "now"
  | "comparison"
  | "previous"
  | "previousTrend"
  | "diagnosis"
  | "paths"
  | "eventsInRange"
>;

/** The view of a computed report: figures as computed, sentences in the shop's locale. */
export function reportView(report: FunnelReport, parts: ReportReadParts, unit: FunnelUnit, shopLocale: string | null | undefined): FunnelReportView {
  const locale = safeLocale(shopLocale);
  return {
    funnel: parts.funnel,
    params: parts.params,
    resultsFrom: parts.resultsFrom,
    asOf: parts.asOf,
    build: parts.build,
    query: reportQuery(parts.params),
    range: parts.range,
    previousRange: parts.previousRange,
    locale,
    now: parts.now,
    unit,
    totalUnits: report.totalUnits,
    inProgressUnits: report.inProgressUnits,
    steps: report.steps,
    biggestLeak: report.biggestLeak,
    leakSentence: report.biggestLeak ? leakSentence(report.biggestLeak, unit, formatter(locale)) : null,
    noLeak: report.noLeak,
    noLeakSentence: report.noLeak ? noLeakSentence(report.noLeak, unit, formatter(locale)) : null,
    breakdown: report.breakdown ?? null,
    trend: report.trend!,
    comparison: parts.comparison,
    previous: parts.previous,
    previousTrend: parts.previousTrend,
    diagnosis: parts.diagnosis,
    paths: parts.paths,
    eventsInRange: parts.eventsInRange,
  };
}
