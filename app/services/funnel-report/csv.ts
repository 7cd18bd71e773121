/**
 * The funnel report's CSV tables (steps, breakdown, trend, diagnosis, paths), written from
 * the view model by the app's one CSV writer (core/csv.ts `reportCsv`: BOM, header block,
 * table). Each table is one column list — a name and how to read the cell — so a header
 * and its cells cannot drift apart; steps and breakdown share the step columns.
 */
import { csvTable, reportCsv, type CsvCell, type CsvColumn, type CsvReportMeta } from "../../../core/csv";
import type { StepFigures } from "../../../core/funnel";
import { BREAKDOWN_KEYS } from "../../lib/funnel-query";
import { RequestError } from "../request-error";
import type { ReportTable } from "./params";
import type { FunnelReportView } from "./view";

/** A rate as a percentage with 2 decimals (35.00); empty for an undefined rate. */
export function csvPercent(rate: number | null): number | null {
  return rate === null ? null : Number((rate * 100).toFixed(2));
}
/** A change in percentage points with 2 decimals. */
const csvPp = (pp: number | null): number | null => (pp === null ? null : Number(pp.toFixed(2)));
/** A fraction (0.012) as percentage points with 2 decimals; empty when absent. */
const fractionPp = (x: number | null | undefined) => csvPp(x === null || x === undefined ? null : x * 100);
/** Milliseconds as seconds (exact: ms are integers). */
const csvSeconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
const yesNo = (b: boolean) => (b ? "yes" : "no");

/**
 * The header block's facts for a table: report, unit, window, range, time zone, generation
 * time, then the funnel, the table, how current the figures are, the compared range and `extra`.
 */
export function funnelCsvMeta(view: FunnelReportView, table: ReportTable, extra: readonly (readonly [string, CsvCell])[] = []): CsvReportMeta {
  return {
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
  };
}

/** A step's figures: the columns the steps and breakdown tables share. */
const STEP_COLUMNS: CsvColumn<StepFigures>[] = [
  ["step", (s) => s.step],
  ["label", (s) => s.label],
  ["count", (s) => s.count],
  ["step_conversion_pct", (s) => csvPercent(s.stepConversion)],
  ["overall_conversion_pct", (s) => csvPercent(s.overallConversion)],
  ["waiting", (s) => s.waiting],
  ["settled_at_previous", (s) => s.settled],
  ["drop_off", (s) => s.dropOff],
  ["drop_off_pct", (s) => csvPercent(s.dropOffRate)],
  ["in_progress", (s) => s.inProgress],
];

type ComparedStep = NonNullable<FunnelReportView["comparison"]>["steps"][number];
type StepRow = { step: StepFigures; compared: ComparedStep | undefined };

const STEPS_COLUMNS: CsvColumn<StepRow>[] = [
  ...STEP_COLUMNS.map(([name, cell]): CsvColumn<StepRow> => [name, (r) => cell(r.step)]),
  ["median_seconds_from_previous", (r) => csvSeconds(r.step.medianMsFromPrev)],
  ["p90_seconds_from_previous", (r) => csvSeconds(r.step.p90MsFromPrev)],
];

/** Added to the steps table when the report compares with the previous period. */
const COMPARISON_COLUMNS: CsvColumn<StepRow>[] = [
  ["previous_count", (r) => r.compared?.count.previous ?? null],
  ["step_conversion_change_pp", (r) => csvPp(r.compared?.stepConversionPp ?? null)],
  ["step_conversion_change_low_pp", (r) => csvPp(r.compared?.stepConversion?.changeCi95Pp?.[0] ?? null)],
  ["step_conversion_change_high_pp", (r) => csvPp(r.compared?.stepConversion?.changeCi95Pp?.[1] ?? null)],
  ["step_conversion_change", (r) => r.compared?.stepConversion?.verdict ?? null],
  ["overall_conversion_change_pp", (r) => csvPp(r.compared?.overallConversionPp ?? null)],
  ["drop_off_change_pp", (r) => csvPp(r.compared?.dropOffRatePp ?? null)],
];

export function stepsCsv(view: FunnelReportView): string {
  const rows = view.steps.map((step, i): StepRow => ({ step, compared: view.comparison?.steps[i] }));
  return reportCsv(funnelCsvMeta(view, "steps"), csvTable(view.comparison ? [...STEPS_COLUMNS, ...COMPARISON_COLUMNS] : STEPS_COLUMNS, rows));
}

type Group = NonNullable<FunnelReportView["breakdown"]>["groups"][number];
type GroupStep = { key: string; group: Group; step: StepFigures };

const BREAKDOWN_COLUMNS: CsvColumn<GroupStep>[] = [
  ["breakdown", (r) => r.key],
  ["value", (r) => r.group.value],
  ...STEP_COLUMNS.map(([name, cell]): CsvColumn<GroupStep> => [name, (r) => cell(r.step)]),
  ["group_overall_low_pct", (r) => csvPercent(r.group.overallCi95?.[0] ?? null)],
  ["group_overall_high_pct", (r) => csvPercent(r.group.overallCi95?.[1] ?? null)],
  ["group_too_small", (r) => yesNo(r.group.small)],
];

export function breakdownCsv(view: FunnelReportView): string {
  const b = view.breakdown;
  if (!b) throw new RequestError(`table=breakdown needs a breakdown parameter (${BREAKDOWN_KEYS.join(", ")})`, 400);
  const rows = b.groups.flatMap((group) => group.steps.map((step): GroupStep => ({ key: b.key, group, step })));
  return reportCsv(funnelCsvMeta(view, "breakdown"), csvTable(BREAKDOWN_COLUMNS, rows));
}

type Bucket = FunnelReportView["trend"]["buckets"][number];
type BucketStep = { bucket: Bucket; index: number; label: string };

export function trendCsv(view: FunnelReportView): string {
  const columns: CsvColumn<BucketStep>[] = [
    [view.trend.granularity === "week" ? "week_start" : "day", (r) => r.bucket.key],
    ["step", (r) => r.index + 1],
    ["label", (r) => r.label],
    ["count", (r) => r.bucket.counts[r.index]],
    ["overall_conversion_pct", (r) => csvPercent(r.bucket.overallConversion[r.index])],
    ["in_progress_units", (r) => r.bucket.inProgressUnits],
  ];
  const labels = view.steps.map((s) => s.label);
  const rows = view.trend.buckets.flatMap((bucket) => bucket.counts.map((_, index): BucketStep => ({ bucket, index, label: labels[index] })));
  return reportCsv(funnelCsvMeta(view, "trend"), csvTable(columns, rows));
}

type Segment = NonNullable<FunnelReportView["diagnosis"]>["segments"][number];
const rateOf = (c: { converted: number; total: number }) => (c.total === 0 ? null : csvPercent(c.converted / c.total));

const DIAGNOSIS_COLUMNS: CsvColumn<Segment>[] = [
  ["dimension", (s) => s.dimension],
  ["value", (s) => s.value],
  ["label", (s) => s.label],
  ["settled", (s) => s.segment.total],
  ["dropped", (s) => s.segment.converted],
  ["drop_off_pct", (s) => rateOf(s.segment)],
  ["rest_settled", (s) => s.rest.total],
  ["rest_dropped", (s) => s.rest.converted],
  ["rest_drop_off_pct", (s) => rateOf(s.rest)],
  ["diff_pp", (s) => fractionPp(s.diff)],
  ["diff_low_pp", (s) => fractionPp(s.diffCi95?.[0])],
  ["diff_high_pp", (s) => fractionPp(s.diffCi95?.[1])],
  ["p_value", (s) => s.pValue],
  ["q_value", (s) => s.qValue],
  ["verdict", (s) => s.verdict],
];

const NEEDS_STEP = "needs a step: no leak is named in this range, so add diagnose=k (k from 2 to the number of steps)";

/** Every segment scanned at the diagnosed step, with its test; the scan's settings in the header block. */
export function diagnosisCsv(view: FunnelReportView): string {
  const d = view.diagnosis;
  if (!d) throw new RequestError(`table=diagnosis ${NEEDS_STEP}`, 400);
  const meta: [string, CsvCell][] = [
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
    ["Min detectable diff pp", fractionPp(d.minDetectableDiff)],
  ];
  return reportCsv(funnelCsvMeta(view, "diagnosis", meta), csvTable(DIAGNOSIS_COLUMNS, d.segments));
}

type Paths = NonNullable<FunnelReportView["paths"]>;
type PathRow = { table: "first_step" | "path"; rank: number; row: Paths["paths"]["rows"][number]; confidence: number };

const PATHS_COLUMNS: CsvColumn<PathRow>[] = [
  ["table", (r) => r.table],
  ["rank", (r) => r.rank],
  ["path", (r) => r.row.key],
  ["is_other", (r) => yesNo(r.row.isOther)],
  ["dropped", (r) => r.row.dropped.count],
  ["dropped_read", (r) => r.row.dropped.total],
  ["dropped_pct", (r) => csvPercent(r.row.dropped.share)],
  ["went_on", (r) => r.row.advanced.count],
  ["went_on_read", (r) => r.row.advanced.total],
  ["went_on_pct", (r) => csvPercent(r.row.advanced.share)],
  ["diff_pp", (r) => fractionPp(r.row.diff)],
  ["diff_low_pp", (r) => fractionPp(r.row.diffCi?.[0])],
  ["diff_high_pp", (r) => fractionPp(r.row.diffCi?.[1])],
  ["confidence", (r) => Number(r.confidence.toFixed(6))],
  ["verdict", (r) => r.row.verdict],
];

/** What the diagnosed step's drop-offs did next: both tables (first next step, 3-step path), the sampling in the header block. */
export function pathsCsv(view: FunnelReportView): string {
  const p = view.paths;
  if (!p) throw new RequestError(`table=paths ${NEEDS_STEP}`, 400);
  const meta: [string, CsvCell][] = [
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
  const rows = (["first_step", "path"] as const).flatMap((table) => {
    const t = table === "first_step" ? p.firstSteps : p.paths;
    return t.rows.map((row, i): PathRow => ({ table, rank: i + 1, row, confidence: t.confidence }));
  });
  return reportCsv(funnelCsvMeta(view, "paths", meta), csvTable(PATHS_COLUMNS, rows));
}

/** The CSV of one of the report's tables (?table=). */
export function funnelCsv(view: FunnelReportView, table: ReportTable): string {
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
