import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { appContext } from "../context.server";
import { csvResponse } from "../services/csv-exports.server";
import { csvFilename, funnelCsv, funnelReport, parseReportTable } from "../services/funnel-report.server";
import { RequestError } from "../services/request-error";

/**
 * CSV download: GET /app/funnels/:id/csv?table=steps|breakdown|trend|diagnosis|paths plus the report's
 * parameters. Same numbers as the JSON API (both come from one view model).
 */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const search = new URL(request.url).searchParams;
    const table = parseReportTable(search);
    const report = await funnelReport(appContext().reports, shop, params.id ?? "", search, { diagnosis: table === "diagnosis" || table === "paths" });
    return csvResponse(funnelCsv(report, table), csvFilename(report, table));
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};
