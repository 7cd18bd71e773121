import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { env } from "../env.server";
import { requireShop, syncPixel } from "../services/shops.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  return json({
    domain: shop.domain,
    timeZone: shop.timeZone,
    currency: shop.currency,
    pixelStatus: shop.pixelStatus,
    pixelError: shop.pixelError,
    webPixelId: shop.webPixelId,
    ingestUrl: env.ingestUrl,
  });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  const updated = await syncPixel(shop.id, admin);
  return json({ pixelStatus: updated.pixelStatus });
};

const STATUS_TONE = { created: "success", failed: "critical", pending: "attention" } as const;

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "submitting";
  const tone = STATUS_TONE[data.pixelStatus as keyof typeof STATUS_TONE] ?? "attention";
  return (
    <Page title="Settings">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">Web pixel</Text>
                <Badge tone={tone}>{data.pixelStatus}</Badge>
              </InlineStack>
              {data.pixelStatus === "failed" ? (
                <Banner tone="critical" title="The web pixel could not be connected">
                  <p>{data.pixelError}</p>
                </Banner>
              ) : null}
              <Text as="p">Pixel id: {data.webPixelId ?? "—"}</Text>
              <Text as="p">Sends events to: {data.ingestUrl}</Text>
              <Form method="post">
                <Button submit loading={busy}>{data.pixelStatus === "created" ? "Update pixel settings" : "Retry connecting the pixel"}</Button>
              </Form>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Shop</Text>
              <Text as="p">Domain: {data.domain}</Text>
              <Text as="p">Time zone: {data.timeZone} (all reports use it for days and date ranges)</Text>
              <Text as="p">Currency: {data.currency}</Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
