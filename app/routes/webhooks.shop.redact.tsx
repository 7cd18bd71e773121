import type { ActionFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";
import { authenticateWebhook } from "../services/webhooks.server";
import { deleteShopData } from "../services/redact.server";

// Sent 48 h after uninstall: every row of the shop goes, in every table.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateWebhook(request);
  await deleteShopData(appContext(), shop);
  return new Response();
};
