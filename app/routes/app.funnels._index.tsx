import type { LoaderFunctionArgs } from "@remix-run/node";
import { Card, EmptyState, Page } from "@shopify/polaris";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return null;
};

export default function FunnelsPage() {
  return (
    <Page title="Funnels">
      <Card>
        <EmptyState heading="Nothing here yet" image="">
          <p>This page is being built.</p>
        </EmptyState>
      </Card>
    </Page>
  );
}
