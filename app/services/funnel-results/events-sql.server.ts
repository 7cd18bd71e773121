/**
 * The report from the events (while a funnel's rows are building, and for ranges they
 * cannot answer), with the heavy lifting in the database: this file loads the reduced
 * stream (its SQL: db/queries/report-funnel-stream.ts); events-report.server.ts runs the
 * engine over it.
 *
 * The reference is the pure engine over
 * the report's events:
 *   computeFunnel(await loadReportEvents(db, shopId, …), def, params)
 * and funnelAggregateSql returns exactly the same report (test/integration/funnel-sql.test.ts
 * proves it on generated data, on both databases).
 *
 * Split of the work:
 * - SQL does what touches every event: the shop/range/bot filter of loadReportEvents,
 *   step matching (each step's alternatives and filters compiled to one bitmask
 *   expression, every user value a bound parameter), the engine's duplicate rules,
 *   the unit of each event, and the reduction to the few rows that can change a result:
 *   step-matching events of units that have an attempt in range, from their first
 *   attempt on. Unrelated events (page views, scrolls…) never leave the database.
 * - JS runs the engine itself (computeFunnel) over that reduced stream, so attempts,
 *   ties, one-event-per-step matching, windows, in-progress, breakdown, trend and every
 *   figure come from core and cannot drift from it. Each row becomes a stand-in event
 *   whose step bitmask is carried in props and read back by a stand-in definition.
 *
 * Units
 * - session: the engine re-sessionizes the loaded events (bots and dropped duplicates
 *   removed). Stored sessions already are that split of *all* stored events, so a
 *   stored session without bot events or dropped duplicates ("clean": nearly all) is
 *   one engine session and its endTs is the unit's last event. Only "dirty" entered
 *   sessions are split again in SQL (gap > 30 min among their kept events).
 *   This relies on ingestion's invariant: a stored session is a maximal run of one
 *   visitor's events with no gap over 30 minutes (ingest/sessions.ts).
 * - visitor: the clientId; no session logic.
 */
import type { FunnelParams } from "../../../core/funnel";
import type { BreakdownKey, FunnelDefinition } from "../../../core/types";
import type { Db, DbDialect } from "../../../db/prisma";
import { queryRows } from "../../../db/query";
import funnelStream, { ATTR_KEYS } from "../../../db/queries/report-funnel-stream";
import type { AttrValue } from "../../../core/funnel/breakdown-attrs";

/**
 * One unit of the reduced stream: its step-matching events from its first attempt on.
 * Only units with an attempt in range are returned.
 */
export interface FunnelStreamUnit {
  /** Visitor id, or stored session id ("#part" appended when a session was split again). */
  unit: string;
  /** Session units: ts of the unit's last event (any name), for in-progress. Else null. */
  lastTs: number | null;
  /**
   * The breakdown attribute of the unit's stored session, when one was asked for; with
   * `allAttrs`, every attribute as JSON text in ATTR_KEYS order (see attrOf).
   */
  attr: AttrValue;
  /** [ts, seq, step bitmask (bit k−1 = step k), event id], in no particular order. */
  events: [number, number, number, string][];
}

/** Runs the SQL part: the reduced stream the report is computed from. */
export async function loadFunnelStream(db: Db, dialect: DbDialect, shopId: number, def: FunnelDefinition, params: StreamParams): Promise<FunnelStreamUnit[]> {
  const { query, params: shapeParams } = funnelStream(def, params);
  const raw = await queryRows(db, dialect, query, { ...shapeParams, shopId, from: params.from, to: params.to, until: params.to + def.windowMs });
  return raw.map((r) => ({
    unit: r.part === null || r.part === undefined ? r.unit : `${r.unit}#${r.part}`,
    lastTs: r.lastts === null || r.lastts === undefined ? null : Number(r.lastts),
    attr: r.attr ?? null,
    events: JSON.parse(r.ev),
  }));
}

/** What the stream is read for: the range, and one breakdown attribute or all of them (`allAttrs`: one read serves every breakdown). */
export type StreamParams = Pick<FunnelParams, "from" | "to" | "breakdown"> & { allAttrs?: boolean };

export { ATTR_KEYS };

/** One attribute of a unit read with `allAttrs`. */
export function attrOf(unit: FunnelStreamUnit, key: BreakdownKey): AttrValue {
  return (JSON.parse(String(unit.attr)) as AttrValue[])[ATTR_KEYS.indexOf(key)] ?? null;
}
