import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateWebhook } from "../services/webhooks.server";
import { markUninstalled } from "../services/shops.server";
import { appContext } from "../context.server";

// Sessions are deleted and ingestion stops; data stays until shop/redact (48 h later).
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateWebhook(request);
  await markUninstalled(appContext(), shop);
  return new Response();
};
