import { isCheckoutEvent } from "./map";

/**
 * Events that usually come right before the visitor leaves the page (a click away, a
 * download, a form post, an add-to-cart that opens the cart page, checkout steps): sent
 * at once, because whatever is still queued when the page goes is lost with the worker.
 */
const URGENT = new Set(["product_added_to_cart", "mc:outbound_click", "mc:file_download", "mc:form_submit", "mc:wishlist_add"]);
export const isUrgent = (name: string): boolean => URGENT.has(name) || isCheckoutEvent(name);
