/**
 * The standard Shopify pixel events the app captures, shared by the web pixel (which
 * forwards them) and the ingest endpoint (which accepts them). Custom events from the
 * theme embed carry the `mc:` prefix.
 */
export const STANDARD_EVENTS = [
  "page_viewed",
  "product_viewed",
  "collection_viewed",
  "search_submitted",
  "product_added_to_cart",
  "product_removed_from_cart",
  "cart_viewed",
  "checkout_started",
  "checkout_contact_info_submitted",
  "checkout_address_info_submitted",
  "checkout_shipping_info_submitted",
  "payment_info_submitted",
  "checkout_completed",
] as const;

export const CUSTOM_PREFIX = "mc:";
