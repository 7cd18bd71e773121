import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { coveragePageData } from "../services/trust/pages.server";
import { RequestError } from "../services/request-error";
import { coverageCsv, coverageCsvFilename, csvResponse } from "../services/csv-exports.server";
import { appContext } from "../context.server";

/** CSV download: GET /app/coverage/csv?range=…&from=…&to=… — the Coverage page's days and total. A bad range → 400 { error }. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const data = await coveragePageData(appContext().db, shop, new URL(request.url).searchParams);
    return csvResponse(coverageCsv(data), coverageCsvFilename(data));
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: 400 });
    throw e;
  }
};
