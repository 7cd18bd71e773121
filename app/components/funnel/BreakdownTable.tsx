import type { ReactNode } from "react";
import { DataTable, Text } from "@shopify/polaris";
import { worstGroup, type Breakdown } from "../../../core/funnel";
import { MIN_UNITS_TO_COMPARE } from "../../../core/stats/wilson";
import { breakdownValueLabel, formatter } from "../../lib/funnel-format";
import { KeyboardScrollable } from "../KeyboardScrollable";

export interface BreakdownTableProps {
  breakdown: Breakdown;
  /** Heading of the value column, e.g. "Device type". */
  title: string;
  locale: string;
}

/**
 * The funnel per entry attribute value: entries, then each later step as "n of previous ·
 * step %", the end-to-end rate with its 95 % interval, and the row's biggest leak. Rows
 * under 30 units are greyed and never named as the worst row or a leak.
 */
export function BreakdownTable({ breakdown, title, locale }: BreakdownTableProps) {
  const f = formatter(locale);
  const labels = breakdown.groups[0]?.steps.map((s) => s.label) ?? [];
  const headings = [title, `1. ${labels[0] ?? ""}`, ...labels.slice(1).map((l, i) => `${i + 2}. ${l}`), "Overall (95 % interval)", "Biggest leak"];
  const rows = breakdown.groups.map((g) => {
    const last = g.steps[g.steps.length - 1];
    const ci = g.overallCi95;
    const overall = `${f.percent(last?.overallConversion ?? null)}${ci ? ` (${f.percent(ci[0])}–${f.percent(ci[1])})` : ""}`;
    const cells: string[] = [
      breakdownValueLabel(breakdown.key, g.value),
      f.count(g.totalUnits),
      ...g.steps.slice(1).map((s, i) => f.ratio(s.count, g.steps[i].count, s.stepConversion)),
      g.small ? `${overall} · too few to compare` : overall,
      g.biggestLeak ? `${g.biggestLeak.fromLabel} → ${g.biggestLeak.toLabel} · ${f.percent(g.biggestLeak.dropOffRate)}` : "—",
    ];
    // Greyed: every cell of a small row is subdued and marked for tests and assistive text.
    return cells.map((c, i): ReactNode =>
      g.small ? (
        <span key={i} data-small-row={g.value}>
          <Text as="span" tone="disabled">
            {c}
          </Text>
        </span>
      ) : (
        c
      ),
    );
  });
  if (rows.length === 0)
    return (
      <Text as="p" tone="subdued">
        No entries in this range.
      </Text>
    );
  const worst = worstGroup(breakdown.groups);
  const small = breakdown.groups.filter((g) => g.small).length;
  return (
    <>
      <KeyboardScrollable label={`Breakdown by ${title.toLowerCase()}, scrollable`}>
        <DataTable
          columnContentTypes={headings.map((_, i) => (i === 0 || i === headings.length - 1 ? "text" : "numeric"))}
          headings={headings}
          rows={rows}
          increasedTableDensity
        />
      </KeyboardScrollable>
      {worst && breakdown.groups.filter((g) => !g.small).length > 1 ? (
        <Text as="p" variant="bodySm">
          {`Lowest overall conversion among rows with ${MIN_UNITS_TO_COMPARE}+ units: ${breakdownValueLabel(breakdown.key, worst.value)} (${f.percent(worst.steps[worst.steps.length - 1]?.overallConversion ?? null)}).`}
        </Text>
      ) : null}
      {small > 0 ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {`Greyed rows have fewer than ${MIN_UNITS_TO_COMPARE} units: too few to compare, so they are never named as the worst row or a leak.`}
        </Text>
      ) : null}
    </>
  );
}
