import { useState } from "react";
import { BlockStack, Button, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { Trend } from "../../../core/funnel";
import type { FunnelUnit } from "../../../core/types";
import { formatter, unitNoun } from "./funnel-format";

export interface TrendChartProps {
  trend: Trend;
  unit: FunnelUnit;
  locale: string;
  lastLabel: string;
}

/**
 * Entries (step 1) and completions (last step) per local day or week, as CSS columns,
 * with the same numbers in a table below (the columns are hidden from screen readers).
 * Long ranges fold the table behind a toggle so the page stays scannable.
 */
export function TrendChart({ trend, unit, locale, lastLabel }: TrendChartProps) {
  const f = formatter(locale);
  const max = Math.max(1, ...trend.buckets.map((b) => b.counts[0] ?? 0));
  const lastIndex = (trend.buckets[0]?.counts.length ?? 1) - 1;
  const period = trend.granularity === "week" ? "Week of" : "Day";
  const [showTable, setShowTable] = useState(trend.buckets.length <= 14);
  return (
    <BlockStack gap="300">
      <div aria-hidden="true" style={{ display: "flex", alignItems: "flex-end", gap: 2, height: 140, borderBottom: "1px solid var(--p-color-border)" }}>
        {trend.buckets.map((b) => {
          const entered = b.counts[0] ?? 0;
          const done = b.counts[lastIndex] ?? 0;
          return (
            <div
              key={b.key}
              title={`${f.date(b.key)}: ${f.count(entered)} entered, ${f.count(done)} reached ${lastLabel}`}
              style={{ flex: 1, minWidth: 2, height: `${(entered / max) * 100}%`, background: "var(--p-color-bg-fill-info-secondary)", position: "relative" }}
            >
              <div style={{ position: "absolute", bottom: 0, left: 0, right: 0, height: entered === 0 ? 0 : `${(done / entered) * 100}%`, background: "var(--p-color-bg-fill-success)" }} />
            </div>
          );
        })}
      </div>
      <InlineStack gap="400" blockAlign="center">
        <Text as="span" variant="bodySm" tone="subdued">{`Tallest column: ${f.count(max)} ${unitNoun(unit)}`}</Text>
        <Text as="span" variant="bodySm" tone="subdued">■ light: {unitNoun(unit)} entering the funnel</Text>
        <Text as="span" variant="bodySm" tone="subdued">■ green: reached “{lastLabel}”</Text>
        <Button variant="plain" onClick={() => setShowTable(!showTable)} ariaExpanded={showTable}>
          {showTable ? "Hide the numbers" : "Show the numbers"}
        </Button>
      </InlineStack>
      {showTable ? (
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric"]}
        headings={[period, "Entered", `Reached “${lastLabel}”`, "In progress"]}
        rows={trend.buckets.map((b) => [
          f.date(b.key),
          f.count(b.counts[0] ?? 0),
          f.ratio(b.counts[lastIndex] ?? 0, b.counts[0] ?? 0, b.overallConversion[lastIndex] ?? null),
          f.count(b.inProgressUnits),
        ])}
        increasedTableDensity
      />
      ) : null}
    </BlockStack>
  );
}
