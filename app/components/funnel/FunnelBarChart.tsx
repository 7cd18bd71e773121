import { Badge, BlockStack, Box, InlineStack, Text } from "@shopify/polaris";
import type { StepFigures } from "../../../core/funnel";
import type { FunnelUnit } from "../../../core/types";
import { formatter, unitNoun } from "../../lib/funnel-format";

export interface FunnelBarChartProps {
  steps: StepFigures[];
  unit: FunnelUnit;
  locale: string;
  /** Step (k ≥ 2) of the biggest leak: its drop-off is highlighted. */
  leakStep?: number | null;
}

/**
 * The funnel as horizontal bars (width = share of step 1), with the drop-off between
 * consecutive bars. Plain HTML + CSS so it renders on the server without measuring the
 * DOM; it is an ordered list whose text carries every number, the bars are decoration.
 * Units still in progress at the step above are shown as waiting, apart from the drop-off.
 */
export function FunnelBarChart({ steps, unit, locale, leakStep }: FunnelBarChartProps) {
  const f = formatter(locale);
  const top = steps[0]?.count ?? 0;
  const noun = unitNoun(unit);
  return (
    <ol aria-label={`Funnel: ${noun} reaching each step`} style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {steps.map((s) => {
        const share = top === 0 ? 0 : s.count / top;
        const isLeak = leakStep === s.step;
        return (
          <li key={s.step} data-step={s.step}>
            {s.step > 1 ? (
              <Box paddingBlock="150" paddingInlineStart="400">
                <InlineStack gap="200" blockAlign="center">
                  <span aria-hidden="true">↓</span>
                  <Text as="span" variant="bodySm" tone={isLeak ? "critical" : "subdued"} fontWeight={isLeak ? "semibold" : "regular"}>
                    {s.dropOff === null ? "—" : `${f.count(s.dropOff)} dropped off · ${f.percent(s.dropOffRate)}${isLeak ? " (biggest leak)" : ""}`}
                  </Text>
                  {s.inProgress > 0 ? <Badge tone="info">{`${f.count(s.inProgress)} waiting (still in progress)`}</Badge> : null}
                </InlineStack>
              </Box>
            ) : null}
            <BlockStack gap="100">
              <InlineStack align="space-between" blockAlign="end" wrap={false} gap="200">
                <Text as="span" variant="bodyMd" fontWeight="semibold">{`${s.step}. ${s.label}`}</Text>
                <Text as="span" variant="bodyMd" numeric>
                  {f.ratio(s.count, top, s.overallConversion)}
                </Text>
              </InlineStack>
              <div
                aria-hidden="true"
                style={{ height: 28, background: "var(--p-color-bg-surface-secondary)", borderRadius: "var(--p-border-radius-200)", overflow: "hidden" }}
              >
                <div
                  style={{
                    width: `${(share * 100).toFixed(2)}%`,
                    minWidth: s.count > 0 ? 2 : 0,
                    height: "100%",
                    background: isLeak ? "var(--p-color-bg-fill-critical)" : "var(--p-color-bg-fill-info)",
                    transition: "width 200ms ease-out",
                  }}
                />
              </div>
            </BlockStack>
          </li>
        );
      })}
    </ol>
  );
}
