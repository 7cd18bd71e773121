import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateWebhook } from "../services/webhooks.server";
import { customerDataSummary } from "../services/redact.server";
import { CustomerPayload, customerIdOf } from "../services/compliance.server";

// We store no names, emails, phones or addresses: only the events linked to a customer id.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticateWebhook(request);
  const parsed = CustomerPayload.safeParse(payload);
  if (!parsed.success) return new Response("payload.customer.id is required", { status: 400 });
  const held = await customerDataSummary(shop, customerIdOf(parsed.data));
  return json({ shop, customerId: customerIdOf(parsed.data), held });
};
