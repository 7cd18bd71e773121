import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, EmptyState, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { shopAlerts } from "../services/step-alarm-pages.server";
import { KeyboardScrollable } from "../components/KeyboardScrollable";
import { formatter } from "../lib/funnel-format";
import { alertTime, segmentWords } from "../lib/alert-text";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Alerts" }];

/** Every alert of the shop, open and cleared, newest first (GET …?_data gives the same list). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const alerts = await shopAlerts(appContext(), shop);
  return json({ alerts, timeZone: shop.timeZone, locale: shop.locale }, { headers: { "Cache-Control": "private, no-store" } });
};

export default function AlertsPage() {
  const { alerts, timeZone, locale } = useLoaderData<typeof loader>();
  const f = formatter(locale);
  const open = alerts.filter((a) => a.status === "open").length;
  return (
    <Page
      title="Alerts"
      subtitle={`Step alarm: every saved funnel's steps, overall and per device, checked every hour (${timeZone})`}
      backAction={{ content: "Dashboard", url: "/app" }}
    >
      <BlockStack gap="400">
        {alerts.length === 0 ? (
          <Card>
            <EmptyState heading="No step has fallen below its usual rate" image="">
              <p>
                Every hour each step of your saved funnels is compared with the same hours of the same weekdays over the previous four weeks. When one falls
                clearly below that, it is listed here and shown on the dashboard.
              </p>
            </EmptyState>
          </Card>
        ) : (
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{`${f.count(alerts.length)} alerts, ${f.count(open)} open`}</Text>
              <BlockStack gap="300">
                {alerts.map((a) => (
                  <BlockStack gap="100" key={a.id}>
                    <Text as="h3" variant="headingSm">
                      <Badge tone={a.status === "open" ? "critical" : "success"}>{a.status === "open" ? "Open" : "Cleared"}</Badge>{" "}
                      <Link to={`/app/funnels/${encodeURIComponent(a.funnelId)}`}>{a.funnelName}</Link>
                      {`: ${a.fromLabel} → ${a.toLabel}, ${segmentWords(a.segment)}`}
                    </Text>
                    <Text as="p">{a.sentence}</Text>
                    <Text
                      as="p"
                      tone="subdued"
                      variant="bodySm"
                    >{`${a.statusWords} Raised at the check of ${alertTime(a.openedAt, f.locale, timeZone)}, compared by ${a.granularity === "day" ? "days" : "hours"}.`}</Text>
                  </BlockStack>
                ))}
              </BlockStack>
              <KeyboardScrollable label="All alerts, scrollable">
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text", "text"]}
                  headings={["Status", "Step", "Who", "Since", "Rate since then", "Expected (previous 4 weeks)", "Cleared"]}
                  rows={alerts.map((a) => [
                    a.status === "open" ? "Open" : "Cleared",
                    `${a.funnelName}: ${a.fromLabel} → ${a.toLabel}`,
                    a.segment === "overall" ? "All visitors" : a.segment.charAt(0).toUpperCase() + a.segment.slice(1),
                    alertTime(a.since, f.locale, timeZone),
                    f.ratio(a.converted, a.settled, a.observedRate),
                    `${f.percent(a.expectedRate)} (${Math.round(a.expectedLow * 100)}–${Math.round(a.expectedHigh * 100)} %) · ${f.ratio(a.baselineConverted, a.baselineSettled)}`,
                    a.clearedAt ? alertTime(a.clearedAt, f.locale, timeZone) : "—",
                  ])}
                />
              </KeyboardScrollable>
            </BlockStack>
          </Card>
        )}
      </BlockStack>
    </Page>
  );
}
