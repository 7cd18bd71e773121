/**
 * orders/create is a webhook topic with protected customer data: Shopify refuses to
 * subscribe an app to it until the app has protected customer data access (Level 1 is
 * enough). Declared in shopify.app.toml, that refusal fails `shopify app deploy` for the
 * whole app; made per shop here at install, it fails for this one feature (order
 * reconciliation), is stored on the shop and shown in Setup with what to request, and is
 * retried from Setup. Shopify drops shop-specific subscriptions on uninstall.
 */
import { adminQuery, type AdminGraphql } from "./admin-graphql.server";

const CREATE = `#graphql
mutation OrdersWebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id }
    userErrors { field message }
  }
}`;

export type OrdersWebhookResult = { state: "subscribed" } | { state: "refused"; error: string } | { state: "pending"; error: string };

/** Shopify's userError when the app lacks protected customer data access. */
export const PROTECTED_DATA_REFUSAL = /not approved to .*protected customer data|not approved to access the Customer object/i;

/** Never throws: the install goes on without reconciliation, and Setup says why. */
export async function registerOrdersWebhook(admin: AdminGraphql, uri: string): Promise<OrdersWebhookResult> {
  try {
    const data = await adminQuery<{ webhookSubscriptionCreate: { webhookSubscription: { id: string } | null; userErrors: { message: string }[] } }>(
      admin,
      CREATE,
      { topic: "ORDERS_CREATE", webhookSubscription: { uri, format: "JSON" } },
    );
    const { webhookSubscription, userErrors } = data.webhookSubscriptionCreate;
    if (webhookSubscription) return { state: "subscribed" };
    const message = userErrors.map((e) => e.message).join("; ");
    // Already subscribed (a re-auth after a lost write): what we wanted.
    if (/already been taken/i.test(message)) return { state: "subscribed" };
    if (PROTECTED_DATA_REFUSAL.test(message)) return { state: "refused", error: message };
    return { state: "pending", error: message || "webhookSubscriptionCreate returned no subscription" };
  } catch (error) {
    return { state: "pending", error: (error instanceof Error ? error.message : String(error)).slice(0, 500) };
  }
}
