import { authenticate } from "../shopify.server";

/**
 * authenticate.webhook, with one difference: a request with no HMAC header at all is
 * answered 401 (unauthenticated) like a wrong HMAC, not 400 (malformed) as the library does.
 */
export async function authenticateWebhook(request: Request) {
  if (!request.headers.get("x-shopify-hmac-sha256")) {
    throw new Response("Missing webhook signature", { status: 401 });
  }
  return authenticate.webhook(request);
}
