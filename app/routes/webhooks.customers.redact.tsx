import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { redactCustomer } from "../services/redact.server";
import { CustomerPayload, customerIdOf } from "../services/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticate.webhook(request);
  const parsed = CustomerPayload.safeParse(payload);
  if (!parsed.success) return new Response("payload.customer.id is required", { status: 400 });
  await redactCustomer(shop, customerIdOf(parsed.data));
  return new Response();
};
