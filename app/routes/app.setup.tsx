import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop, syncPixel } from "../services/shops.server";
import { setupPageData } from "../services/trust/pages.server";
import { SetupChecklist } from "../components/trust/SetupChecklist";
import { CoverageCard } from "../components/trust/CoverageCard";

// Setup: the checklist (pixel, theme embed, events) and whether the pixel sees purchases.
// The loader asks Shopify for the pixel's current settings (one Admin API read).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  return json(await setupPageData(shop, admin), { headers: { "Cache-Control": "private, no-store" } });
};

// Retry / update the web pixel: the same re-sync as the Settings page.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  await readForm(request);
  const updated = await syncPixel(shop.id, admin);
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
