import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateWebhook } from "../services/webhooks.server";
import { redactCustomer } from "../services/redact.server";
import { CustomerPayload, customerIdOf } from "../services/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticateWebhook(request);
  const parsed = CustomerPayload.safeParse(payload);
  if (!parsed.success) return new Response("payload.customer.id is required", { status: 400 });
  await redactCustomer(shop, customerIdOf(parsed.data));
  return new Response();
};
