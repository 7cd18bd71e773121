import { useState } from "react";
import { Badge, BlockStack, Box, Button, Card, Collapsible, InlineStack, Text } from "@shopify/polaris";
import { publishSnippet, SECTION_SNIPPET, EXPERIMENT_EVENT } from "../../../core/insights";
import type { ExposureArrivals } from "../../services/insights/experiments.server";
import { int, utcMinute } from "./format";

function CodeBlock({ code, label, testId }: { code: string; label: string; testId: string }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <BlockStack gap="100">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {label}
        </Text>
        <InlineStack gap="200" blockAlign="center">
          {copied === "copied" ? (
            <Text as="span" tone="success">
              Copied
            </Text>
          ) : null}
          {copied === "failed" ? (
            <Text as="span" tone="caution">
              Select the code and copy it by hand
            </Text>
          ) : null}
          <Button onClick={copy} accessibilityLabel={`Copy: ${label}`}>
            Copy
          </Button>
        </InlineStack>
      </InlineStack>
      <Box background="bg-surface-secondary" padding="300" borderRadius="200">
        <pre data-testid={testId} tabIndex={0} style={{ margin: 0, overflowX: "auto", fontSize: 13, whiteSpace: "pre" }}>
          <code>{code}</code>
        </pre>
      </Box>
    </BlockStack>
  );
}

/** How to send experiment views: the event, its two props, and code for a script or a theme section. */
export function ExperimentGuide({ open: initiallyOpen }: { open: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Send experiment views
          </Text>
          <Button onClick={() => setOpen((o) => !o)} ariaExpanded={open} ariaControls="experiment-guide" disclosure={open ? "up" : "down"}>
            {open ? "Hide the guide" : "Show the guide"}
          </Button>
        </InlineStack>
        <Collapsible id="experiment-guide" open={open}>
          <div data-testid="experiment-guide">
            <BlockStack gap="400">
              <Text as="p">
                The readout counts a visitor in a test once the storefront sends the custom event <code>{EXPERIMENT_EVENT}</code> with two properties:{" "}
                <code>experiment</code> (the test’s name, the same for every variant) and <code>variant</code> (<code>control</code> for the original). The
                app’s web pixel receives it like any storefront event; the visitor’s first variant in the date range counts, and visitors who saw two variants
                are left out. Use exactly these two keys: keys that look like personal data (containing “name”, “email”, “phone”…) are dropped.
              </Text>
              <CodeBlock label="From a script, theme code or your A/B testing tool" code={publishSnippet()} testId="experiment-snippet-js" />
              <CodeBlock
                label="Or a ready-made theme section (Online Store → Themes → Edit code → Sections → new file mc-experiment.liquid)"
                code={SECTION_SNIPPET}
                testId="experiment-snippet-liquid"
              />
              <Text as="p" tone="subdued">
                Then add the section to a page in the theme editor and publish. Views show up in the check on this page within a minute (the pixel sends in
                batches); the readout fills in as visitors go on to the funnel’s steps.
              </Text>
            </BlockStack>
          </div>
        </Collapsible>
      </BlockStack>
    </Card>
  );
}

/** Are experiment views arriving? Count in the last 24 h and the last one seen. */
export function ArrivalCheck({ arrivals, timeZone }: { arrivals: ExposureArrivals; timeZone: string }) {
  const ago = arrivals.lastSeen === null ? null : Math.max(0, arrivals.checkedAt - arrivals.lastSeen);
  const agoText =
    ago === null
      ? ""
      : ago < 60_000
        ? "less than a minute ago"
        : ago < 3_600_000
          ? `${Math.floor(ago / 60_000)} min ago`
          : ago < 86_400_000
            ? `${Math.floor(ago / 3_600_000)} h ago`
            : `${Math.floor(ago / 86_400_000)} days ago`;
  const tone = arrivals.last24h > arrivals.last24hIncomplete ? "success" : arrivals.lastSeen !== null ? "attention" : "critical";
  return (
    <Card>
      <div data-testid="experiment-arrivals">
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Are experiment views arriving?
            </Text>
            <Badge tone={tone}>{arrivals.last24h > arrivals.last24hIncomplete ? "Arriving" : arrivals.lastSeen !== null ? "None today" : "Not yet"}</Badge>
          </InlineStack>
          <Text as="p">
            <span data-testid="arrivals-24h">
              {int(arrivals.last24h)} experiment view{arrivals.last24h === 1 ? "" : "s"} in the last 24 hours
            </span>
            {arrivals.last24hIncomplete > 0 ? ` (${int(arrivals.last24hIncomplete)} without experiment or variant: not counted)` : ""}.{" "}
            <span data-testid="arrivals-last-seen">
              {arrivals.lastSeen === null ? "None in the last 30 days." : `Last seen ${agoText} (${utcMinute(arrivals.lastSeen)}).`}
            </span>
          </Text>
          <Text as="p" tone="subdued" variant="bodySm">
            Counts every view received, whatever the date range below (readout dates are in {timeZone}). Checked at {utcMinute(arrivals.checkedAt)}; reload the
            page to check again.
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}
