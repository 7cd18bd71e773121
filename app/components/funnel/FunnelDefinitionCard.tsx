import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { Banner, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { FunnelUnit, StepMatcher } from "../../../core/types";
import { funnelInWords } from "../../../core/funnel/describe";

interface Describable {
  unit: FunnelUnit;
  windowMinutes: number;
  steps: readonly { label: string; anyOf: readonly StepMatcher[] }[];
}

/** The definition as a sentence, then each step's label and condition. */
export function FunnelInWordsText({ funnel }: { funnel: Describable }) {
  const words = funnelInWords(funnel);
  return (
    <BlockStack gap="200">
      <Text as="p" id="funnel-in-words">
        {words.sentence}
      </Text>
      <ol aria-label="Steps of this funnel">
        {funnel.steps.map((s, i) => (
          <li key={i}>
            <Text as="span" fontWeight="semibold">
              {s.label}
            </Text>
            <Text as="span" tone="subdued">{`: ${words.steps[i]}`}</Text>
          </li>
        ))}
      </ol>
    </BlockStack>
  );
}

/** The report page's definition card: what is counted, which version, and the way to edit it. */
export function FunnelDefinitionCard({ funnel, editUrl }: { funnel: Describable & { version: number }; editUrl: string }) {
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">{`What this funnel counts${funnel.version > 1 ? ` (version ${funnel.version})` : ""}`}</Text>
          <Button url={editUrl}>Edit funnel</Button>
        </InlineStack>
        <FunnelInWordsText funnel={funnel} />
      </BlockStack>
    </Card>
  );
}

/**
 * Shown while an edited funnel's precomputed results are rebuilt. The figures below are
 * already the new version's (computed from the events); the page reloads itself every
 * 2 s until the rebuild is done (`paused`: not while its streamed diagnosis is still coming).
 */
export function RebuildingBanner({ active, paused = false }: { active: boolean; paused?: boolean }) {
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    if (!active || paused) return;
    const timer = setInterval(() => {
      if (state === "idle") revalidate();
    }, 2_000);
    return () => clearInterval(timer);
  }, [active, paused, revalidate, state]);
  if (!active) return null;
  return (
    <Banner tone="info" title="Rebuilding results for the new definition…">
      <p>
        The funnel was edited. Until its saved results are rebuilt, this report is computed from the events, for the new definition only; it updates by itself.
      </p>
    </Banner>
  );
}

/** An edited funnel whose report came from the events because its results are still being rebuilt. */
export function isRebuilding(r: { resultsFrom: string; funnel: { version: number; resultsState: string } }): boolean {
  return r.funnel.version > 1 && r.resultsFrom !== "unit-days" && r.funnel.resultsState !== "ready";
}
