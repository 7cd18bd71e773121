import { BlockStack, DataTable, Text } from "@shopify/polaris";
import { KeyboardScrollable } from "../KeyboardScrollable";
import { formatWeeks, type PlannerReport } from "../../../core/insights";
import { countsRate, int } from "./format";

/**
 * The testing planner side by side: per metric, its 28-day per-visitor baseline (with
 * counts), visitors needed per variant and weeks to a result — whole weeks (planTest
 * rounds up: tests run full weeks) with the exact figure beside it.
 */
export function PlannerTable({ report }: { report: PlannerReport }) {
  const rows = report.rows.map((r) => [
    <span key={r.key} data-planner-row={r.key} style={{ whiteSpace: "normal", display: "inline-block", minWidth: 140 }}>
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
      <Text as="span" tone="subdued" variant="bodySm">
        {r.plan.reason}
      </Text>
    ),
  ]);
  return (
    <BlockStack gap="300">
      <Text as="p" tone="subdued">
        Baselines: visitors of the last {report.days} days who did each metric ({int(report.visitors)} visitors). Traffic:{" "}
        {int(report.weeklyVisitors)} visitors/week. Detecting +{Math.round(report.mde * 1000) / 10} % relative at α ={" "}
        {report.alpha}, power {Math.round(report.power * 100)} %, {report.variants} variants split evenly (two-sided test).
      </Text>
      <div data-testid="planner-table">
        <KeyboardScrollable label="A/B test planner">
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text"]}
            headings={["Metric", "Baseline (28 days)", "Per variant", "Weeks to a result"]}
            rows={rows}
          />
        </KeyboardScrollable>
      </div>
      <Text as="p" tone="subdued" variant="bodySm">
        Weeks are whole weeks, rounded up (a test should cover full weekday/weekend cycles); the exact figure is in brackets. A test that needs
        more than about 8 weeks is rarely practical: test a micro metric closer to the change, or look for a larger effect.
      </Text>
    </BlockStack>
  );
}
