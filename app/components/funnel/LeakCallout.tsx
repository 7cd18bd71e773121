import { Banner, Text } from "@shopify/polaris";
import type { Leak, StepFigures } from "../../../core/funnel";
import type { FunnelUnit } from "../../../core/types";
import { formatter, unitNoun } from "./funnel-format";

export interface LeakCalloutProps {
  leak: Leak | null;
  sentence: string | null;
  steps: StepFigures[];
  unit: FunnelUnit;
  locale: string;
}

/** The headline: which step loses the most, with the arithmetic, and how much of it may still convert. */
export function LeakCallout({ leak, sentence, steps, unit, locale }: LeakCalloutProps) {
  if (!leak || !sentence) return null;
  const f = formatter(locale);
  const inProgress = steps[leak.step - 1]?.inProgress ?? 0;
  return (
    <Banner tone="warning" title={`Biggest leak: ${leak.fromLabel} → ${leak.toLabel}`}>
      <Text as="p">{sentence}</Text>
      {inProgress > 0 ? (
        <Text as="p" tone="subdued">
          {`${f.count(inProgress)} of those ${unitNoun(unit)} are still in progress and may yet reach “${leak.toLabel}”.`}
        </Text>
      ) : null}
    </Banner>
  );
}
