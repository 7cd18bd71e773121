import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop, syncOrdersWebhook, syncPixel } from "../services/shops.server";
import { setupPageData } from "../services/trust/pages.server";
import { SetupChecklist } from "../components/trust/SetupChecklist";
import { CoverageCard } from "../components/trust/CoverageCard";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Setup" }];

// Setup: the checklist (pixel, theme embed, events) and whether the pixel sees purchases.
// The loader asks Shopify for the pixel's current settings (one Admin API read).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  let shop = await requireShop(appContext(), session.shop);
  // Installed before orders/create was subscribed per shop, or a failed attempt: try once more.
  if (shop.ordersWebhook === "pending") shop = await syncOrdersWebhook(appContext(), shop.id, admin);
  return json(await setupPageData(appContext().db, shop, admin), { headers: { "Cache-Control": "private, no-store" } });
};

// Retry / update the web pixel (the same re-sync as the Settings page), or with
// intent=orders-webhook the orders/create subscription (after protected data was granted).
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const intent = (await readForm(request)).get("intent");
  if (intent === "orders-webhook") {
    const row = await syncOrdersWebhook(appContext(), shop.id, admin);
    return json({ ok: row.ordersWebhook === "subscribed", ordersWebhook: row.ordersWebhook, ordersWebhookError: row.ordersWebhookError });
  }
  const updated = await syncPixel(appContext(), shop.id, admin);
  return json({ ok: updated.pixelStatus === "created", pixelStatus: updated.pixelStatus, pixelError: updated.pixelError });
};

export default function SetupPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page title="Setup" subtitle="Is everything connected, and how much of your store do the reports see?">
      <Layout>
        <Layout.Section>
          <SetupChecklist checklist={data.checklist} />
        </Layout.Section>
        <Layout.Section>
          <CoverageCard coverage={data.coverage} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
