import type { CoreEvent, EntryAttributes, FunnelUnit } from "../../core/types";
import type { Db } from "../../db/prisma";

/** Bounds for loading one report's events (epoch ms). */
export interface EventWindow {
  from: number;
  to: number;
  unit: FunnelUnit;
  /** Conversion window for visitor units. */
  windowMs: number;
}

export type EventRow = {
  eventId: string; name: string; ts: bigint | number; seq: number; clientId: string; path: string | null;
  productId: string | null; checkoutToken: string | null; orderId: string | null; customerId: string | null;
  props: string | null; device: string | null; source: string | null; campaign: string | null;
  landingPath: string | null; visitorType: string | null; loggedIn: boolean | number | null;
};

/** The columns toCoreEvent reads: events `e` joined with their sessions `s`. */
export const CORE_EVENT_COLUMNS = `e."eventId", e."name", e."ts", e."seq", e."clientId", e."path", e."productId", e."checkoutToken",
      e."orderId", e."customerId", e."props", s."device", s."source", s."campaign", s."landingPath", s."visitorType", s."loggedIn"`;

export function toCoreEvent(r: EventRow): CoreEvent {
  const attrs: EntryAttributes = {
    device: (r.device as EntryAttributes["device"]) ?? null,
    source: r.source ?? "direct",
    campaign: r.campaign ?? null,
    landingPath: r.landingPath ?? null,
    visitorType: r.visitorType === "returning" ? "returning" : "new",
    loggedIn: Boolean(r.loggedIn),
  };
  return {
    id: r.eventId, name: r.name, ts: Number(r.ts), seq: r.seq, visitorId: r.clientId, path: r.path,
    productId: r.productId, checkoutToken: r.checkoutToken, orderId: r.orderId, customerId: r.customerId,
    props: r.props ? JSON.parse(r.props) : {}, attrs,
  };
}

/**
 * The events a funnel report over [from, to) needs, as the pure engine takes them:
 * bots excluded, each event carrying its session's entry attributes.
 * - session units: every event (from `from` on) of sessions that have events in [from, to);
 * - visitor units: events in [from, to + window].
 * Events before `from` cannot start an attempt in range or follow one, so they are not loaded.
 */
export async function loadReportEvents(db: Db, shopId: number, w: EventWindow): Promise<CoreEvent[]> {
  const base = `SELECT ${CORE_EVENT_COLUMNS}
    FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
    WHERE e."shopId" = $1 AND e."isBot" = false AND e."ts" >= $2`;
  const rows =
    w.unit === "session"
      ? await db.$queryRawUnsafe<EventRow[]>(`${base} AND s."startTs" < $3 AND s."endTs" >= $2`, shopId, w.from, w.to)
      : await db.$queryRawUnsafe<EventRow[]>(`${base} AND e."ts" <= $3`, shopId, w.from, w.to + w.windowMs);
  return rows.map(toCoreEvent);
}
