import { Badge, BlockStack, InlineStack, Text } from "@shopify/polaris";
import type { AutoSyncStatus } from "../../services/audiences/auto-sync.server";

const minute = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

/** The audiences list's "Automatic sync" cell: on/off, and the last scheduled run's time and result. */
export function AutoSyncCell({ status }: { status: AutoSyncStatus | undefined }) {
  if (!status)
    return (
      <Text as="span" tone="subdued">
        —
      </Text>
    );
  const tone = status.lastStatus === "done" ? "success" : status.lastStatus === "failed" ? "critical" : "attention";
  return (
    <BlockStack gap="100">
      <InlineStack gap="100" blockAlign="center">
        <Badge tone={status.enabled ? "info" : undefined}>{status.enabled ? "Daily" : "Off"}</Badge>
        {status.lastRunAt ? <Badge tone={tone}>{status.lastStatus ?? "unknown"}</Badge> : null}
      </InlineStack>
      <Text as="span" variant="bodySm" tone="subdued">
        {status.lastRunAt
          ? `Last run ${minute(status.lastRunAt)}${status.lastResult ? `: ${status.lastResult}` : ""}`
          : status.enabled
            ? "First run within minutes"
            : "Never run automatically"}
      </Text>
    </BlockStack>
  );
}
