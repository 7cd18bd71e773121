import { authenticate } from "../shopify.server";

/**
 * Where each topic's payload names its shop (Shopify's payloads: the compliance topics
 * carry shop_id + shop_domain; app/uninstalled is the Shop resource, whose `domain` may
 * be a custom domain, so myshopify_domain is compared). orders/create and
 * app/scopes_update name no shop.
 */
const SHOP_FIELD: Record<string, "shop_domain" | "myshopify_domain"> = {
  "shop/redact": "shop_domain",
  "customers/redact": "shop_domain",
  "customers/data_request": "shop_domain",
  "app/uninstalled": "myshopify_domain",
};

const badRequest = (message: string) => new Response(message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/**
 * authenticate.webhook, plus what the signature does not prove. The HMAC covers the body
 * only, and every shop's webhooks are signed with the same app secret, so a body signed
 * for one shop or topic could be replayed with another shop's headers or to another
 * route. Hence, before any route acts (each answer is thrown):
 * - no HMAC header → 401 (the library says 400), a wrong one → 401;
 * - a body that is not a JSON object → 400 (the library would throw: 500);
 * - X-Shopify-Topic must be the route's topic (the path after /webhooks/, as in shopify.app.toml) → else 400;
 * - a shop named in the body (shop_domain / myshopify_domain; required where the topic's
 *   payload has one) must be X-Shopify-Shop-Domain → else 400.
 */
export async function authenticateWebhook(request: Request) {
  if (!request.headers.get("x-shopify-hmac-sha256")) {
    throw new Response("Missing webhook signature", { status: 401 });
  }
  const raw = await request.clone().text();
  let body: unknown;
  let isJson = true;
  try {
    body = JSON.parse(raw);
  } catch {
    isJson = false;
  }
  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(request);
  } catch (e) {
    // The library parses the body only after the signature checked out.
    if (!isJson && e instanceof SyntaxError) throw badRequest("webhook body is not JSON");
    throw e;
  }
  if (!isJson) throw badRequest("webhook body is not JSON");
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("webhook body must be a JSON object");

  const routeTopic = new URL(request.url).pathname.replace(/^\/webhooks\//, "").replace(/\/$/, "");
  const headerTopic = request.headers.get("x-shopify-topic") ?? "";
  if (headerTopic.toLowerCase() !== routeTopic) {
    throw badRequest(`X-Shopify-Topic "${headerTopic.slice(0, 100)}" does not match this endpoint's topic ${routeTopic}`);
  }

  const shop = context.shop;
  const fields = body as Record<string, unknown>;
  const required = SHOP_FIELD[routeTopic];
  if (required && fields[required] === undefined) throw badRequest(`payload.${required} is required for ${routeTopic}`);
  for (const field of ["shop_domain", "myshopify_domain"] as const) {
    if (fields[field] !== undefined && (typeof fields[field] !== "string" || fields[field].toLowerCase() !== shop.toLowerCase())) {
      throw badRequest(`payload.${field} does not match X-Shopify-Shop-Domain`);
    }
  }
  if (
    fields.shop_id !== undefined &&
    !(typeof fields.shop_id === "number" && Number.isSafeInteger(fields.shop_id) && fields.shop_id > 0) &&
    !(typeof fields.shop_id === "string" && /^\d{1,20}$/.test(fields.shop_id))
  ) {
    throw badRequest("payload.shop_id must be a shop id");
  }
  return context;
}
