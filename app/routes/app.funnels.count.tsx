import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { appContext } from "../context.server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { CountRequestError, draftCounts } from "../services/funnel-builder.server";

/**
 * GET /app/funnels/count?draft=<JSON { unit, windowMinutes, steps }>: the builder's live
 * count per step over the shop's last 30 days. Bad input → 400 { error }.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    return json(await draftCounts(appContext(), shop, new URL(request.url).searchParams.get("draft")), { headers: { "Cache-Control": "private, no-store" } });
  } catch (e) {
    if (e instanceof CountRequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};
