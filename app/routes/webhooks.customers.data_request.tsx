import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateWebhook } from "../services/webhooks.server";
import { appContext } from "../context.server";
import { parseDataRequest, recordDataRequest } from "../services/data-requests.server";

// Shopify ignores the response body: the request is stored and shown to the merchant on
// the Data requests page, with a download of what is held. A well-formed (signed)
// request is answered 200 whatever it contains, so Shopify does not retry it.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload, webhookId } = await authenticateWebhook(request);
  const input = parseDataRequest(payload);
  const outcome = await recordDataRequest(appContext().db, shop, input, webhookId);
  console.log(`[webhook] customers/data_request ${shop}: ${outcome}${input.customerId ? "" : " (no customer id)"}, ${input.orderIds.length} order(s)`);
  return new Response();
};
