// Micro-Conversions web pixel. Runs in Shopify's strict sandbox (a web worker: no DOM,
// fetch available). Maps the events we care about to the compact wire format
// (docs/event-schema.md) and ships them in small batches to the ingest endpoint.
import { register } from "@shopify/web-pixels-extension";
import { CUSTOM_PREFIX, STANDARD_EVENTS, mapEvent, parseQueryParams, type CompactEvent, type RawEvent } from "./map";
import { isUrgent } from "./urgent";
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

/** Top-frame localStorage key where the theme embed finds where to send its beacons. */
export const BEACON_CONFIG_KEY = "mc:beacon";
/** customData key carrying the id the theme embed gave an event it also sent by beacon. */
export const EMBED_ID_KEY = "_mcid";

register(({ analytics, init, settings, customerPrivacy, browser }) => {
  const ingestUrl = typeof settings.ingestUrl === "string" ? settings.ingestUrl.trim() : "";
  const key = typeof settings.ingestKey === "string" ? settings.ingestKey.trim() : "";
  // The merchant's extra query parameters (Settings page), kept in url/referrer as ingestion keeps them.
  const keep = parseQueryParams(settings.queryParams);
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
      // A refusal's reason ({error}) is kept for the stats; success bodies are not needed.
      let error: string | undefined;
      if (res.status >= 400 && res.status < 500) {
        try {
          error = String((await res.json()).error ?? "").slice(0, 200) || undefined;
        } catch {
          error = undefined;
        }
      }
      return { status: res.status, retryAfter: res.headers.get("Retry-After"), error };
    },
  });

  const stats = Object.defineProperty(queue.stats, "discarded", { get: () => discarded, enumerable: true });

  // The theme embed beacons events that precede a navigation straight from the page
  // (navigator.sendBeacon outlives it; this worker does not). It learns where to send
  // them, and the visitor's id, from this entry in the storefront's localStorage — written
  // only while analytics consent is given, removed when it is withdrawn, and holding no
  // personal data (the ingest key is a public shop identifier).
  let advertised = "";
  const advertise = (clientId: string): void => {
    const value = JSON.stringify({ u: ingestUrl, s: shop, k: key, c: clientId });
    if (value === advertised) return;
    advertised = value;
    browser?.localStorage?.setItem(BEACON_CONFIG_KEY, value).catch(() => undefined);
  };
  const withdraw = (): void => {
    advertised = "";
    browser?.localStorage?.removeItem(BEACON_CONFIG_KEY).catch(() => undefined);
  };

  const handle = (event: RawEvent): void => {
    // Captured without consent = gone for good; it is never queued for later.
    if (!allowed || !ingestUrl || !shop || !key) {
      discarded++;
      return;
    }
    const record = mapEvent(event, customerId, keep);
    if (!record) return;
    advertise(record.clientId);
    // Same id as the embed's beacon copy, so the server stores the event once.
    const embedId = record.props?.[EMBED_ID_KEY];
    if (record.props && EMBED_ID_KEY in record.props) {
      delete record.props[EMBED_ID_KEY];
      if (!Object.keys(record.props).length) delete record.props;
    }
    if (typeof embedId === "string" && embedId.length >= 8 && embedId.length <= 128) record.id = embedId;
    queue.push(record, isUrgent(record.name));
  };

  if (!allowed) withdraw();
  customerPrivacy.subscribe("visitorConsentCollected", (e: { customerPrivacy?: Privacy }) => {
    allowed = e?.customerPrivacy?.analyticsProcessingAllowed === true;
    // Withdrawn consent also covers what is still waiting to be sent.
    if (!allowed) {
      discarded += queue.clear();
      withdraw();
    }
  });

  for (const name of STANDARD_EVENTS) analytics.subscribe(name, handle as (e: unknown) => void);
  analytics.subscribe("all_custom_events", ((e: RawEvent) => {
    if (typeof e?.name === "string" && e.name.startsWith(CUSTOM_PREFIX)) handle(e);
  }) as (e: unknown) => void);

  const api: PixelHandle = { stats: stats as PixelHandle["stats"], flush: queue.flush, idle: queue.idle };
  return api;
});
