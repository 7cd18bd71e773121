import { useEffect, useRef, useState, type ComponentType } from "react";
import { BlockStack, Button, ButtonGroup, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { DataSeries, LineChartProps } from "@shopify/polaris-viz";
import "@shopify/polaris-viz/build/esm/styles.css";
import type { Trend, TrendBucket } from "../../../core/funnel";
import { MIN_UNITS_TO_COMPARE } from "../../../core/stats/wilson";
import type { FunnelUnit } from "../../../core/types";
import { formatter, unitNoun, type Formatter } from "../../lib/funnel-format";

export type TrendMode = "counts" | "step" | "overall";

export interface TrendChartProps {
  trend: Trend;
  /** The previous period's trend when the report is compared; bucket i lines up with trend bucket i. */
  previousTrend?: Trend | null;
  /** Step labels, in order. */
  stepLabels: string[];
  unit: FunnelUnit;
  locale: string;
}

const MODE_LABELS: Record<TrendMode, string> = { counts: "Counts", step: "Step rates", overall: "Overall rate" };

/** One line of the chart and one group of table columns: a value per bucket with the counts behind it. */
interface Line {
  name: string;
  previous: boolean;
  points: { key: string; value: number | null; num: number; den: number | null }[];
}

/** "2026-01-05" as "Jan 5": the axis is short on room; the table and tooltip carry the year. */
function axisDate(locale: string, day: string | number | null): string {
  const t = typeof day === "string" ? Date.parse(`${day}T00:00:00Z`) : NaN;
  return Number.isNaN(t) ? String(day ?? "") : new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(t);
}

const rateOf = (num: number, den: number) => (den === 0 ? null : num / den);

function linesFor(buckets: readonly TrendBucket[], labels: string[], mode: TrendMode, previous: boolean): Line[] {
  const suffix = previous ? " (previous period)" : "";
  const last = labels.length - 1;
  if (mode === "counts") {
    return labels.map((label, i) => ({
      name: `${label}${suffix}`,
      previous,
      points: buckets.map((b) => ({ key: b.key, value: b.counts[i] ?? 0, num: b.counts[i] ?? 0, den: null })),
    }));
  }
  if (mode === "step") {
    return labels.slice(1).map((label, j) => ({
      name: `${labels[j]} → ${label}${suffix}`,
      previous,
      points: buckets.map((b) => {
        const num = b.counts[j + 1] ?? 0;
        const den = b.counts[j] ?? 0;
        return { key: b.key, value: rateOf(num, den), num, den };
      }),
    }));
  }
  return [
    {
      name: `${labels[0]} → ${labels[last]}${suffix}`,
      previous,
      points: buckets.map((b) => {
        const num = b.counts[last] ?? 0;
        const den = b.counts[0] ?? 0;
        return { key: b.key, value: rateOf(num, den), num, den };
      }),
    },
  ];
}

/** A bucket whose rate rests on fewer units than any comparison may use (docs/funnel-semantics.md, "Small numbers"). */
const isSmall = (p: Line["points"][number]) => p.den !== null && p.den > 0 && p.den < MIN_UNITS_TO_COMPARE;

function cell(f: Formatter, p: Line["points"][number] | undefined): string {
  if (!p) return "—";
  if (p.den === null) return f.count(p.num);
  return `${f.ratio(p.num, p.den, p.value)}${isSmall(p) ? " (few)" : ""}`;
}

/**
 * The funnel per local day or week as a Polaris Viz line chart with dated x-axis, in counts,
 * step-to-step rates or the overall rate, with the previous period as dashed comparison
 * lines when the report is compared. The same numbers (counts beside every rate) sit in a
 * table behind "Show the numbers". Polaris Viz measures the DOM, so it loads in the browser
 * only; the server renders a placeholder of the same height.
 */
export function TrendChart({ trend, previousTrend, stepLabels, unit, locale }: TrendChartProps) {
  const f = formatter(locale);
  const [mode, setMode] = useState<TrendMode>("counts");
  const [showTable, setShowTable] = useState(trend.buckets.length <= 14);
  const [Chart, setChart] = useState<ComponentType<LineChartProps> | null>(null);
  useEffect(() => {
    let live = true;
    import("@shopify/polaris-viz").then((viz) => {
      if (!live) return;
      const Wrapped = (props: LineChartProps) => (
        <viz.PolarisVizProvider>
          <viz.LineChart {...props} />
        </viz.PolarisVizProvider>
      );
      setChart(() => Wrapped);
    });
    return () => {
      live = false;
    };
  }, []);

  // The chart is a picture for sighted users: the table below is its accessible form.
  // Polaris Viz's SVG carries ARIA that axe rejects (list roles without items, unnamed
  // point images) and focusable points, so it is hidden from assistive technology and
  // its points and legend buttons are kept out of the tab order (an aria-hidden focusable is a trap).
  const chartBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = chartBox.current;
    if (!box || !Chart) return;
    const unfocus = () =>
      box
        .querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')
        .forEach((el) => el.getAttribute("tabindex") !== "-1" && el.setAttribute("tabindex", "-1"));
    unfocus();
    const observer = new MutationObserver(unfocus);
    observer.observe(box, { subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"] });
    return () => observer.disconnect();
  }, [Chart]);

  const period = trend.granularity === "week" ? "Week of" : "Day";
  const current = linesFor(trend.buckets, stepLabels, mode, false);
  // Line up the previous period bucket by bucket (equal lengths; a week range may differ by one).
  const prevBuckets = previousTrend ? previousTrend.buckets.slice(0, trend.buckets.length) : [];
  const previous = previousTrend ? linesFor(prevBuckets, stepLabels, mode, true) : [];
  const lines = [...current, ...previous];
  const smallPoints = current.reduce((n, l) => n + l.points.filter(isSmall).length, 0);
  const isRate = mode !== "counts";

  const data: DataSeries[] = lines.map((l) => ({
    name: l.name,
    isComparison: l.previous,
    // Comparison lines take the current period's dates so both share the axis.
    data: l.points.map((p, i) => ({ key: trend.buckets[i]?.key ?? p.key, value: p.value })),
  }));

  const headings = [period, ...(previousTrend ? ["Previous period"] : []), ...lines.map((l) => l.name), ...(mode === "counts" ? ["In progress"] : [])];
  const rows = trend.buckets.map((b, i) => [
    f.date(b.key),
    ...(previousTrend ? [prevBuckets[i] ? f.date(prevBuckets[i].key) : "—"] : []),
    ...lines.map((l) => cell(f, l.points[i])),
    ...(mode === "counts" ? [f.count(b.inProgressUnits)] : []),
  ]);

  return (
    <BlockStack gap="300">
      <InlineStack gap="300" blockAlign="center" align="space-between">
        <ButtonGroup variant="segmented">
          {(Object.keys(MODE_LABELS) as TrendMode[]).map((m) => (
            <Button key={m} pressed={mode === m} onClick={() => setMode(m)}>
              {MODE_LABELS[m]}
            </Button>
          ))}
        </ButtonGroup>
        <Button variant="plain" onClick={() => setShowTable(!showTable)} ariaExpanded={showTable}>
          {showTable ? "Hide the numbers" : "Show the numbers"}
        </Button>
      </InlineStack>
      <div ref={chartBox} aria-hidden="true" data-trend-chart={mode} data-trend-series={lines.map((l) => l.name).join("|")} style={{ height: 260 }}>
        {Chart ? (
          <Chart
            data={data}
            theme="Light"
            isAnimated={false}
            xAxisOptions={{ labelFormatter: (v) => axisDate(f.locale, v) }}
            yAxisOptions={{
              labelFormatter: (v) => (v === null ? "" : isRate ? f.percent(Number(v)) : f.count(Number(v))),
              ...(isRate ? { maxYOverride: 1 } : { integersOnly: true }),
            }}
            tooltipOptions={{
              keyFormatter: (v) => (typeof v === "string" ? f.date(v) : String(v ?? "")),
              valueFormatter: (v) => (v === null ? "—" : isRate ? f.percent(Number(v)) : f.count(Number(v))),
            }}
          />
        ) : (
          <Text as="p" tone="subdued">
            Loading the chart…
          </Text>
        )}
      </div>
      <Text as="p" variant="bodySm" tone="subdued">
        {isRate
          ? `Rates per ${trend.granularity} of ${unitNoun(unit)} entering that ${trend.granularity}; an empty point had no one to convert.`
          : `${unitNoun(unit)[0]!.toUpperCase()}${unitNoun(unit).slice(1)} per ${trend.granularity}, by the furthest step reached.`}
        {previousTrend ? " Dashed lines: the previous period, same position in the range." : ""}
        {isRate && smallPoints > 0
          ? ` ${f.count(smallPoints)} point${smallPoints === 1 ? "" : "s"} rest on fewer than ${MIN_UNITS_TO_COMPARE} ${unitNoun(unit)}: marked “few” in the numbers.`
          : ""}
      </Text>
      {showTable ? (
        <div data-trend-table={mode}>
          <DataTable
            columnContentTypes={headings.map((_, i) => (i === 0 || (previousTrend && i === 1) ? "text" : "numeric"))}
            headings={headings}
            rows={rows}
            increasedTableDensity
          />
        </div>
      ) : null}
    </BlockStack>
  );
}
