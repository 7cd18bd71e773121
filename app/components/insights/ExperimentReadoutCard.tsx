import type { ReactNode } from "react";
import { Badge, Banner, BlockStack, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { ExperimentReadout } from "../../../core/insights";
import type { Verdict } from "../../../core/stats";
import { countsRate, int, pct, pp, ppInterval, pValue } from "./format";

const TONE: Record<Verdict["kind"], "success" | "critical" | "attention" | "info" | undefined> = {
  "variant-wins": "success",
  "variant-loses": "critical",
  srm: "critical",
  "not-enough-data": "attention",
  "no-difference": "info",
  invalid: "critical",
};

/** Lets a DataTable cell wrap (Polaris cells do not) at a sensible width. */
function Wrap({ width, children }: { width: number; children: ReactNode }) {
  return <div style={{ whiteSpace: "normal", minWidth: width, maxWidth: width + 120 }}>{children}</div>;
}

/** The verdict's message, except where a step cannot be tested at all (a 0 % or 100 % control). */
function stepVerdict(s: ExperimentReadout["comparisons"][number]["steps"][number]): string {
  if (s.verdict.kind === "invalid" && s.control.total > 0 && (s.control.converted === s.control.total || s.control.converted === 0)) {
    return `nothing to test: ${s.control.converted === 0 ? "no" : "every"} control visitor reached this step`;
  }
  return s.verdict.message;
}

/**
 * One experiment: visitors per variant (and those excluded for seeing two variants),
 * the sample-ratio check, the funnel per variant after exposure with every rate's
 * counts, and per step the difference to control with its 95 % CI, p-value and verdict.
 */
export function ExperimentReadoutCard({ x, timeZone }: { x: ExperimentReadout; timeZone: string }) {
  const day = (ts: number) => new Intl.DateTimeFormat("en-CA", { timeZone, dateStyle: "short" }).format(ts);
  const funnelRows = x.stepLabels.map((label, i) => [
    `${i + 1}. ${label}`,
    ...x.variants.map((v) => countsRate({ converted: v.reached[i], total: v.visitors })),
  ]);
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack gap="200" blockAlign="center" wrap>
          <Text as="h2" variant="headingMd">
            {x.experiment}
          </Text>
          <Text as="span" tone="subdued">
            exposures {day(x.firstExposure)} – {day(x.lastExposure)}
          </Text>
        </InlineStack>
        <div data-testid="experiment-arms">
          <Text as="p">
            {x.variants.map((v) => `${v.variant}${v.isControl ? " (control)" : ""}: ${int(v.visitors)} visitors`).join(" · ")} · {int(x.excludedVisitors)}{" "}
            excluded (saw more than one variant)
          </Text>
        </div>
        {x.srm.ok ? (
          x.srm.mismatch ? (
            <Banner tone="critical" title="Sample ratio mismatch">
              <p>
                The arms have {x.variants.map((v) => int(v.visitors)).join(" vs ")} visitors where an even split was planned (χ² = {x.srm.chiSquare.toFixed(2)},{" "}
                {pValue(x.srm.pValue)}). Assignment or tracking is broken; do not trust the results below.
              </p>
            </Banner>
          ) : (
            <Text as="p" tone="subdued">
              Traffic split check: χ² = {x.srm.chiSquare.toFixed(2)}, {pValue(x.srm.pValue)} — no sample ratio mismatch (flagged below p = 0.001).
            </Text>
          )
        ) : (
          <Text as="p" tone="subdued">
            Traffic split check not possible: {x.srm.reason}.
          </Text>
        )}
        <DataTable
          columnContentTypes={["text", ...x.variants.map(() => "text" as const)]}
          headings={["Step (after exposure)", ...x.variants.map((v) => (v.isControl ? `${v.variant} (control)` : v.variant))]}
          rows={funnelRows}
        />
        {x.comparisons.map((c) => (
          <BlockStack gap="200" key={c.variant}>
            <InlineStack gap="200" blockAlign="center" wrap>
              <Text as="h3" variant="headingSm">
                {c.variant} vs {x.control}
              </Text>
              <Badge tone={TONE[c.headline.kind]}>{c.headline.kind.replace(/-/g, " ")}</Badge>
            </InlineStack>
            <div data-testid="experiment-verdict">
              <Text as="p">
                {x.stepLabels[x.stepLabels.length - 1]}: {c.headline.message}
              </Text>
            </div>
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text", "text"]}
              headings={["Step", x.control, c.variant, "Difference (95 % CI)", "p-value", "Verdict"]}
              rows={c.steps.map((s) => [
                <Wrap key="l" width={110}>{`${s.step}. ${s.label}`}</Wrap>,
                countsRate(s.control),
                countsRate(s.variant),
                <Wrap key="d" width={170}>
                  {`${pp(s.comparison.diff)} (${ppInterval(s.comparison.diffCi95)})`}
                  {s.comparison.relativeLift !== null ? ` · ${s.comparison.relativeLift >= 0 ? "+" : ""}${pct(s.comparison.relativeLift)} relative` : ""}
                </Wrap>,
                pValue(s.comparison.pValue),
                <Wrap key="v" width={240}>
                  {stepVerdict(s)}
                </Wrap>,
              ])}
            />
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}
