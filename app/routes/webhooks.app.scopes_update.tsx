import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticateWebhook } from "../services/webhooks.server";
import { recordScopes } from "../services/shops.server";
import { appContext } from "../context.server";

const Payload = z.object({ current: z.array(z.string().max(100)).max(100) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticateWebhook(request);
  const parsed = Payload.safeParse(payload);
  if (!parsed.success) return new Response("payload.current must be a list of scopes", { status: 400 });
  await recordScopes(appContext(), shop, parsed.data.current);
  return new Response();
};
