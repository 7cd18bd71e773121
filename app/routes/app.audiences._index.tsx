import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { audienceSubtitle } from "../components/audiences/subtitle";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import { BlockStack, Card, DataTable, EmptyState, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { listAudiencesWithSize } from "../services/audiences/audiences.server";
import { int } from "../components/insights/format";

export const meta: MetaFunction = () => [{ title: "Audiences" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  return json({ audiences: await listAudiencesWithSize(shop.id) });
};

export default function AudiencesIndex() {
  const { audiences } = useLoaderData<typeof loader>();
  return (
    <Page title="Audiences" subtitle="Visitors who did a micro-conversion but not the goal: export or tag them for remarketing" primaryAction={{ content: "New audience", url: "/app/audiences/new" }}>
      <Card>
        {audiences.length === 0 ? (
          <EmptyState heading="No audiences yet" action={{ content: "Create from a template", url: "/app/audiences/new" }} image="">
            <p>Start with “Added to cart, did not buy”, “Viewed pricing, no demo request” or “Started a form, did not submit”.</p>
          </EmptyState>
        ) : (
          <BlockStack gap="200">
            <div data-testid="audiences-table">
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
                headings={["Audience", "Definition", "Identified customers", "Anonymous visitors", "Tag"]}
                rows={audiences.map(({ audience: a, size }) => [
                  <Link key={a.id} to={`/app/audiences/${a.id}`}>
                    {a.name}
                  </Link>,
                  audienceSubtitle(a),
                  int(size.identifiedCustomers),
                  int(size.anonymousVisitors),
                  a.tag,
                ])}
              />
            </div>
            <Text as="p" tone="subdued" variant="bodySm">
              Sizes are for the lookback window ending now; identified customers are distinct logged-in customer ids.
            </Text>
          </BlockStack>
        )}
      </Card>
    </Page>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}
