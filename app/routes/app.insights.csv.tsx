import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { insightsReport } from "../services/insights/insights.server";
import { insightsCsv, parseInsightsCsvTable } from "../services/insights/csv.server";
import { csvResponse } from "../services/csv-exports.server";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

/**
 * CSV download: GET /app/insights/csv?table=value|planner plus the page's parameters
 * (range, goal, mde, alpha, power). Same view model as the page.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const search = new URL(request.url).searchParams;
  try {
    const table = parseInsightsCsvTable(search);
    const now = Date.now();
    const view = await insightsReport(appContext().db, shop, search, now);
    const name = table === "value" ? `insights-micro-value-${view.range.fromDate}-to-${view.range.toDate}.csv` : `insights-planner-${view.range.toDate}.csv`;
    return csvResponse(insightsCsv(view, table, now), name);
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
};
