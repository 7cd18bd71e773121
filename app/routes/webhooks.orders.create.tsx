import type { ActionFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";
import { authenticateWebhook } from "../services/webhooks.server";
import { parseOrderPayload } from "../services/trust/order-payload";
import { recordOrder } from "../services/trust/orders.server";

// orders/create → one Order row (reconciliation only: did the pixel see this purchase?).
// Bad or missing HMAC → 401 (authenticateWebhook); a payload we cannot read → 400 with the
// reason; a redelivery of a stored order → 200 and nothing changes.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticateWebhook(request);
  const parsed = parseOrderPayload(payload);
  if (!parsed.ok) return new Response(parsed.error, { status: 400 });
  await recordOrder(appContext().db, shop, parsed.order);
  return new Response();
};
