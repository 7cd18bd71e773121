import type { ActionFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";
import { authenticateWebhook } from "../services/webhooks.server";
import { redactCustomer } from "../services/redact.server";
import { CustomerPayload, customerIdOf } from "../services/compliance.server";

// A well-formed (signed) request is answered 200 whatever it contains: a 4xx only makes
// Shopify retry a request that can never succeed. Without a usable customer id there is
// nothing linked to redact (orders_to_redact: Order rows hold no customer data); it is
// logged. Redacting twice changes nothing.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticateWebhook(request);
  const parsed = CustomerPayload.safeParse(payload);
  if (!parsed.success) {
    console.warn(`[webhook] customers/redact ${shop}: no usable customer.id; nothing to redact`);
    return new Response();
  }
  const unlinked = await redactCustomer(appContext().db, shop, customerIdOf(parsed.data));
  console.log(`[webhook] customers/redact ${shop}: ${unlinked} event(s) unlinked`);
  return new Response();
};
