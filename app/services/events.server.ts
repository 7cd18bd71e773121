import type { CoreEvent, EntryAttributes, FunnelUnit } from "../../core/types";
import type { Db } from "../../db/prisma";
import { rowsOf } from "../../db/query";
import type { EventRow } from "../../db/queries/_event-row";
import eventsBySession from "../../db/queries/report-events-by-session";
import eventsByVisitor from "../../db/queries/report-events-by-visitor";

/** Bounds for loading one report's events (epoch ms). */
export interface EventWindow {
  from: number;
  to: number;
  unit: FunnelUnit;
  /** Conversion window for visitor units. */
  windowMs: number;
}

export type { EventRow };
export { CORE_EVENT_COLUMNS } from "../../db/queries/_event-row";

export function toCoreEvent(r: EventRow): CoreEvent {
  const attrs: EntryAttributes = {
    device: (r.device as EntryAttributes["device"]) ?? null,
    source: r.source ?? "direct",
    medium: r.medium ?? null,
    campaign: r.campaign ?? null,
    landingPath: r.landingPath ?? null,
    visitorType: r.visitorType === "returning" ? "returning" : "new",
    loggedIn: Boolean(r.loggedIn),
  };
  return {
    id: r.eventId,
    name: r.name,
    ts: Number(r.ts),
    seq: r.seq,
    visitorId: r.clientId,
    path: r.path,
    productId: r.productId,
    checkoutToken: r.checkoutToken,
    orderId: r.orderId,
    customerId: r.customerId,
    props: r.props ? JSON.parse(r.props) : {},
    attrs,
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
  const rows =
    w.unit === "session"
      ? await rowsOf(db, eventsBySession, { shopId, from: w.from, to: w.to })
      : await rowsOf(db, eventsByVisitor, { shopId, from: w.from, until: w.to + w.windowMs });
  return rows.map(toCoreEvent);
}
