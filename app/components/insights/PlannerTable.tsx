import { Banner, BlockStack, DataTable, Text } from "@shopify/polaris";
import { formatDays, formatWeeks, type PlannerReport, type PlannerRow } from "../../../core/insights";
import { countsRate, int, localDate, pct } from "./format";
import { KeyboardScrollable } from "../KeyboardScrollable";

/** "Plan a test" from an Insights row: that metric's plan in one sentence. */
function FocusedPlan({ row, report }: { row: PlannerRow; report: PlannerReport }) {
  return (
    <div data-testid="planner-focus">
      <Banner tone="info" title={`Test plan for “${row.label}”`}>
        <p>
          Baseline {countsRate(row.baseline)} of visitors over the last {formatDays(report.days)}.{" "}
          {row.plan.ok
            ? `To detect a +${Math.round(report.mde * 1000) / 10} % relative change (from ${pct(row.rate)} to ${pct((row.rate ?? 0) * (1 + report.mde))}) a test needs ${int(row.plan.perVariant)} visitors per variant, ${int(row.plan.total)} in all${
                row.plan.weeks === null
                  ? " (no traffic yet to say how long that takes)."
                  : `: about ${int(row.plan.weeks)} week${row.plan.weeks === 1 ? "" : "s"} at ${int(report.weeklyVisitors)} visitors/week.`
              }`
            : `No plan yet: ${row.plan.reason}.`}
        </p>
      </Banner>
    </div>
  );
}

/**
 * The testing planner side by side: per metric, its 28-day per-visitor baseline (with
 * counts), visitors needed per variant and weeks to a result — whole weeks (planTest
 * rounds up: tests run full weeks) with the exact figure beside it.
 */
export function PlannerTable({
  report,
  focus,
  window,
}: {
  report: PlannerReport;
  /** The row "Plan a test" opened the planner on, highlighted and summarised. */
  focus?: string | null;
  /** Where the baseline starts, when it is shorter than 28 days (a new shop). */
  window?: { from: number; sinceInstall: boolean; timeZone: string };
}) {
  const focused = focus ? report.rows.find((r) => r.key === focus) : undefined;
  const rows = report.rows.map((r) => [
    <span
      key={r.key}
      data-planner-row={r.key}
      data-focused={r.key === focus ? "true" : undefined}
      style={{ whiteSpace: "normal", display: "inline-block", minWidth: 140, fontWeight: r.key === focus ? 650 : undefined }}
    >
      {r.key === focus ? "▶ " : ""}
      {r.label}
      {r.kind === "macro" ? " (goal)" : ""}
      {r.caveat ? (
        <>
          <br />
          <Text as="span" tone="caution" variant="bodySm">
            {r.caveat}
          </Text>
        </>
      ) : null}
    </span>,
    countsRate(r.baseline),
    r.plan.ok ? int(r.plan.perVariant) : "—",
    r.plan.ok ? (
      r.plan.weeks === null ? (
        "no traffic to estimate from"
      ) : (
        `${int(r.plan.weeks)} week${r.plan.weeks === 1 ? "" : "s"} (${formatWeeks(r.exactWeeks!)})`
      )
    ) : (
      <span style={{ whiteSpace: "normal", display: "inline-block", minWidth: 160 }}>
        <Text as="span" tone="subdued" variant="bodySm">
          {r.plan.reason}
        </Text>
      </span>
    ),
  ]);
  return (
    <BlockStack gap="300">
      {focused ? <FocusedPlan row={focused} report={report} /> : null}
      <Text as="p" tone="subdued">
        <span data-testid="planner-baseline-days">
          Baselines cover {formatDays(report.days)}
          {window?.sinceInstall ? ` (since the shop’s data starts on ${localDate(window.from, window.timeZone)}; days before it are not counted)` : ""}
        </span>
        : visitors who did each metric ({int(report.visitors)} visitors). Traffic: {int(report.weeklyVisitors)} visitors/week ({int(report.visitors)} × 7 ÷{" "}
        {formatDays(report.days).replace(/ days?$/, "")}). Detecting +{Math.round(report.mde * 1000) / 10} % relative at α = {report.alpha}, power{" "}
        {Math.round(report.power * 100)} %, {report.variants} variants split evenly (two-sided test).
      </Text>
      <div data-testid="planner-table">
        <KeyboardScrollable label="A/B test planner">
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text"]}
            headings={["Metric", `Baseline (${formatDays(report.days)})`, "Per variant", "Weeks to a result"]}
            rows={rows}
          />
        </KeyboardScrollable>
      </div>
      <Text as="p" tone="subdued" variant="bodySm">
        Weeks are whole weeks, rounded up (a test should cover full weekday/weekend cycles); the exact figure is in brackets. A test that needs more than about
        8 weeks is rarely practical: test a micro metric closer to the change, or look for a larger effect.
      </Text>
    </BlockStack>
  );
}
