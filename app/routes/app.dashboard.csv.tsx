import type { LoaderFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { dashboard } from "../services/dashboard.server";
import { csvResponse, dashboardCsv } from "../services/csv-exports.server";

/** CSV download: GET /app/dashboard/csv — the dashboard's figures (last 30 days, previous period, tracking, main funnel's leak). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const view = await dashboard(appContext().reports, shop);
  return csvResponse(dashboardCsv(view, Date.now()), `dashboard-${view.range.fromDate}-to-${view.range.toDate}.csv`);
};
