import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { ChecklistItem, ItemState, SetupChecklistView } from "../../../core/trust/checklist";
import { count } from "../../../core/trust/format";

export interface SetupChecklistProps {
  /** What setupChecklist() (services/trust/checklist.server) returns. */
  checklist: SetupChecklistView;
  /** Route whose action re-syncs the web pixel; the Setup page's by default. */
  retryAction?: string;
}

const STATE: Record<ItemState, { tone: "success" | "warning" | "attention" | "critical"; label: string }> = {
  done: { tone: "success", label: "Done" },
  warning: { tone: "warning", label: "Check" },
  todo: { tone: "attention", label: "To do" },
  error: { tone: "critical", label: "Needs action" },
};

type RetryResult = { ok: boolean; pixelStatus: string; pixelError: string | null };

/**
 * The setup checklist: web pixel, theme app embed, first events. Self-contained: it
 * re-syncs the pixel through a fetcher (the page stays where it is and its data
 * reloads), so it can sit on the Setup page or on the dashboard alike.
 */
export function SetupChecklist({ checklist, retryAction = "/app/setup" }: SetupChecklistProps) {
  const total = checklist.items.length;
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Setup checklist
          </Text>
          <Badge tone={checklist.complete ? "success" : "attention"}>{`${checklist.doneCount} of ${total} done`}</Badge>
        </InlineStack>
        {checklist.complete ? (
          <Text as="p" tone="success">
            Everything is connected: storefront events are arriving and the reports reflect your store.
          </Text>
        ) : (
          <Text as="p" tone="subdued">
            Until every item is done, some or all of your storefront activity is not reaching the reports.
          </Text>
        )}
        {checklist.items.map((item) => (
          <ChecklistRow key={item.key} item={item} checklist={checklist} retryAction={retryAction} />
        ))}
      </BlockStack>
    </Card>
  );
}

function ChecklistRow({ item, checklist, retryAction }: { item: ChecklistItem; checklist: SetupChecklistView; retryAction: string }) {
  const state = STATE[item.state];
  return (
    <Box borderBlockStartWidth="025" borderColor="border" paddingBlockStart="300">
      <section aria-label={item.title} data-state={item.state}>
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Badge tone={state.tone}>{state.label}</Badge>
            <Text as="h3" variant="headingSm">
              {item.title}
            </Text>
          </InlineStack>
          <Text as="p">{item.summary}</Text>
          {item.details.map((d) => (
            <Text key={d} as="p" variant="bodySm" tone="subdued">
              {d}
            </Text>
          ))}
          {item.key === "pixel" ? <PixelRetry checklist={checklist} retryAction={retryAction} /> : null}
          {item.key === "embed" ? (
            <InlineStack>
              <Button url={checklist.embed.deepLink} target="_blank" variant={item.state === "done" ? "plain" : "primary"}>
                {item.state === "done" ? "Open the theme editor's app embeds" : "Turn on the app embed in the theme editor"}
              </Button>
            </InlineStack>
          ) : null}
          {item.key === "events" && item.state !== "todo" ? <EventKinds checklist={checklist} /> : null}
          {item.key === "orders" && checklist.orders.canRetry ? <OrdersRetry retryAction={retryAction} /> : null}
        </BlockStack>
      </section>
    </Box>
  );
}

function PixelRetry({ checklist, retryAction }: { checklist: SetupChecklistView; retryAction: string }) {
  const fetcher = useFetcher<RetryResult>();
  if (!checklist.pixel.canRetry && !fetcher.data) return null;
  const busy = fetcher.state !== "idle";
  const failed = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok;
  return (
    <BlockStack gap="200">
      {failed ? (
        <Banner tone="critical" title="The web pixel could not be connected">
          <p>{fetcher.data?.pixelError ?? "Unknown error"}</p>
        </Banner>
      ) : null}
      {checklist.pixel.canRetry ? (
        <fetcher.Form method="post" action={retryAction}>
          <Button submit loading={busy}>
            {checklist.pixel.status === "created" ? "Update the pixel in Shopify" : "Retry connecting the pixel"}
          </Button>
        </fetcher.Form>
      ) : null}
    </BlockStack>
  );
}

type OrdersRetryResult = { ok: boolean; ordersWebhook: string; ordersWebhookError: string | null };

function OrdersRetry({ retryAction }: { retryAction: string }) {
  const fetcher = useFetcher<OrdersRetryResult>();
  const failed = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok;
  return (
    <BlockStack gap="200">
      {failed ? (
        <Banner tone="critical" title="Shopify still refuses the orders/create subscription">
          <p>{fetcher.data?.ordersWebhookError ?? "Unknown error"}</p>
        </Banner>
      ) : null}
      <fetcher.Form method="post" action={retryAction}>
        <input type="hidden" name="intent" value="orders-webhook" />
        <Button submit loading={fetcher.state !== "idle"}>
          Retry the orders/create subscription
        </Button>
      </fetcher.Form>
    </BlockStack>
  );
}

function EventKinds({ checklist }: { checklist: SetupChecklistView }) {
  const rows = [checklist.events.standard, checklist.events.custom].map((k) => [
    k.label,
    k.firstLabel ?? "none yet",
    k.latestLabel ?? "none yet",
    count(k.count7d),
  ]);
  return (
    <DataTable
      columnContentTypes={["text", "text", "text", "numeric"]}
      headings={["Kind", `First received (${checklist.timeZone})`, "Latest", "Last 7 days"]}
      rows={rows}
    />
  );
}
