import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { csvFilename, funnelReport, parseReportTable, reportCsv } from "../services/funnel-report.server";
import { RequestError } from "../services/request-error";

/**
 * CSV download: GET /app/funnels/:id/csv?table=steps|breakdown|trend|diagnosis|paths plus the report's
 * parameters. Same numbers as the JSON API (both come from one view model).
 */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  try {
    const search = new URL(request.url).searchParams;
    const table = parseReportTable(search);
    const report = await funnelReport(shop, params.id ?? "", search, { diagnosis: table === "diagnosis" || table === "paths" });
    return new Response(reportCsv(report, table), {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${csvFilename(report, table)}"`,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};
