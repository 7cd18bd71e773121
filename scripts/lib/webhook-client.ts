/**
 * Sends webhooks to the app the way Shopify does: the JSON body signed with the app's
 * API secret (HMAC-SHA256, base64, X-Shopify-Hmac-Sha256) and the headers Shopify sets.
 * For the demo script; tests sign with their own helper (test/helpers/shopify-auth.ts)
 * so that neither can hide a mistake in the other.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface WebhookTarget {
  /** The app's base URL, e.g. http://localhost:3000 (topic "orders/create" → /webhooks/orders/create). */
  appUrl: string;
  /** SHOPIFY_API_SECRET of the running app. */
  secret: string;
  apiVersion?: string;
}

export interface WebhookDelivery {
  topic: string;
  shop: string;
  payload: unknown;
}

export function signWebhookBody(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

/**
 * One delivery. Like Shopify, retries (here: up to `attempts` times, shortly apart) on
 * network errors and 5xx; any other answer is final. Resolves with the last status.
 */
export async function sendWebhook(target: WebhookTarget, delivery: WebhookDelivery, attempts = 3): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(delivery.payload);
  const headers = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": delivery.topic,
    "X-Shopify-Shop-Domain": delivery.shop,
    "X-Shopify-API-Version": target.apiVersion ?? "2025-10",
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Event-Id": randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
    "X-Shopify-Hmac-Sha256": signWebhookBody(body, target.secret),
    "User-Agent": "Shopify-Captain-Hook",
  };
  const url = new URL(`/webhooks/${delivery.topic}`, target.appUrl).toString();
  let last: { status: number; body: string } = { status: 0, body: "" };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(url, { method: "POST", headers, body });
      last = { status: res.status, body: await res.text() };
      if (res.status < 500) return last;
    } catch (e) {
      last = { status: 0, body: e instanceof Error ? e.message : String(e) };
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
  return last;
}

/** Many deliveries, `concurrency` at a time; returns the statuses in input order. */
export async function sendWebhooks(target: WebhookTarget, deliveries: WebhookDelivery[], concurrency = 8): Promise<number[]> {
  const statuses: number[] = new Array(deliveries.length);
  let next = 0;
  const worker = async () => {
    while (next < deliveries.length) {
      const i = next++;
      statuses[i] = (await sendWebhook(target, deliveries[i])).status;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, deliveries.length) }, worker));
  return statuses;
}
