/**
 * Funnel reports for the admin: query parameters → validated params → stored events →
 * the pure engine (core/funnel) → a JSON-safe view model that the report page, the
 * JSON API and the CSV exports all share, so the three can never disagree.
 * The clock is read here (Date.now()), never in core/.
 */
import { csvHeaderBlock as reportHeaderBlock, toCsv as rowsToCsv, type CsvCell } from "../../core/csv";
import { z } from "zod";
import prisma, { dialect } from "../../db/prisma.server";
import { appContext } from "../context.server";
import { funnelAggregateSql, funnelUnitsSql } from "./funnel-results/events-report.server";
import { unitDayReport } from "./funnel-results/read.server";
import type { BuildProgress } from "./funnel-results/state.server";
import { compareReports, previousPeriod, type Breakdown, type FunnelComparison, type Leak, type NoLeak, type StepFigures, type Trend } from "../../core/funnel";
import type { FunnelUnit } from "../../core/types";
import type { FunnelParams } from "../../core/funnel";
import { formatter, leakSentence, noLeakSentence, safeLocale } from "../lib/funnel-format";
import { BREAKDOWN_KEYS, BREAKDOWN_LABELS, reportQuery, type ReportParams } from "../lib/funnel-query";
import { describeRange, RANGE_PRESETS, resolveDateRange, safeTimeZone, type RangePreset, type ResolvedRange } from "./date-range";
import { funnelVersionNow, getFunnel, toDefinition, type FunnelView } from "./funnels.server";
import { diagnoseStep, diagnosisDimensions, productTitles, type StepDiagnosis } from "./diagnosis.server";
import { unitDayUnits } from "./diagnosis-reads.server";
import { stepPaths } from "./diagnosis-paths.server";
import type { StepPaths } from "../../core/diagnosis/paths";
import { RequestError } from "./request-error";

export { BREAKDOWN_KEYS, BREAKDOWN_LABELS, reportQuery, type ReportParams };

// ---------------------------------------------------------------------------- errors

export const funnelNotFound = () => new RequestError("No funnel with this id in this shop", 404);

// ---------------------------------------------------------------------------- params

export const REPORT_TABLES = ["steps", "breakdown", "trend", "diagnosis", "paths"] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateParam = (field: string) => z.string().regex(DATE, `${field}: expected a date as YYYY-MM-DD`).optional();

const reportParamsSchema = z.object({
  range: z.enum(RANGE_PRESETS, { error: `range must be one of ${RANGE_PRESETS.join(", ")}` }).optional(),
  from: dateParam("from"),
  to: dateParam("to"),
  compare: z.enum(["on", "off", "1", "0", "true", "false"], { error: "compare must be on or off" }).optional(),
  breakdown: z.enum([...BREAKDOWN_KEYS, "none"], { error: `breakdown must be one of ${BREAKDOWN_KEYS.join(", ")} (or none)` }).optional(),
  trend: z.enum(["day", "week"], { error: "trend must be day or week" }).optional(),
  diagnose: z
    .string()
    .regex(/^\d{1,3}$/, "diagnose must be a step number (2 or more)")
    .transform(Number)
    .refine((n) => n >= 2, "diagnose must be a step number (2 or more)")
    .optional(),
});

export const DEFAULT_RANGE: RangePreset = "last30";

/**
 * Reads report parameters from a query string. Unknown keys are ignored (embedded admin
 * URLs carry shop, host, id_token…); an empty value counts as absent (GET forms send
 * empty fields). from/to without a range mean a custom range; with a preset they are
 * checked but unused.
 */
export function parseReportParams(search: URLSearchParams): ReportParams {
  const pick = (k: string) => {
    const v = search.get(k);
    return v === null || v === "" ? undefined : v;
  };
  const parsed = reportParamsSchema.safeParse({
    range: pick("range"),
    from: pick("from"),
    to: pick("to"),
    compare: pick("compare"),
    breakdown: pick("breakdown"),
    trend: pick("trend"),
    diagnose: pick("diagnose"),
  });
  if (!parsed.success) throw new RequestError(parsed.error.issues[0].message, 400);
  const p = parsed.data;
  const range = p.range ?? (p.from || p.to ? "custom" : DEFAULT_RANGE);
  return {
    range,
    from: p.from ?? null,
    to: p.to ?? null,
    compare: p.compare === "on" || p.compare === "1" || p.compare === "true",
    breakdown: !p.breakdown || p.breakdown === "none" ? null : p.breakdown,
    trend: p.trend ?? "day",
    ...(p.diagnose ? { diagnose: p.diagnose } : {}),
  };
}

// ---------------------------------------------------------------------------- report

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

/**
 * The report of one of the shop's funnels. Throws RequestError for bad params
 * (400) and for a funnel that is not the shop's (404).
 */
export async function funnelReport(
  shop: ReportShop,
  funnelId: string,
  input: URLSearchParams | ReportParams,
  opts: { stepTimes?: boolean; diagnosis?: boolean; retried?: boolean } = {},
): Promise<FunnelReportView> {
  const params = input instanceof URLSearchParams ? parseReportParams(input) : input;
  const now = Date.now();
  const timeZone = safeTimeZone(shop.timeZone);
  const range = resolveRange(params, timeZone, now);
  const funnel = await getFunnel(shop.id, funnelId);
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
    const answer = await unitDayReport(appContext().reports, shop.id, funnel.id, def, p);
    if (answer.from !== "unit-days" && answer.build) build = answer.build;
    readRows ||= answer.from !== "events";
    if (answer.from === "events") {
      if (resultsFrom === "unit-days") resultsFrom = "events";
      return funnelAggregateSql(prisma, dialect, shop.id, def, p);
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
    const pathsRead = stepPaths(appContext().reportReads, {
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
      ? await unitDayUnits(appContext().reportReads, shop.id, funnel.id, def, window, { product: dimensions.includes("product") })
      : await funnelUnitsSql(prisma, dialect, shop.id, def, window);
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
  if (readRows && !opts.retried && (await funnelVersionNow(shop.id, funnel.id)) !== funnel.version) {
    return funnelReport(shop, funnelId, params, { ...opts, retried: true });
  }

  const locale = safeLocale(shop.locale);
  return {
    funnel,
    params,
    resultsFrom,
    asOf,
    build,
    query: reportQuery(params),
    range,
    previousRange,
    locale,
    now,
    unit: def.unit,
    totalUnits: report.totalUnits,
    inProgressUnits: report.inProgressUnits,
    steps: report.steps,
    biggestLeak: report.biggestLeak,
    leakSentence: report.biggestLeak ? leakSentence(report.biggestLeak, def.unit, formatter(locale)) : null,
    noLeak: report.noLeak,
    noLeakSentence: report.noLeak ? noLeakSentence(report.noLeak, def.unit, formatter(locale)) : null,
    breakdown: report.breakdown ?? null,
    trend: report.trend!,
    comparison,
    previous,
    previousTrend,
    diagnosis,
    paths,
    // Only the empty state uses it ("no events" vs "nobody reached step 1").
    eventsInRange: report.totalUnits > 0 ? null : await prisma.event.count({ where: { shopId: shop.id, isBot: false, ts: { gte: range.from, lt: range.to } } }),
  };
}

function resolveRange(p: ReportParams, timeZone: string, now: number): ResolvedRange {
  return resolveDateRange({ preset: p.range, from: p.from ?? undefined, to: p.to ?? undefined }, timeZone, now);
}

// ---------------------------------------------------------------------------- CSV

type Cell = CsvCell;

/** Rows → CSV text (core/csv.ts: RFC 4180, formula guard) with a UTF-8 BOM so Excel reads non-ASCII labels right. */
export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return `\uFEFF${rowsToCsv(rows)}`;
}

/** A rate as a percentage with 2 decimals (35.00); empty for an undefined rate. */
export function csvPercent(rate: number | null): number | null {
  return rate === null ? null : Number((rate * 100).toFixed(2));
}
/** A change in percentage points with 2 decimals. */
const csvPp = (pp: number | null): number | null => (pp === null ? null : Number(pp.toFixed(2)));
/** Milliseconds as seconds (exact: ms are integers). */
const csvSeconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/**
 * The header block above each table (core/csv.ts: "Key,value" rows, then an empty row):
 * report, unit, window, range, time zone, generation time, then the funnel, the table,
 * the compared range and `extra`.
 */
export function csvHeaderBlock(view: FunnelReportView, table: ReportTable, extra: readonly (readonly [string, Cell])[] = []): Cell[][] {
  return reportHeaderBlock({
    report: `Funnel ${table}`,
    unit: view.unit,
    window: view.unit === "visitor" ? `${view.funnel.windowMinutes} minutes` : "the session (30 minutes without activity ends it)",
    from: view.range.fromDate,
    to: view.range.toDate,
    timeZone: view.range.timeZone,
    generatedAt: view.now,
    extra: [
      ["Funnel", view.funnel.name],
      ["Table", table],
      // Reports read the precomputed results as of the refresher's progress (see FunnelReportView.asOf).
      ["Figures as of", new Date(view.asOf).toISOString()],
      [
        "Figures from",
        view.resultsFrom === "partial" && view.build ? `partial: ${view.build.computed} of ${view.build.visitors} visitors computed` : view.resultsFrom,
      ],
      ...(view.previousRange ? [["Compared with", `${view.previousRange.fromDate} to ${view.previousRange.toDate}`] as const] : []),
      ...extra,
    ],
  });
}

export function stepsCsv(view: FunnelReportView): string {
  const header: Cell[] = [
    "step",
    "label",
    "count",
    "step_conversion_pct",
    "overall_conversion_pct",
    "waiting",
    "settled_at_previous",
    "drop_off",
    "drop_off_pct",
    "in_progress",
    "median_seconds_from_previous",
    "p90_seconds_from_previous",
  ];
  if (view.comparison) {
    header.push(
      "previous_count",
      "step_conversion_change_pp",
      "step_conversion_change_low_pp",
      "step_conversion_change_high_pp",
      "step_conversion_change",
      "overall_conversion_change_pp",
      "drop_off_change_pp",
    );
  }
  const rows: Cell[][] = view.steps.map((s, i) => {
    const row: Cell[] = [
      s.step,
      s.label,
      s.count,
      csvPercent(s.stepConversion),
      csvPercent(s.overallConversion),
      s.waiting,
      s.settled,
      s.dropOff,
      csvPercent(s.dropOffRate),
      s.inProgress,
      csvSeconds(s.medianMsFromPrev),
      csvSeconds(s.p90MsFromPrev),
    ];
    const c = view.comparison?.steps[i];
    if (c) {
      const ci = c.stepConversion?.changeCi95Pp ?? null;
      row.push(
        c.count.previous,
        csvPp(c.stepConversionPp),
        csvPp(ci ? ci[0] : null),
        csvPp(ci ? ci[1] : null),
        c.stepConversion?.verdict ?? null,
        csvPp(c.overallConversionPp),
        csvPp(c.dropOffRatePp),
      );
    }
    return row;
  });
  return toCsv([...csvHeaderBlock(view, "steps"), header, ...rows]);
}

export function breakdownCsv(view: FunnelReportView): string {
  if (!view.breakdown) throw new RequestError(`table=breakdown needs a breakdown parameter (${BREAKDOWN_KEYS.join(", ")})`, 400);
  const header: Cell[] = [
    "breakdown",
    "value",
    "step",
    "label",
    "count",
    "step_conversion_pct",
    "overall_conversion_pct",
    "waiting",
    "settled_at_previous",
    "drop_off",
    "drop_off_pct",
    "in_progress",
    "group_overall_low_pct",
    "group_overall_high_pct",
    "group_too_small",
  ];
  const rows: Cell[][] = view.breakdown.groups.flatMap((g) =>
    g.steps.map((s): Cell[] => [
      view.breakdown!.key,
      g.value,
      s.step,
      s.label,
      s.count,
      csvPercent(s.stepConversion),
      csvPercent(s.overallConversion),
      s.waiting,
      s.settled,
      s.dropOff,
      csvPercent(s.dropOffRate),
      s.inProgress,
      csvPercent(g.overallCi95?.[0] ?? null),
      csvPercent(g.overallCi95?.[1] ?? null),
      g.small ? "yes" : "no",
    ]),
  );
  return toCsv([...csvHeaderBlock(view, "breakdown"), header, ...rows]);
}

export function trendCsv(view: FunnelReportView): string {
  const header: Cell[] = [view.trend.granularity === "week" ? "week_start" : "day", "step", "label", "count", "overall_conversion_pct", "in_progress_units"];
  const labels = view.steps.map((s) => s.label);
  const rows: Cell[][] = view.trend.buckets.flatMap((b) =>
    b.counts.map((count, i): Cell[] => [b.key, i + 1, labels[i], count, csvPercent(b.overallConversion[i]), b.inProgressUnits]),
  );
  return toCsv([...csvHeaderBlock(view, "trend"), header, ...rows]);
}

/** Every segment scanned at the diagnosed step, with its test; the scan's settings in the header block. */
export function diagnosisCsv(view: FunnelReportView): string {
  const d = view.diagnosis;
  if (!d) throw new RequestError("table=diagnosis needs a step: no leak is named in this range, so add diagnose=k (k from 2 to the number of steps)", 400);
  const meta: [string, Cell][] = [
    ["Step", d.step],
    ["Step from", d.fromLabel],
    ["Step to", d.toLabel],
    ["Settled at previous", d.settled],
    ["Drop off", d.dropOff],
    ["Segments tested", d.tested],
    ["Pairs tested", d.pairsTested],
    ["Pairs over cap", d.pairsOverCap],
    ["Max pairs", d.maxPairs],
    ["Segments too small", d.tooSmall],
    ["FDR q", d.q],
    ["Min settled units each side", d.minUnits],
    ["Min detectable diff pp", csvPp(d.minDetectableDiff === null ? null : d.minDetectableDiff * 100)],
  ];
  const header: Cell[] = [
    "dimension",
    "value",
    "label",
    "settled",
    "dropped",
    "drop_off_pct",
    "rest_settled",
    "rest_dropped",
    "rest_drop_off_pct",
    "diff_pp",
    "diff_low_pp",
    "diff_high_pp",
    "p_value",
    "q_value",
    "verdict",
  ];
  const rate = (c: { converted: number; total: number }) => (c.total === 0 ? null : csvPercent(c.converted / c.total));
  const pp = (x: number | null | undefined) => csvPp(x === null || x === undefined ? null : x * 100);
  const rows: Cell[][] = d.segments.map((s) => [
    s.dimension,
    s.value,
    s.label,
    s.segment.total,
    s.segment.converted,
    rate(s.segment),
    s.rest.total,
    s.rest.converted,
    rate(s.rest),
    pp(s.diff),
    pp(s.diffCi95?.[0]),
    pp(s.diffCi95?.[1]),
    s.pValue,
    s.qValue,
    s.verdict,
  ]);
  return toCsv([...csvHeaderBlock(view, "diagnosis", meta), header, ...rows]);
}

/** What the diagnosed step's drop-offs did next: both tables (first next step, 3-step path), the sampling in the header block. */
export function pathsCsv(view: FunnelReportView): string {
  const p = view.paths;
  if (!p) throw new RequestError("table=paths needs a step: no leak is named in this range, so add diagnose=k (k from 2 to the number of steps)", 400);
  const meta: [string, Cell][] = [
    ["Step", p.step],
    ["Step from", p.fromLabel],
    ["Step to", p.toLabel],
    ["Dropped", p.dropped.total],
    ["Went on", p.advanced.total],
    ["Dropped read", p.dropped.sampled],
    ["Went on read", p.advanced.sampled],
    ["Dropped sample rate", p.dropped.rate],
    ["Went on sample rate", p.advanced.rate],
    ["Max units read each side", p.maxUnitsPerSide],
    ["Min units each side", p.minUnits],
    ["Family confidence", p.familyConfidence],
    ["Path length", p.pathLength],
  ];
  const header: Cell[] = [
    "table",
    "rank",
    "path",
    "is_other",
    "dropped",
    "dropped_read",
    "dropped_pct",
    "went_on",
    "went_on_read",
    "went_on_pct",
    "diff_pp",
    "diff_low_pp",
    "diff_high_pp",
    "confidence",
    "verdict",
  ];
  const pp = (x: number | null | undefined) => csvPp(x === null || x === undefined ? null : x * 100);
  const rows: Cell[][] = (["first_step", "path"] as const).flatMap((name) => {
    const t = name === "first_step" ? p.firstSteps : p.paths;
    return t.rows.map((r, i): Cell[] => [
      name,
      i + 1,
      r.key,
      r.isOther ? "yes" : "no",
      r.dropped.count,
      r.dropped.total,
      csvPercent(r.dropped.share),
      r.advanced.count,
      r.advanced.total,
      csvPercent(r.advanced.share),
      pp(r.diff),
      pp(r.diffCi?.[0]),
      pp(r.diffCi?.[1]),
      Number(t.confidence.toFixed(6)),
      r.verdict,
    ]);
  });
  return toCsv([...csvHeaderBlock(view, "paths", meta), header, ...rows]);
}

export function reportCsv(view: FunnelReportView, table: ReportTable): string {
  if (table === "diagnosis") return diagnosisCsv(view);
  if (table === "paths") return pathsCsv(view);
  return table === "steps" ? stepsCsv(view) : table === "breakdown" ? breakdownCsv(view) : trendCsv(view);
}

/** `funnel-purchase-steps-2026-01-01_2026-01-30.csv`: ASCII only, safe in a header. */
export function csvFilename(view: FunnelReportView, table: ReportTable): string {
  const slug =
    view.funnel.name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "funnel";
  return `funnel-${slug}-${table}-${view.range.fromDate}_${view.range.toDate}.csv`;
}

/** Reads ?table= for the CSV route. */
export function parseReportTable(search: URLSearchParams): ReportTable {
  const t = search.get("table");
  const parsed = z.enum(REPORT_TABLES).safeParse(t);
  if (!parsed.success) throw new RequestError(`table must be one of ${REPORT_TABLES.join(", ")}`, 400);
  return parsed.data;
}
