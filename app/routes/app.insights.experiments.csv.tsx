import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { experimentsReport } from "../services/insights/experiments.server";
import { experimentsCsv } from "../services/insights/csv.server";
import { csvResponse } from "../services/csv-exports.server";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

/** CSV download: GET /app/insights/experiments/csv plus the page's parameters (range, funnel, mde, alpha, power). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const now = Date.now();
    const view = await experimentsReport(appContext().db, shop, new URL(request.url).searchParams, now);
    return csvResponse(experimentsCsv(view, now), `experiments-${view.range.fromDate}-to-${view.range.toDate}.csv`);
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
};
