import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { audienceCsv, audienceReport, csvFilename } from "../services/audiences/audiences.server";
import { RequestError } from "../services/request-error";
import { csvResponse } from "../services/csv-exports.server";
import { appContext } from "../context.server";

/** GET /app/audiences/:id/csv — every identified customer of the audience now, in the page's order. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const report = await audienceReport(appContext().db, shop.id, params.id ?? "");
    return csvResponse(audienceCsv(report, shop.domain), csvFilename(report.audience, report.now));
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};
