/**
 * The simulator's journeys as the server would store them, in memory: the pixel's own
 * mapping (extensions/web-pixel/src/map.ts), ingestion's row rules (ingest/normalize.ts)
 * and sessions with their entry attributes (ingest/sessions.ts), as the pure core reads
 * them. Lets tests run the diagnosis on thousands of simulated days without HTTP.
 * Visitors without analytics consent send nothing, so they are left out.
 *
 * `storedEvents` runs the real mapping and row rules (about 0.2 ms an event);
 * `simulatedCoreEvents` reads the few fields the funnel needs straight from the journeys,
 * about 50 times faster, for runs of a million events. A test holds the two equal.
 */
import { mapEvent, type RawEvent } from "../../extensions/web-pixel/src/map";
import { toRow, type EventRow } from "../../ingest/normalize";
import { keepText } from "../../core/privacy";
import { sessionsFor } from "../../ingest/sessions";
import type { CoreEvent, EntryAttributes } from "../../core/types";
import type { SimulatedVisitor } from "./simulation";

export function storedEvents(visitors: readonly SimulatedVisitor[]): CoreEvent[] {
  const out: CoreEvent[] = [];
  for (const v of visitors) {
    if (!v.consent || v.events.length === 0) continue;
    const rows: EventRow[] = [];
    for (const e of v.events) {
      const compact = mapEvent(e as RawEvent, v.customerId ?? undefined);
      if (!compact) continue;
      // Received as it happened: the clock rules accept every simulated event.
      const result = toRow(compact as Parameters<typeof toRow>[0], {
        shopId: 1,
        receivedAt: Date.parse(compact.ts),
        isBot: false,
        maxAgeMs: Number.POSITIVE_INFINITY,
      });
      if ("row" in result) rows.push(result.row);
    }
    withSessions(rows, out);
  }
  return out;
}

type Obj = Record<string, any>;
const numericId = (gid: unknown): string | null => (typeof gid === "string" ? (/\/(\d+)$/.exec(gid)?.[1] ?? null) : null);
const deviceCache = new Map<string, string>();
/** The simulator's three user agents, read as the pixel reads them (map.ts deviceOf). */
const deviceOf = (ua: string): string => {
  let d = deviceCache.get(ua);
  if (d === undefined) deviceCache.set(ua, (d = /iPad/.test(ua) ? "tablet" : /iPhone/.test(ua) ? "mobile" : "desktop"));
  return d;
};

const pathCache = new Map<string, string | null>();
function keptPath(path: string): string | null {
  let kept = pathCache.get(path);
  if (kept === undefined) {
    kept = keepText(path) ?? null;
    if (!path.startsWith("/checkouts/")) pathCache.set(path, kept);
  }
  return kept;
}

/** The same events as `storedEvents`, read straight from the simulator's journeys (which it alone produces). */
export function simulatedCoreEvents(visitors: readonly SimulatedVisitor[]): CoreEvent[] {
  const out: CoreEvent[] = [];
  for (const v of visitors) withSessions(simulatedEventRows(v), out);
  return out;
}

/** One visitor's events as the rows ingestion would store (none without consent). */
export function simulatedEventRows(v: SimulatedVisitor): EventRow[] {
  if (!v.consent) return [];
  return v.events.map((e) => {
    const loc = (e.context as Obj).document.location;
    const data = (e as Obj).data as Obj | undefined;
    const custom = (e as Obj).customData as Obj | undefined;
    const search = loc.search ? new URLSearchParams(loc.search) : null;
    const ua = (e.context as Obj).navigator.userAgent as string;
    const product = e.name === "product_viewed" ? data?.productVariant?.product?.id : data?.cartLine?.merchandise?.product?.id;
    const checkout = data?.checkout;
    return {
      shopId: 1,
      eventId: e.id,
      name: e.name,
      ts: Date.parse(e.timestamp),
      seq: e.seq,
      clientId: e.clientId,
      sessionId: "",
      // The privacy scrub drops a path that looks personal (a checkout token can).
      path: keptPath(loc.pathname),
      url: loc.origin + loc.pathname + loc.search,
      referrer: (e.context as Obj).document.referrer || null,
      utmSource: search?.get("utm_source") ?? null,
      utmMedium: search?.get("utm_medium") ?? null,
      utmCampaign: search?.get("utm_campaign") ?? null,
      device: deviceOf(ua),
      productId: numericId(product),
      variantId: null,
      quantity: null,
      value: null,
      currency: null,
      checkoutToken: checkout?.token ?? null,
      orderId: e.name === "checkout_completed" ? numericId(checkout?.order?.id) : null,
      customerId: numericId(v.customerId),
      props: custom ? (custom as never) : null,
      isBot: false,
      dedupeKey: null,
      receivedAt: 0,
    } as EventRow;
  });
}

/** One visitor's rows → core events carrying their session's entry attributes. */
function withSessions(rows: EventRow[], out: CoreEvent[]): void {
  if (rows.length === 0) return;
  rows.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  const sessions = sessionsFor(rows, false);
  let k = 0;
  for (const r of rows) {
    while (k < sessions.length - 1 && r.ts > sessions[k].endTs) k++;
    const s = sessions[k];
    const attrs: EntryAttributes = {
      device: (s.device as EntryAttributes["device"]) ?? null,
      source: s.source,
      medium: s.medium,
      campaign: s.campaign,
      landingPath: s.landingPath,
      visitorType: s.visitorType,
      loggedIn: s.loggedIn,
    };
    out.push({
      id: r.eventId,
      name: r.name,
      ts: r.ts,
      seq: r.seq,
      visitorId: r.clientId,
      path: r.path,
      productId: r.productId,
      checkoutToken: r.checkoutToken,
      orderId: r.orderId,
      customerId: r.customerId,
      props: typeof r.props === "string" ? JSON.parse(r.props) : (r.props ?? {}),
      attrs,
    });
  }
}
