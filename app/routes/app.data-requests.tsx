import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop } from "../services/shops.server";
import { listDataRequests, markDataRequestAnswered } from "../services/data-requests.server";
import { CsvDownloadButton } from "../components/CsvDownloadButton";
import { appContext } from "../context.server";

// customers/data_request webhooks, kept until the merchant answers them (Shopify does not
// read the webhook's response, so the merchant sends the customer what is held).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  return json({ requests: await listDataRequests(appContext().db, shop.id) }, { headers: { "Cache-Control": "private, no-store" } });
};

const AnsweredForm = z.object({ intent: z.literal("answered"), id: z.string().min(1).max(64) });

/** POST intent=answered&id=…: the merchant sent the data; the request is removed. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const parsed = AnsweredForm.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return json({ error: "intent must be answered, with the request's id" }, { status: 400 });
  if (!(await markDataRequestAnswered(appContext().db, shop.id, parsed.data.id)))
    return json({ error: "No data request with this id in this shop" }, { status: 404 });
  return json({ ok: true });
};

export default function DataRequests() {
  const { requests } = useLoaderData<typeof loader>();
  return (
    <Page title="Data requests" subtitle="Customers who asked Shopify for the data apps hold about them">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Banner tone="info">
              <p>
                When a customer asks your store for their data, Shopify forwards the request to each app. Download what Micro-Conversions holds for that
                customer (JSON), send it to the customer with the rest of your answer, then mark the request answered. Micro-Conversions stores no names,
                emails, phones or addresses: only storefront events linked to a customer id.
              </p>
            </Banner>
            {requests.length === 0 ? (
              <Card>
                <Text as="p" tone="subdued">
                  No open data requests.
                </Text>
              </Card>
            ) : (
              requests.map((r) => <RequestCard key={r.id} request={r} />)
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function RequestCard({ request }: { request: { id: string; customerId: string | null; orderIds: string[]; receivedAt: string } }) {
  const fetcher = useFetcher<{ ok?: boolean; error?: string }>();
  return (
    <Card>
      <section aria-label={`Data request ${request.id}`}>
        <BlockStack gap="200">
          <Text as="h2" variant="headingSm">
            {request.customerId ? `Customer ${request.customerId}` : "Customer not identified in the request"}
          </Text>
          <Text as="p" tone="subdued">
            Received {request.receivedAt.replace("T", " ").slice(0, 16)} UTC
            {request.orderIds.length > 0 ? ` · orders named: ${request.orderIds.join(", ")}` : ""}
          </Text>
          <Box>
            <InlineStack gap="200" blockAlign="center">
              <CsvDownloadButton href={`/app/data-requests/${request.id}/json`} filename={`data-request-${request.id}.json`}>
                Download what is held (JSON)
              </CsvDownloadButton>
              <fetcher.Form method="post">
                <input type="hidden" name="intent" value="answered" />
                <input type="hidden" name="id" value={request.id} />
                <Button submit loading={fetcher.state !== "idle"}>
                  Mark answered
                </Button>
              </fetcher.Form>
            </InlineStack>
          </Box>
          {fetcher.data?.error ? (
            <Text as="p" tone="critical">
              {fetcher.data.error}
            </Text>
          ) : null}
        </BlockStack>
      </section>
    </Card>
  );
}
