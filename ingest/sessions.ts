/**
 * Server-side sessions for ingestion (pure). The pixel has no session id: a session is
 * one visitor's events with no gap over 30 minutes (core/sessionize). When events
 * arrive, only the affected stretch of the visitor's timeline is recomputed, so late
 * and out-of-order batches land in the right session.
 */
import { sessionFlags, type SessionFlags } from "../core/activity";
import { sessionize } from "../core/sessionize";
import { SESSION_GAP_MS, type CoreEvent } from "../core/types";

/** The stored fields a session's entry attributes are derived from. */
export interface SessionEventRow {
  eventId: string;
  name: string;
  ts: number;
  seq: number;
  clientId: string;
  sessionId: string;
  path: string | null;
  url: string | null;
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  device: string | null;
  customerId: string | null;
  isBot: boolean;
}

export interface SessionRow extends SessionFlags {
  id: string;
  clientId: string;
  startTs: number;
  endTs: number;
  eventCount: number;
  landingPath: string | null;
  source: string;
  medium: string | null;
  campaign: string | null;
  referrerHost: string | null;
  device: string | null;
  visitorType: "new" | "returning";
  loggedIn: boolean;
  isBot: boolean;
  /** The session holds a product_viewed event. */
  productView: boolean;
}

/**
 * The time span whose events must be reloaded to resessionize after new events in
 * [minTs, maxTs]: 30 minutes either side, widened to whole existing sessions that touch it.
 */
export function affectedSpan(minTs: number, maxTs: number, overlapping: { startTs: number; endTs: number }[]) {
  let from = minTs - SESSION_GAP_MS;
  let to = maxTs + SESSION_GAP_MS;
  for (const s of overlapping) {
    from = Math.min(from, s.startTs);
    to = Math.max(to, s.endTs);
  }
  return { from, to };
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^www\./, "").toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Traffic source of a session's first event: utm_source, else the referring host
 * (internal and Shopify checkout hosts are not referrers), else "direct".
 */
export function trafficSource(first: Pick<SessionEventRow, "utmSource" | "referrer" | "url">): { source: string; referrerHost: string | null } {
  const referrerHost = hostOf(first.referrer);
  const ownHost = hostOf(first.url);
  const external =
    referrerHost && referrerHost !== ownHost && !referrerHost.endsWith("myshopify.com") && referrerHost !== "checkout.shopify.com" ? referrerHost : null;
  const utm = first.utmSource?.trim().toLowerCase();
  return { source: utm || external || "direct", referrerHost: external };
}

/**
 * Sessions of one visitor over a span of events. `hasEarlierSession` says whether the
 * visitor had a session before the span, which decides "new" vs "returning".
 */
export function sessionsFor(events: SessionEventRow[], hasEarlierSession: boolean): SessionRow[] {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const core: CoreEvent[] = events.map((e) => ({
    id: e.eventId,
    name: "",
    ts: e.ts,
    seq: e.seq,
    visitorId: e.clientId,
    path: null,
    productId: null,
    checkoutToken: null,
    orderId: null,
    customerId: null,
    props: {},
    attrs: { device: null, source: "direct", medium: null, campaign: null, landingPath: null, visitorType: "new", loggedIn: false },
  }));
  return sessionize(core).map((s, i) => {
    const rows = s.events.map((e) => byId.get(e.id)!);
    const first = rows[0];
    const { source, referrerHost } = trafficSource(first);
    return {
      id: s.id,
      clientId: s.visitorId,
      startTs: s.start,
      endTs: s.end,
      eventCount: rows.length,
      landingPath: first.path,
      source,
      medium: first.utmMedium,
      campaign: first.utmCampaign,
      referrerHost,
      device: first.device,
      visitorType: i === 0 && !hasEarlierSession ? "new" : "returning",
      loggedIn: rows.some((r) => r.customerId !== null),
      isBot: rows.some((r) => r.isBot),
      ...sessionFlags(rows.map((r) => r.name)),
      productView: rows.some((r) => r.name === "product_viewed"),
    };
  });
}

/** Which stored events need their sessionId changed: new session id → event ids. */
export function sessionIdChanges(events: SessionEventRow[], sessions: SessionRow[]): Map<string, string[]> {
  const changes = new Map<string, string[]>();
  const sorted = [...events].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  let k = 0;
  for (const e of sorted) {
    while (k < sessions.length - 1 && e.ts > sessions[k].endTs) k++;
    const id = sessions[k].id;
    if (e.sessionId !== id) {
      const list = changes.get(id);
      if (list) list.push(e.eventId);
      else changes.set(id, [e.eventId]);
    }
  }
  return changes;
}
