import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { appContext } from "../context.server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { funnelReport } from "../services/funnel-report.server";
import { shopAlerts } from "../services/step-alarm-pages.server";
import { RequestError } from "../services/request-error";

/**
 * JSON report API: GET /app/funnels/:id/report?range=…&from=…&to=…&compare=on&breakdown=…&trend=day|week&diagnose=k
 * Session-token authenticated like every admin request; the body is exactly what the
 * report page renders. Bad parameters → 400, a funnel that is not this shop's → 404,
 * both as { error }.
 */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const report = await funnelReport(appContext().reports, shop, params.id ?? "", new URL(request.url).searchParams, { diagnosis: true });
    // The step alarm's open alerts on this funnel (history: /app/alerts).
    const alerts = await shopAlerts(appContext(), shop, { status: "open", funnelId: report.funnel.id });
    return json({ ...report, alerts }, { headers: { "Cache-Control": "private, no-store" } });
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};
