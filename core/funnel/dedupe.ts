/**
 * Duplicate removal, so that nothing counts twice (pixel retries, reloaded thank-you
 * pages, several checkout_started for one checkout).
 */
import { compareEvents } from "../sessionize";
import type { CoreEvent } from "../types";

/** Standard event merged by checkout token. */
export const CHECKOUT_STARTED = "checkout_started";
/** Standard event merged by order id. */
export const CHECKOUT_COMPLETED = "checkout_completed";

/**
 * Returns the events sorted by (ts, seq, id) with duplicates removed:
 * - the same event id is kept once;
 * - `checkout_started` events sharing a checkoutToken are one checkout;
 * - `checkout_completed` events sharing an orderId are one purchase.
 * In each case the earliest by (ts, seq, id) is kept, so the result does not depend on
 * input order. Events without a token / order id are never merged by that rule.
 * Tokens and order ids are compared across the whole input (they are shop-wide ids).
 */
export function dedupeEvents(events: readonly CoreEvent[]): CoreEvent[] {
  const sorted = [...events].sort(compareEvents);
  const seenIds = new Set<string>();
  const seenCheckouts = new Set<string>();
  const seenOrders = new Set<string>();
  const kept: CoreEvent[] = [];
  for (const e of sorted) {
    if (seenIds.has(e.id)) continue;
    seenIds.add(e.id);
    if (isRepeat(e, CHECKOUT_STARTED, e.checkoutToken, seenCheckouts)) continue;
    if (isRepeat(e, CHECKOUT_COMPLETED, e.orderId, seenOrders)) continue;
    kept.push(e);
  }
  return kept;
}

/** True when `e` is a `name` event whose `key` was already seen; records the key otherwise. */
function isRepeat(e: CoreEvent, name: string, key: string | null, seen: Set<string>): boolean {
  if (e.name !== name || key === null) return false;
  if (seen.has(key)) return true;
  seen.add(key);
  return false;
}
