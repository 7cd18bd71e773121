import { DataTable, Text } from "@shopify/polaris";
import type { Breakdown } from "../../../core/funnel";
import { breakdownValueLabel, formatter } from "./funnel-format";
import { KeyboardScrollable } from "../KeyboardScrollable";

export interface BreakdownTableProps {
  breakdown: Breakdown;
  /** Heading of the value column, e.g. "Device type". */
  title: string;
  locale: string;
}

/** The funnel per entry attribute value: entries, then each later step as "n of previous · step %", and the end-to-end rate. */
export function BreakdownTable({ breakdown, title, locale }: BreakdownTableProps) {
  const f = formatter(locale);
  const labels = breakdown.groups[0]?.steps.map((s) => s.label) ?? [];
  const headings = [title, `1. ${labels[0] ?? ""}`, ...labels.slice(1).map((l, i) => `${i + 2}. ${l}`), "Overall", "Biggest leak"];
  const rows = breakdown.groups.map((g) => {
    const last = g.steps[g.steps.length - 1];
    return [
      breakdownValueLabel(breakdown.key, g.value),
      f.count(g.totalUnits),
      ...g.steps.slice(1).map((s, i) => f.ratio(s.count, g.steps[i].count, s.stepConversion)),
      f.percent(last?.overallConversion ?? null),
      g.biggestLeak ? `${g.biggestLeak.fromLabel} → ${g.biggestLeak.toLabel} · ${f.percent(g.biggestLeak.dropOffRate)}` : "—",
    ];
  });
  if (rows.length === 0) return <Text as="p" tone="subdued">No entries in this range.</Text>;
  return (
    <KeyboardScrollable label={`Breakdown by ${title.toLowerCase()}, scrollable`}>
      <DataTable
        columnContentTypes={headings.map((_, i) => (i === 0 || i === headings.length - 1 ? "text" : "numeric"))}
        headings={headings}
        rows={rows}
        increasedTableDensity
      />
    </KeyboardScrollable>
  );
}
