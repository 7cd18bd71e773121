/**
 * Pure parts of the audience → Shopify customer-tag sync: who to tag and untag, ids,
 * the segment query, and how long to back off when Shopify throttles.
 */

/**
 * The work of one run. `desired` = the audience's identified customers now;
 * `tagged` = who the last completed run left tagged; `rejected` = ids Shopify refused
 * with a user error before (not sent again until they leave and re-enter).
 * Re-running with nothing changed gives empty `add` and `remove`: nobody is tagged twice,
 * and only customers who left the audience are untagged.
 */
export function planSync(desired: readonly string[], tagged: readonly string[], rejected: readonly string[] = []) {
  const want = new Set(desired);
  const have = new Set(tagged);
  const refused = new Set(rejected);
  const add = [...want].filter((id) => !have.has(id) && !refused.has(id)).sort();
  const remove = [...have].filter((id) => !want.has(id)).sort();
  const keep = [...have].filter((id) => want.has(id)).sort();
  const skipped = [...want].filter((id) => !have.has(id) && refused.has(id)).sort();
  return { add, remove, keep, skipped };
}

/** The Admin API id of a customer: numeric ids become gids, gids pass through. */
export function customerGid(id: string): string {
  return id.startsWith("gid://") ? id : `gid://shopify/Customer/${id}`;
}

/**
 * What the merchant pastes into Shopify admin → Customers → Segments. Tags are limited
 * to characters that need no escaping (see TAG_PATTERN), quotes escaped regardless.
 */
export function segmentQuery(tag: string): string {
  return `customer_tags CONTAINS '${tag.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Tags the sync writes: letters, digits, space, - _ . : ; 1–40 characters, starting with a letter or digit. */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,39}$/;

/** "Carted, not bought!" → "mc-carted-not-bought". */
export function defaultTag(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 36)
    .replace(/-+$/, "");
  return `mc-${slug || "audience"}`;
}

/** Shopify's leaky bucket as reported in `extensions.cost.throttleStatus`. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export const MIN_BACKOFF_MS = 250;
export const MAX_BACKOFF_MS = 8_000;

/**
 * How long to wait before retrying a throttled or failed call (attempt = 1 for the
 * first retry): the time Shopify's bucket needs to refill the call's cost at its
 * restore rate when the answer says so (GraphQL THROTTLED carries throttleStatus), never
 * less than an exponential floor (250 ms, 500 ms, 1 s, 2 s…) and at least 1 s when
 * there is no bucket information (HTTP 429 / 5xx through the client), at most 8 s.
 */
export function throttleDelayMs(attempt: number, cost: number, status: ThrottleStatus | null): number {
  const floor = MIN_BACKOFF_MS * 2 ** Math.max(0, attempt - 1);
  const refill = status && status.restoreRate > 0 ? (Math.max(0, cost - status.currentlyAvailable) / status.restoreRate) * 1000 : 1000;
  return Math.min(MAX_BACKOFF_MS, Math.max(floor, Math.ceil(refill)));
}

/**
 * Proactive pacing after a successful call: if the bucket holds less than two more calls
 * of this cost, wait until it does, so a long run does not hit THROTTLED at all.
 */
export function pacingDelayMs(cost: number, status: ThrottleStatus | null): number {
  if (!status || status.restoreRate <= 0) return 0;
  const missing = 2 * cost - status.currentlyAvailable;
  return missing > 0 ? Math.min(MAX_BACKOFF_MS, Math.ceil((missing / status.restoreRate) * 1000)) : 0;
}
