import { DataTable, Text } from "@shopify/polaris";
import type { FunnelComparison, StepFigures } from "../../../core/funnel";
import { ChangeCell } from "./ChangeCell";
import { formatter } from "../../lib/funnel-format";

export interface FunnelStepsTableProps {
  steps: StepFigures[];
  locale: string;
  comparison?: FunnelComparison | null;
}

/**
 * Every step with counts and rates side by side ("350 of 1,000 · 35.0 %"), the units
 * still waiting at it, the drop-off among settled units, time to step, and the change
 * against the previous period under the small-numbers rules.
 */
export function FunnelStepsTable({ steps, locale, comparison }: FunnelStepsTableProps) {
  const f = formatter(locale);
  const top = steps[0]?.count ?? 0;
  const headings = [
    "Step",
    "Reached (of step 1)",
    "From previous step",
    "Waiting here",
    "Drop-off (of finished)",
    "Median time",
    "p90 time",
    ...(comparison ? ["Step conversion vs previous period"] : []),
  ];
  const rows = steps.map((s, i) => {
    const prev = i === 0 ? null : steps[i - 1].count;
    const change = comparison?.steps[i];
    return [
      `${s.step}. ${s.label}`,
      f.ratio(s.count, top, s.overallConversion),
      prev === null ? "—" : f.ratio(s.count, prev, s.stepConversion),
      i === steps.length - 1 ? "—" : f.count(s.waiting),
      s.dropOff === null || s.settled === null ? "—" : f.ratio(s.dropOff, s.settled, s.dropOffRate),
      f.duration(s.medianMsFromPrev),
      f.duration(s.p90MsFromPrev),
      ...(change ? [i === 0 ? "—" : <ChangeCell key="c" change={change.stepConversion} locale={locale} higherIsBetter noun="reached" />] : []),
    ];
  });
  return (
    <>
      <DataTable columnContentTypes={headings.map((_, i) => (i === 0 ? "text" : "numeric"))} headings={headings} rows={rows} increasedTableDensity />
      <Text as="p" variant="bodySm" tone="subdued">
        “Waiting here” are units still in progress whose furthest step is this one: they could still advance, so they are not drop-offs. Drop-off counts only
        finished units (those that can no longer advance) that stopped at the previous step. Times are from the previous step, among units that reached the step
        (median and 90th percentile). Changes use 95 % intervals: under 30 units on either side they are too few to compare.
      </Text>
    </>
  );
}
