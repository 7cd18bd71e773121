// Micro-Conversions web pixel. Runs in Shopify's strict sandbox (a web worker: no DOM,
// fetch available). Maps the events we care about to the compact wire format
// (docs/event-schema.md) and ships them in small batches to the ingest endpoint.
import { register } from "@shopify/web-pixels-extension";
import { CUSTOM_PREFIX, STANDARD_EVENTS, isCheckoutEvent, mapEvent, type CompactEvent, type RawEvent } from "./map";
import { createQueue, type Queue, type QueueStats } from "./queue";

/** What the register callback returns. Shopify ignores it; the test harness reads it. */
export interface PixelHandle {
  readonly stats: QueueStats & { discarded: number };
  flush(): void;
  idle(): Promise<void>;
}

interface Privacy {
  analyticsProcessingAllowed?: boolean;
}

register(({ analytics, init, settings, customerPrivacy }) => {
  const ingestUrl = typeof settings.ingestUrl === "string" ? settings.ingestUrl.trim() : "";
  const key = typeof settings.ingestKey === "string" ? settings.ingestKey.trim() : "";
  const shop = init.data?.shop?.myshopifyDomain;
  // Only the id: the customer object also holds name/email/phone, which we never read.
  const customerId = init.data?.customer?.id;
  const ua = init.context?.navigator?.userAgent;

  // Shopify only loads the pixel when the toml's consent requirements are met, but the
  // visitor can decide later on the same page; the live state is what counts.
  let allowed = init.customerPrivacy?.analyticsProcessingAllowed === true;
  let discarded = 0;

  const queue: Queue<CompactEvent> = createQueue<CompactEvent>({
    // consent: the state this batch was captured under (ingestion stores nothing without analytics).
    encode: (events) => JSON.stringify({ v: 1, shop, key, ua, consent: { analytics: allowed }, events }),
    post: async (body) => {
      // text/plain keeps this a CORS "simple request" (no preflight); keepalive lets the
      // request outlive the page (Shopify web pixels docs: sendBeacon is deprecated).
      const res = await fetch(ingestUrl, {
        method: "POST",
        keepalive: true,
        headers: { "Content-Type": "text/plain" },
        body,
      });
      return { status: res.status, retryAfter: res.headers.get("Retry-After") };
    },
  });

  const stats = Object.defineProperty(queue.stats, "discarded", { get: () => discarded, enumerable: true });

  const handle = (event: RawEvent): void => {
    // Captured without consent = gone for good; it is never queued for later.
    if (!allowed || !ingestUrl || !shop || !key) {
      discarded++;
      return;
    }
    const record = mapEvent(event, customerId);
    if (record) queue.push(record, isCheckoutEvent(record.name));
  };

  customerPrivacy.subscribe("visitorConsentCollected", (e: { customerPrivacy?: Privacy }) => {
    allowed = e?.customerPrivacy?.analyticsProcessingAllowed === true;
    // Withdrawn consent also covers what is still waiting to be sent.
    if (!allowed) discarded += queue.clear();
  });

  for (const name of STANDARD_EVENTS) analytics.subscribe(name, handle as (e: unknown) => void);
  analytics.subscribe("all_custom_events", ((e: RawEvent) => {
    if (typeof e?.name === "string" && e.name.startsWith(CUSTOM_PREFIX)) handle(e);
  }) as (e: unknown) => void);

  const api: PixelHandle = { stats: stats as PixelHandle["stats"], flush: queue.flush, idle: queue.idle };
  return api;
});
