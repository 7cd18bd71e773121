/**
 * The Insights and Experiments CSV downloads: the same view models the pages show, as
 * a header block (core/csv: report, unit, window, range, time zone, generated at, the
 * settings) and one table. Rates are percentages with 2 decimals; undefined figures are
 * empty cells.
 */
import { reportCsv, type CsvCell } from "../../../core/csv";
import { formatDays } from "../../../core/insights";
import type { ExperimentsView } from "./experiments.server";
import type { InsightsView } from "./insights.server";
import { RequestError } from "../request-error";

export const INSIGHTS_CSV_TABLES = ["value", "planner"] as const;
export type InsightsCsvTable = (typeof INSIGHTS_CSV_TABLES)[number];

export function parseInsightsCsvTable(search: URLSearchParams): InsightsCsvTable {
  const t = search.get("table") || "value";
  if (!(INSIGHTS_CSV_TABLES as readonly string[]).includes(t)) throw new RequestError({ table: `table must be one of ${INSIGHTS_CSV_TABLES.join(", ")}` });
  return t as InsightsCsvTable;
}

const pct = (rate: number | null | undefined): number | null =>
  rate === null || rate === undefined || !Number.isFinite(rate) ? null : Number((rate * 100).toFixed(2));
const rateOf = (c: { converted: number; total: number }) => (c.total > 0 ? c.converted / c.total : null);
const round = (x: number | null | undefined, digits: number): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

/** "2026-12-05" in the zone. */
function localDay(ts: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ts);
}

function settingsRows(s: { mde: number; alpha: number; power: number }): [string, CsvCell][] {
  return [
    ["MDE (relative %)", s.mde],
    ["Significance (alpha)", s.alpha],
    ["Power", s.power],
  ];
}

export function insightsCsv(view: InsightsView, table: InsightsCsvTable, generatedAt: number): string {
  const zone = view.range.timeZone;
  if (table === "value") {
    const m = view.microValue;
    const rows: CsvCell[][] = [
      [
        "micro_key",
        "micro_label",
        "did_visitors",
        "did_reached_goal",
        "did_goal_rate_pct",
        "did_not_visitors",
        "did_not_reached_goal",
        "did_not_goal_rate_pct",
        "lift",
        "lift_ci95_low",
        "lift_ci95_high",
        "lift_shown",
        "note",
      ],
      ...m.rows.map((r): CsvCell[] => [
        r.key,
        r.label,
        r.did.total,
        r.did.converted,
        pct(rateOf(r.did)),
        r.didNot.total,
        r.didNot.converted,
        pct(rateOf(r.didNot)),
        round(r.lift.ratio, 4),
        round(r.lift.ci95?.[0], 4),
        round(r.lift.ci95?.[1], 4),
        r.lift.eligible ? "yes" : "no",
        r.lift.reason ?? null,
      ]),
    ];
    return reportCsv(
      {
        report: `Insights: micro-conversion value (goal: ${m.goal.label})`,
        unit: "visitor",
        window: "a micro step counts when it happened before the visitor's first goal event, within the range",
        from: view.range.fromDate,
        to: view.range.toDate,
        timeZone: zone,
        generatedAt,
        extra: [
          ["Visitors", m.visitors],
          ["Reached the goal", m.converters],
          ["Lift shown from (visitors per group)", m.minGroup],
        ],
      },
      rows,
    );
  }
  const p = view.planner;
  const rows: CsvCell[][] = [
    [
      "metric_key",
      "metric_label",
      "kind",
      "baseline_converted",
      "baseline_visitors",
      "baseline_rate_pct",
      "per_variant",
      "total_visitors",
      "weeks",
      "exact_weeks",
      "note",
    ],
    ...p.rows.map((r): CsvCell[] => [
      r.key,
      r.label,
      r.kind,
      r.baseline.converted,
      r.baseline.total,
      pct(r.rate),
      r.plan.ok ? r.plan.perVariant : null,
      r.plan.ok ? r.plan.total : null,
      r.plan.ok ? r.plan.weeks : null,
      round(r.exactWeeks, 2),
      r.plan.ok ? r.caveat : r.plan.reason,
    ]),
  ];
  return reportCsv(
    {
      report: "Insights: A/B test planner",
      unit: "visitor",
      window: `baseline over ${formatDays(p.days)} up to the download${p.sinceInstall ? " (since the shop's data starts)" : ""}`,
      from: localDay(p.from, zone),
      to: localDay(p.to, zone),
      timeZone: zone,
      generatedAt,
      extra: [
        ["Visitors", p.visitors],
        ["Baseline days", round(p.days, 2)],
        ["Visitors per week", round(p.weeklyVisitors, 2)],
        ...settingsRows(view.settings),
        ["Variants", p.variants],
      ],
    },
    rows,
  );
}

export function experimentsCsv(view: ExperimentsView, generatedAt: number): string {
  const rows: CsvCell[][] = [
    [
      "experiment",
      "variant",
      "is_control",
      "assigned_visitors",
      "excluded_visitors",
      "step",
      "step_label",
      "reached",
      "rate_pct",
      "diff_vs_control_pp",
      "diff_ci95_low_pp",
      "diff_ci95_high_pp",
      "relative_change_pct",
      "p_value",
      "verdict",
      "srm_p_value",
    ],
  ];
  for (const x of view.experiments) {
    for (const v of x.variants) {
      const comparison = x.comparisons.find((c) => c.variant === v.variant);
      x.stepLabels.forEach((label, i) => {
        const c = comparison?.steps[i];
        rows.push([
          x.experiment,
          v.variant,
          v.isControl ? "yes" : "no",
          v.visitors,
          x.excludedVisitors,
          i + 1,
          label,
          v.reached[i],
          pct(v.visitors > 0 ? v.reached[i] / v.visitors : null),
          c ? pct(c.comparison.diff) : null,
          c ? pct(c.comparison.diffCi95?.[0]) : null,
          c ? pct(c.comparison.diffCi95?.[1]) : null,
          c ? pct(c.comparison.relativeLift) : null,
          c ? round(c.comparison.pValue, 6) : null,
          c ? c.verdict.message : null,
          x.srm.ok ? round(x.srm.pValue, 6) : null,
        ]);
      });
    }
  }
  return reportCsv(
    {
      report: "Experiments: readout",
      unit: "visitor (assigned by first mc:experiment_view in the range)",
      window: "steps counted at or after the visitor's exposure, until the end of the range",
      from: view.range.fromDate,
      to: view.range.toDate,
      timeZone: view.range.timeZone,
      generatedAt,
      extra: [["Funnel", view.source.kind === "purchase-template" ? "Purchase template" : view.source.name], ...settingsRows(view.settings)],
    },
    rows,
  );
}
