import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { audienceSubtitle } from "../components/audiences/subtitle";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import { BlockStack, Card, DataTable, EmptyState, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { listAudiencesWithSize } from "../services/audiences/audiences.server";
import { listAutoSync } from "../services/audiences/auto-sync.server";
import { AutoSyncCell } from "../components/audiences/AutoSyncCell";
import { KeyboardScrollable } from "../components/KeyboardScrollable";
import { int } from "../components/insights/format";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Audiences" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const [audiences, autoSync] = await Promise.all([listAudiencesWithSize(appContext().db, shop.id), listAutoSync(appContext().db, shop.id)]);
  return json({ audiences, autoSync });
};

export default function AudiencesIndex() {
  const { audiences, autoSync } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Audiences"
      subtitle="Visitors who did a micro-conversion but not the goal: export or tag them for remarketing"
      primaryAction={{ content: "New audience", url: "/app/audiences/new" }}
    >
      <Card>
        {audiences.length === 0 ? (
          <EmptyState heading="No audiences yet" action={{ content: "Create from a template", url: "/app/audiences/new" }} image="">
            <p>Start with “Added to cart, did not buy”, “Viewed pricing, no demo request” or “Started a form, did not submit”.</p>
            <p>
              An audience lists the visitors who did a micro-conversion but not the goal; its logged-in customers can be tagged in Shopify for remarketing, by
              hand or automatically every day. Members fill in as soon as visitors arrive.
            </p>
          </EmptyState>
        ) : (
          <BlockStack gap="200">
            <div data-testid="audiences-table">
              <KeyboardScrollable label="Audiences, scrollable">
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "text", "text"]}
                  headings={["Audience", "Definition", "Identified customers", "Anonymous visitors", "Tag", "Automatic sync"]}
                  rows={audiences.map(({ audience: a, size }) => [
                    <Link key={a.id} to={`/app/audiences/${a.id}`}>
                      {a.name}
                    </Link>,
                    audienceSubtitle(a),
                    int(size.identifiedCustomers),
                    int(size.anonymousVisitors),
                    a.tag,
                    <AutoSyncCell key={`${a.id}-sync`} status={autoSync[a.id]} />,
                  ])}
                />
              </KeyboardScrollable>
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
