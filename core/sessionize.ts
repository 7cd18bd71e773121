/**
 * Server-side sessions: the pixel has no session id, so a session is a run of one
 * visitor's events with no gap over SESSION_GAP_MS. Pure and funnel-independent so
 * ingestion can reuse it.
 */
import { SESSION_GAP_MS, type CoreEvent } from "./types";

/** One derived session of one visitor. */
export interface Session {
  /** Stable id: `${visitorId}:${start}`. */
  id: string;
  visitorId: string;
  /** Timestamp of the first event (epoch ms). */
  start: number;
  /** Timestamp of the last event (epoch ms). */
  end: number;
  /** The session's events sorted by (ts, seq, id). */
  events: CoreEvent[];
}

/**
 * Total order on events: (ts, seq), then id so that equal (ts, seq) pairs still sort
 * the same way whatever the input order.
 */
export function compareEvents(a: CoreEvent, b: CoreEvent): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.seq !== b.seq) return a.seq - b.seq;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Groups events by visitor in (ts, seq) order, preserving that order inside each group.
 * The input is not modified.
 */
export function groupByVisitor(events: readonly CoreEvent[]): Map<string, CoreEvent[]> {
  // Callers often pass already-sorted events (after dedupe): skip the copy and sort then.
  const sorted = isSorted(events) ? events : [...events].sort(compareEvents);
  const byVisitor = new Map<string, CoreEvent[]>();
  for (const e of sorted) {
    const list = byVisitor.get(e.visitorId);
    if (list) list.push(e);
    else byVisitor.set(e.visitorId, [e]);
  }
  return byVisitor;
}

/**
 * Splits one shop's events into sessions. A new session starts when the gap to the
 * visitor's previous event exceeds SESSION_GAP_MS; a gap of exactly 30 minutes stays
 * in the same session. Does not deduplicate (see funnel/dedupe). Sessions are returned
 * ordered by (start, visitorId).
 */
export function sessionize(events: readonly CoreEvent[]): Session[] {
  const sessions: Session[] = [];
  for (const [visitorId, list] of groupByVisitor(events)) {
    let current: CoreEvent[] = [];
    for (const e of list) {
      if (current.length > 0 && e.ts - current[current.length - 1].ts > SESSION_GAP_MS) {
        sessions.push(makeSession(visitorId, current));
        current = [];
      }
      current.push(e);
    }
    if (current.length > 0) sessions.push(makeSession(visitorId, current));
  }
  return sessions.sort((a, b) => a.start - b.start || (a.visitorId < b.visitorId ? -1 : a.visitorId > b.visitorId ? 1 : 0));
}

function isSorted(events: readonly CoreEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (compareEvents(events[i - 1], events[i]) > 0) return false;
  return true;
}

function makeSession(visitorId: string, events: CoreEvent[]): Session {
  const start = events[0].ts;
  return { id: `${visitorId}:${start}`, visitorId, start, end: events[events.length - 1].ts, events };
}
