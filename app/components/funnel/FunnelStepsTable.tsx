import { DataTable, Text } from "@shopify/polaris";
import type { FunnelComparison, StepFigures } from "../../../core/funnel";
import { formatter } from "./funnel-format";

export interface FunnelStepsTableProps {
  steps: StepFigures[];
  locale: string;
  comparison?: FunnelComparison | null;
}

/** Every step with counts and rates side by side ("350 of 1,000 · 35.0 %"), time to step, and in-progress units. */
export function FunnelStepsTable({ steps, locale, comparison }: FunnelStepsTableProps) {
  const f = formatter(locale);
  const top = steps[0]?.count ?? 0;
  const headings = [
    "Step",
    "Reached (of step 1)",
    "From previous step",
    "Drop-off",
    "In progress",
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
      s.dropOff === null ? "—" : `${f.count(s.dropOff)} · ${f.percent(s.dropOffRate)}`,
      i === 0 ? "—" : f.count(s.inProgress),
      f.duration(s.medianMsFromPrev),
      f.duration(s.p90MsFromPrev),
      ...(change ? [`${f.pp(change.stepConversionPp)} (was ${f.count(change.count.previous)} reached)`] : []),
    ];
  });
  return (
    <>
      <DataTable
        columnContentTypes={headings.map((_, i) => (i === 0 ? "text" : "numeric"))}
        headings={headings}
        rows={rows}
        increasedTableDensity
      />
      <Text as="p" variant="bodySm" tone="subdued">
        Times are from the previous step, among units that reached the step (median and 90th percentile).
        “In progress” units are counted in the drop-off beside them but could still advance.
      </Text>
    </>
  );
}
