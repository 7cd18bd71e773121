import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { dataRequestExport, DataRequestNotFound } from "../services/data-requests.server";
import { appContext } from "../context.server";

/** GET /app/data-requests/:id/json — what the app holds for the request's customer, as a file. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const body = await dataRequestExport(appContext().db, shop.id, params.id ?? "");
    return new Response(JSON.stringify(body, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="data-request-${body.request.id}.json"`,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof DataRequestNotFound) return json({ error: e.message }, { status: 404 });
    throw e;
  }
};
