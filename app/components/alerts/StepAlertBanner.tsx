import { Link } from "@remix-run/react";
import { Banner, BlockStack, List, Text } from "@shopify/polaris";

export interface StepAlertBannerProps {
  alerts: readonly { id: string; sentence: string; funnelName: string; funnelId: string }[];
  historyUrl: string;
  /** On the dashboard each alert names its funnel and links to its report. */
  showFunnel?: boolean;
}

/** The step alarm's open alerts, in words, with a link to every alert of the shop. Nothing when none is open. */
export function StepAlertBanner({ alerts, historyUrl, showFunnel = false }: StepAlertBannerProps) {
  if (alerts.length === 0) return null;
  const title = alerts.length === 1 ? "A funnel step fell below its usual rate" : `${alerts.length} funnel steps fell below their usual rate`;
  return (
    <Banner tone="critical" title={title}>
      <BlockStack gap="200">
        <List>
          {alerts.map((a) => (
            <List.Item key={a.id}>
              {showFunnel ? (
                <>
                  <Link to={`/app/funnels/${encodeURIComponent(a.funnelId)}`}>{a.funnelName}</Link>
                  {": "}
                </>
              ) : null}
              {a.sentence}
            </List.Item>
          ))}
        </List>
        <Text as="p" variant="bodySm">
          Checked every 15 minutes against the same hours of the same weekdays over the previous 4 weeks (days for a step with few visits an hour).{" "}
          <Link to={historyUrl}>Alert history</Link>
        </Text>
      </BlockStack>
    </Banner>
  );
}
