import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Page, ResourceItem, ResourceList, Text } from "@shopify/polaris";
import { appContext } from "../context.server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { ensureDefaultFunnels, FUNNEL_TEMPLATES, listFunnels } from "../services/funnels.server";
import { trackingStatus } from "../services/tracking.server";
import { safeTimeZone } from "../services/date-range";
import { FunnelsWaitingCard } from "../components/first-run/FunnelsWaitingCard";

export const meta: MetaFunction = () => [{ title: "Funnels" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  await ensureDefaultFunnels(appContext().db, shop.id);
  const [funnels, tracking] = await Promise.all([listFunnels(appContext().db, shop.id), trackingStatus(appContext().db, shop.id)]);
  return json({
    waiting: tracking.events === 0 ? { installedAt: shop.installedAt.getTime(), timeZone: safeTimeZone(shop.timeZone) } : null,
    funnels: funnels.map((f) => ({
      id: f.id,
      name: f.name,
      unit: f.unit,
      isMain: f.isMain,
      stepCount: f.steps.length,
      firstStep: f.steps[0]?.label ?? "",
      lastStep: f.steps[f.steps.length - 1]?.label ?? "",
    })),
    templates: FUNNEL_TEMPLATES.filter((t) => t.key !== "custom").map((t) => ({ key: t.key, name: t.name, description: t.description })),
  });
};

export default function FunnelsPage() {
  const { funnels, templates, waiting } = useLoaderData<typeof loader>();
  return (
    <Page title="Funnels" primaryAction={{ content: "New funnel", url: "/app/funnels/new" }}>
      <Layout>
        {waiting ? (
          <Layout.Section>
            <FunnelsWaitingCard installedAt={waiting.installedAt} timeZone={waiting.timeZone} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            <ResourceList
              resourceName={{ singular: "funnel", plural: "funnels" }}
              items={funnels}
              renderItem={(f) => (
                <ResourceItem id={f.id} url={`/app/funnels/${encodeURIComponent(f.id)}`} accessibilityLabel={`Open the report of ${f.name}`}>
                  <InlineStack align="space-between" blockAlign="center" gap="300">
                    <BlockStack gap="100">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="h2" variant="bodyMd" fontWeight="semibold">
                          {f.name}
                        </Text>
                        {f.isMain ? <Badge tone="success">Main funnel</Badge> : null}
                      </InlineStack>
                      <Text as="p" tone="subdued">{`${f.firstStep} → ${f.lastStep}`}</Text>
                    </BlockStack>
                    <InlineStack gap="200">
                      <Badge>{`${f.stepCount} steps`}</Badge>
                      <Badge>{f.unit === "visitor" ? "per visitor" : "per session"}</Badge>
                    </InlineStack>
                  </InlineStack>
                </ResourceItem>
              )}
            />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Start from a template
            </Text>
            <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
              {templates.map((t) => (
                <Card key={t.key}>
                  <BlockStack gap="200">
                    <Text as="h3" variant="headingSm">
                      {t.name}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t.description}
                    </Text>
                    <Box>
                      <Button url={`/app/funnels/new?template=${t.key}`}>{`Use ${t.name} template`}</Button>
                    </Box>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
            <Text as="p" tone="subdued">
              Or <Link to="/app/funnels/new?template=custom">build a custom funnel</Link> from the events your store sends.
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
