import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { audienceCsv, audienceReport, csvFilename } from "../services/audiences/audiences.server";
import { RequestError } from "../services/request-error";

/** GET /app/audiences/:id/csv — every identified customer of the audience now, in the page's order. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  try {
    const report = await audienceReport(shop.id, params.id ?? "");
    return new Response(audienceCsv(report, shop.domain), {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${csvFilename(report.audience, report.now)}"`,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};
