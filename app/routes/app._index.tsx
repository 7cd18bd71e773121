import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, EmptyState, Layout, List, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { trackingStatus } from "../services/tracking.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  return json({ shopName: shop.name, pixelStatus: shop.pixelStatus, tracking: await trackingStatus(shop.id) });
};

export default function Dashboard() {
  const { shopName, pixelStatus, tracking } = useLoaderData<typeof loader>();
  if (tracking.events === 0) {
    return (
      <Page title="Dashboard">
        <Card>
          <EmptyState heading="No visitor events yet" image="" action={{ content: "Check settings", url: "/app/settings" }}>
            <p>Once the web pixel receives storefront traffic, your funnels and micro-conversions appear here. What to check:</p>
            <List>
              <List.Item>The web pixel is connected (Settings shows “created”; now: {pixelStatus}).</List.Item>
              <List.Item>The Micro-Conversions app embed is turned on in your theme editor.</List.Item>
              <List.Item>Visitors accepted analytics cookies — without consent nothing is sent.</List.Item>
            </List>
          </EmptyState>
        </Card>
      </Page>
    );
  }
  return (
    <Page title="Dashboard" subtitle={shopName}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Tracking status</Text>
              <Text as="p">{tracking.events.toLocaleString()} events received ({tracking.customEvents.toLocaleString()} page-level), latest at {tracking.latestEventAt}</Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
