/**
 * One group commit's work, in the caller's transaction: the rows inserted (the earliest
 * copy of duplicates kept), their visitors re-sessionized, staleness markers and activity
 * buckets updated. The writer (writer.server.ts) runs it through the executor's
 * transaction on PostgreSQL and, on SQLite, inside the SQLite thread in one message
 * (write-group-procedure.ts).
 */
import type { EventRow } from "./normalize";
import { ACTIVITY_COUNTS, ActivityDelta } from "../core/activity";
import { affectedSpan, sessionIdChanges, sessionsFor, type SessionEventRow, type SessionRow } from "./sessions";
import { asStoredText, MAX_PARAMS, visitorLockOrder, type Dialect } from "../db/sql";
import { addActivitySql, deleteEventsSql, deleteSessionsSql, insertEventsSql, insertSessionsSql, markStaleSql, storedCopiesSql } from "../db/writer-sql";
import type { SqlTx } from "../db/executor";
import { SESSION_GAP_MS } from "../core/types";
import { earlierSessionSql, laterSessionsReturningSql, moveEventsSql, overlappingSessionsSql, replacedSessionsSql, spanEventsSql } from "../db/resession-sql";

/** The Event columns the writer inserts, in its statements' order. */
export const EVENT_COLUMNS = [
  "shopId",
  "eventId",
  "name",
  "ts",
  "seq",
  "clientId",
  "sessionId",
  "path",
  "url",
  "referrer",
  "utmSource",
  "utmMedium",
  "utmCampaign",
  "device",
  "productId",
  "variantId",
  "quantity",
  "value",
  "currency",
  "checkoutToken",
  "orderId",
  "customerId",
  "props",
  "isBot",
  "dedupeKey",
  "receivedAt",
] as const;

const SESSION_COLUMNS = [
  "shopId",
  "id",
  "clientId",
  "startTs",
  "endTs",
  "eventCount",
  "landingPath",
  "source",
  "medium",
  "campaign",
  "referrerHost",
  "device",
  "visitorType",
  "loggedIn",
  "isBot",
  "addToCart",
  "checkoutStart",
  "purchase",
  "productView",
] as const;

type Tx = SqlTx;
interface Visitor {
  shopId: number;
  clientId: string;
  /** The span of the batch's rows. */
  min: number;
  max: number;
  /** The batch's rows of the visitor; null: re-derive from what is stored. */
  rows: EventRow[] | null;
}
/** Visitors re-sessionized per round of statements (3 parameters each in the span lists). */
const VISITORS_PER_STATEMENT = 5_000;
type Flag = boolean | number | bigint;

function eventValues(r: EventRow): unknown[] {
  return EVENT_COLUMNS.map((c) => r[c]);
}

/**
 * Inserts rows (of duplicates, the earliest copy by (ts, seq, id), replacing a stored
 * later one), resessionizes the affected visitors and updates the activity buckets, all
 * in the caller's transaction. Returns the new `shopId\0eventId`s (replacements are not new).
 */
export async function writeGroup(tx: Tx, dialect: Dialect, rows: EventRow[]): Promise<Set<string>> {
  const visitors = new Map<string, Visitor>();
  for (const r of earliestCopies(rows)) {
    const key = `${r.shopId}\u0000${r.clientId}`;
    const v = visitors.get(key);
    if (v) {
      v.min = Math.min(v.min, r.ts);
      v.max = Math.max(v.max, r.ts);
      v.rows!.push(r);
    } else visitors.set(key, { shopId: r.shopId, clientId: r.clientId, min: r.ts, max: r.ts, rows: [r] });
  }
  // Visitors in lock order, as the refresher deletes their markers: no deadlock between the two.
  const sorted = [...visitors.values()].sort(visitorLockOrder);
  // Marking a visitor stale first takes its StaleVisitor row: on PostgreSQL another process
  // writing the same visitor waits here until this commit, and its reads then see this
  // transaction's events (READ COMMITTED: each statement sees the latest commits). Without
  // it, two processes could each re-derive the visitor's sessions from half of its events.
  // (A batch of retries alone marks its visitors too; the refresher then finds nothing new.)
  await markStale(
    tx,
    dialect,
    sorted.map((v) => ({ shopId: v.shopId, clientId: v.clientId, since: v.min - SESSION_GAP_MS })),
  );
  const inserted = new Set<string>();
  const activity = new ActivityDelta();
  const wider: { shopId: number; clientId: string; since: number }[] = [];
  for (let i = 0; i < sorted.length;) {
    // One shop and at most VISITORS_PER_STATEMENT visitors per round of statements.
    let j = i + 1;
    while (j < sorted.length && j - i < VISITORS_PER_STATEMENT && sorted[j].shopId === sorted[i].shopId) j++;
    const chunk = sorted.slice(i, j);
    const shopId = chunk[0].shopId;
    const first = await resessionize(tx, dialect, shopId, chunk, activity, inserted);
    const from = first.from;
    const batchMin = new Map(chunk.map((v) => [v.clientId, v.min]));
    if (first.refused.length > 0) {
      for (const [clientId, since] of await settleRefused(tx, dialect, shopId, first.refused, batchMin, activity, inserted)) {
        from.set(clientId, Math.min(since, from.get(clientId) ?? Infinity));
      }
    }
    for (const [clientId, since] of from) {
      const min = batchMin.get(clientId);
      if (min === undefined || since < min - SESSION_GAP_MS) wider.push({ shopId, clientId, since });
    }
    i = j;
  }
  // Spans widened by the sessions they touch: the markers move back to where the change starts.
  await markStale(tx, dialect, wider);
  await applyActivity(tx, activity);
  return inserted;
}

/**
 * Rows the insert refused: a stored copy holds their event id or dedupe key. A copy
 * stored later by (ts, seq, id) gives way to the earlier one, whatever the order of
 * arrival; the rest are duplicates. Their visitors, and the visitors whose copies were
 * removed, are derived again from what is stored now. Returns where each change starts.
 */
async function settleRefused(
  tx: Tx,
  dialect: Dialect,
  shopId: number,
  refused: EventRow[],
  batchMin: Map<string, number>,
  activity: ActivityDelta,
  inserted: Set<string>,
): Promise<Map<string, number>> {
  const { winners, removed } = await laterCopies(tx, shopId, refused);
  // Visitors outside the batch whose copies go: their markers first, as for the batch's
  // visitors, so no other writer re-derives them at the same time.
  const outside = new Map<string, number>();
  for (const s of removed) if (!batchMin.has(s.clientId)) outside.set(s.clientId, Math.min(s.ts - SESSION_GAP_MS, outside.get(s.clientId) ?? Infinity));
  await markStale(
    tx,
    dialect,
    [...outside].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([clientId, since]) => ({ shopId, clientId, since })),
  );
  await removeCopies(tx, shopId, removed, activity);
  const again = new Map<string, Visitor>();
  const touch = (clientId: string, ts: number, row?: EventRow) => {
    const v = again.get(clientId);
    if (!v) again.set(clientId, { shopId, clientId, min: ts, max: ts, rows: row ? [row] : null });
    else {
      v.min = Math.min(v.min, ts);
      v.max = Math.max(v.max, ts);
      if (row) (v.rows ??= []).push(row);
    }
  };
  for (const r of refused) touch(r.clientId, r.ts);
  for (const s of removed) touch(s.clientId, s.ts);
  for (const r of winners) touch(r.clientId, r.ts, r);
  const second = await resessionize(tx, dialect, shopId, [...again.values()].sort(visitorLockOrder), activity, inserted);
  // A replacement stores nothing new: the answer counts it as a duplicate.
  for (const r of winners) inserted.delete(`${shopId}\u0000${r.eventId}`);
  // Refused again (another process stored a copy meanwhile): derived from what is stored.
  const third =
    second.refused.length === 0
      ? null
      : await resessionize(
          tx,
          dialect,
          shopId,
          [...new Set(second.refused.map((r) => r.clientId))].map((clientId) => again.get(clientId)!).map((v) => ({ ...v, rows: null })),
          activity,
          inserted,
        );
  const from = new Map(second.from);
  for (const [clientId, since] of third?.from ?? []) from.set(clientId, Math.min(since, from.get(clientId) ?? Infinity));
  return from;
}

/** (ts, seq, id) order, the order that decides which copy of a duplicate is kept (core/funnel/dedupe). */
function earlier(a: { ts: number; seq: number; eventId: string }, b: { ts: number; seq: number; eventId: string }): boolean {
  return a.ts !== b.ts ? a.ts < b.ts : a.seq !== b.seq ? a.seq < b.seq : a.eventId < b.eventId;
}

/**
 * The rows without the later copies of duplicates among them (same shop and event id, or
 * same dedupe key): the earliest by (ts, seq, id) goes on, whichever request brought it.
 */
function earliestCopies(rows: EventRow[]): EventRow[] {
  const best = new Map<string, EventRow>();
  const keysOf = (r: EventRow) =>
    r.dedupeKey === null ? [`${r.shopId}\u0000i${r.eventId}`] : [`${r.shopId}\u0000i${r.eventId}`, `${r.shopId}\u0000k${r.dedupeKey}`];
  let keys = 0;
  for (const r of rows) {
    for (const key of keysOf(r)) {
      keys++;
      const b = best.get(key);
      if (!b || earlier(r, b)) best.set(key, r);
    }
  }
  if (best.size === keys) return rows; // no shared key: the common case
  // A row goes on when it is the earliest holder of each of its keys.
  const kept = new Set<EventRow>();
  return rows.filter((r) => !kept.has(r) && keysOf(r).every((k) => best.get(k) === r) && (kept.add(r), true));
}

type StoredCopy = { eventId: string; dedupeKey: string | null; ts: number; seq: number; clientId: string; name: string; isBot: boolean };

/**
 * For rows the insert refused, the stored copies they conflict with (event id or dedupe
 * key) when every one of those is later by (ts, seq, id): those copies are to be
 * `removed` and the rows (`winners`) inserted in their place.
 */
async function laterCopies(tx: Tx, shopId: number, refused: EventRow[]): Promise<{ winners: EventRow[]; removed: StoredCopy[] }> {
  const byId = new Map<string, StoredCopy>();
  const byKey = new Map<string, StoredCopy>();
  for (const [column, values] of [
    ["eventId", [...new Set(refused.map((r) => r.eventId))]],
    ["dedupeKey", [...new Set(refused.flatMap((r) => r.dedupeKey ?? []))]],
  ] as const) {
    for (let i = 0; i < values.length; i += MAX_PARAMS - 1) {
      const chunk = values.slice(i, i + MAX_PARAMS - 1);
      const found = await tx.query<Omit<StoredCopy, "ts" | "isBot"> & { ts: bigint | number; isBot: Flag }>(
        storedCopiesSql(column, chunk.length),
        shopId,
        ...chunk,
      );
      for (const f of found) {
        const copy = { ...f, ts: Number(f.ts), isBot: Boolean(f.isBot) };
        byId.set(copy.eventId, copy);
        if (copy.dedupeKey !== null) byKey.set(copy.dedupeKey, copy);
      }
    }
  }
  const winners: EventRow[] = [];
  const removed = new Map<string, StoredCopy>();
  for (const r of [...refused].sort((a, b) => (earlier(a, b) ? -1 : earlier(b, a) ? 1 : 0))) {
    const rivals = [byId.get(r.eventId), r.dedupeKey === null ? undefined : byKey.get(r.dedupeKey)].filter(
      (s): s is StoredCopy => s !== undefined && !removed.has(s.eventId),
    );
    if (rivals.length === 0 || !rivals.every((s) => earlier(r, s))) continue;
    for (const s of rivals) removed.set(s.eventId, s);
    winners.push(r);
  }
  return { winners, removed: [...removed.values()] };
}

/**
 * Deletes stored copies that give way to earlier ones; the events deleted (another process
 * may have removed one meanwhile) leave the activity buckets.
 */
async function removeCopies(tx: Tx, shopId: number, removed: StoredCopy[], activity: ActivityDelta) {
  for (let i = 0; i < removed.length; i += MAX_PARAMS - 1) {
    const chunk = removed.slice(i, i + MAX_PARAMS - 1).map((s) => s.eventId);
    const gone = await tx.query<{ ts: bigint | number; name: string; isBot: Flag }>(deleteEventsSql(chunk.length), shopId, ...chunk);
    for (const e of gone) activity.addEvent(shopId, { ts: Number(e.ts), name: e.name, isBot: Boolean(e.isBot) }, -1);
  }
}

/** Adds the transaction's bucket changes: one upsert per statement-full of buckets. */
async function applyActivity(tx: Tx, activity: ActivityDelta) {
  const rows = activity.rows();
  const width = 2 + ACTIVITY_COUNTS.length;
  const perStatement = Math.floor(MAX_PARAMS / width);
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await tx.execute(addActivitySql(ACTIVITY_COUNTS, chunk.length), ...chunk.flatMap((r) => [r.shopId, r.bucket, ...ACTIVITY_COUNTS.map((c) => r.counts[c])]));
  }
}

/**
 * Marks the visitors' funnel results stale from `since` on, in the events' transaction,
 * so a crash cannot leave stored events that results never see.
 */
async function markStale(tx: Tx, dialect: Dialect, visitors: { shopId: number; clientId: string; since: number }[]) {
  const perStatement = Math.floor(MAX_PARAMS / 5);
  const now = Date.now();
  for (let i = 0; i < visitors.length; i += perStatement) {
    const chunk = visitors.slice(i, i + perStatement);
    await tx.execute(markStaleSql(dialect, chunk.length), ...chunk.flatMap((v) => [v.shopId, v.clientId, v.since, 1, now]));
  }
}

type Stored = { startTs: bigint | number; endTs: bigint | number };
type Replaced = Stored & { clientId: string; id: string; isBot: Flag; addToCart: Flag; checkoutStart: Flag; purchase: Flag };
type Loaded = Omit<SessionEventRow, "ts" | "isBot"> & { ts: bigint | number; isBot: boolean | number };

/**
 * Re-derives the sessions of one shop's visitors around their batch rows and inserts the
 * rows already in their sessions, a fixed number of statements for all visitors (not a
 * few per visitor: each is a round trip to the database, which dominated the
 * transaction). Rows are inserted with their session id rather than moved afterwards:
 * `sessionId` is indexed, so each later UPDATE rewrote the row and all its index entries.
 * Visitors with `rows: null` are re-derived from what is stored. Returns where each
 * visitor's change starts (a session start) and the rows the insert refused (a copy is
 * stored), whose visitors need a second pass.
 */
async function resessionize(
  tx: Tx,
  dialect: Dialect,
  shopId: number,
  visitors: Visitor[],
  activity: ActivityDelta,
  inserted: Set<string>,
): Promise<{ from: Map<string, number>; refused: EventRow[] }> {
  const n = visitors.length;
  const window = visitors.flatMap((v) => [v.clientId, v.min - SESSION_GAP_MS, v.max + SESSION_GAP_MS]);
  const overlapping = await tx.query<Stored & { clientId: string }>(overlappingSessionsSql(dialect, n), ...window, shopId);
  const touching = groupBy(overlapping, (s) => s.clientId);
  const spans = new Map(
    visitors.map((v) => {
      const sessions = (touching.get(v.clientId) ?? []).map((s) => ({ startTs: Number(s.startTs), endTs: Number(s.endTs) }));
      return [v.clientId, affectedSpan(v.min, v.max, sessions)];
    }),
  );
  const spanParams = [...spans].flatMap(([clientId, span]) => [clientId, span.from, span.to]);
  const stored = groupBy(
    (await tx.query<Loaded>(spanEventsSql(dialect, n), ...spanParams, shopId)).map((e) => ({ ...e, ts: Number(e.ts), isBot: Boolean(e.isBot) })),
    (e) => e.clientId,
  );
  const replaced = await tx.query<Replaced>(replacedSessionsSql(dialect, n), ...spanParams, shopId);
  const returning = new Set((await tx.query<{ clientId: string }>(earlierSessionSql(dialect, n), ...spanParams, shopId)).map((r) => r.clientId));

  const changed = new Set<string>(); // visitors whose sessions are re-derived
  const fresh: EventRow[] = []; // rows to insert, with their session ids
  const moves: string[] = []; // eventId, sessionId pairs of stored events
  const derived: SessionRow[] = [];
  for (const v of visitors) {
    const mine = stored.get(v.clientId) ?? [];
    const known = new Set(mine.map((e) => e.eventId));
    // The batch's rows not stored yet (retries are); a row repeated in the batch once.
    const added = (v.rows ?? []).filter((r) => !known.has(r.eventId) && (known.add(r.eventId), true));
    if (v.rows && added.length === 0) continue; // only retries: nothing changes
    changed.add(v.clientId);
    const events: SessionEventRow[] = [...mine, ...added];
    const sessions = sessionsFor(events, returning.has(v.clientId));
    const sessionOf = new Map<string, string>();
    for (const [sessionId, ids] of sessionIdChanges(events, sessions)) for (const id of ids) sessionOf.set(id, sessionId);
    for (const r of added) {
      // Not listed: the row already names its session.
      fresh.push({ ...r, sessionId: sessionOf.get(r.eventId) ?? r.sessionId });
      sessionOf.delete(r.eventId);
    }
    for (const [id, sessionId] of sessionOf) moves.push(id, sessionId);
    derived.push(...sessions);
  }

  // Duplicate event ids (retries from elsewhere) and repeated checkouts/orders (dedupeKey)
  // are skipped by the keys; RETURNING says which rows went in.
  const perStatement = Math.floor(MAX_PARAMS / EVENT_COLUMNS.length);
  const took = new Set<EventRow>();
  for (let i = 0; i < fresh.length; i += perStatement) {
    const chunk = fresh.slice(i, i + perStatement);
    const returned = await tx.query<{ eventId: string; clientId: string }>(
      insertEventsSql(EVENT_COLUMNS, chunk.length),
      ...chunk.flatMap((r) => eventValues(r)),
    );
    if (returned.length === chunk.length) {
      for (const r of chunk) took.add(r);
      continue;
    }
    // Some were refused: match what came back. The database returns text as it stores it
    // (lone surrogates as U+FFFD; SQLite reads a string up to a NUL), so compare in that form.
    const back = new Set(returned.map((r) => `${r.clientId}\u0000${r.eventId}`));
    for (const r of chunk) if (back.has(`${asStoredText(dialect, r.clientId)}\u0000${asStoredText(dialect, r.eventId)}`)) took.add(r);
  }
  const refused: EventRow[] = [];
  for (const r of fresh) {
    if (took.has(r)) {
      inserted.add(`${shopId}\u0000${r.eventId}`);
      activity.addEvent(shopId, r);
    } else refused.push(r);
  }

  // The sessions being replaced leave the buckets; the re-derived ones enter them.
  const gone = replaced.filter((s) => changed.has(s.clientId));
  for (const s of gone) {
    const session = {
      startTs: Number(s.startTs),
      endTs: Number(s.endTs),
      isBot: Boolean(s.isBot),
      addToCart: Boolean(s.addToCart),
      checkoutStart: Boolean(s.checkoutStart),
      purchase: Boolean(s.purchase),
    };
    activity.session(shopId, session, -1);
  }
  for (const s of derived) activity.session(shopId, s, 1);

  for (let i = 0; i < moves.length; i += MAX_PARAMS - (MAX_PARAMS % 2)) {
    const chunk = moves.slice(i, i + MAX_PARAMS - (MAX_PARAMS % 2));
    await tx.execute(moveEventsSql(dialect, chunk.length / 2), ...chunk, shopId);
  }
  for (let i = 0; i < gone.length; i += MAX_PARAMS) {
    const ids = gone.slice(i, i + MAX_PARAMS).map((s) => s.id);
    await tx.execute(deleteSessionsSql(ids.length), ...ids, shopId);
  }
  const perInsert = Math.floor(MAX_PARAMS / SESSION_COLUMNS.length);
  for (let i = 0; i < derived.length; i += perInsert) {
    const chunk = derived.slice(i, i + perInsert);
    await tx.execute(insertSessionsSql(SESSION_COLUMNS, chunk.length), ...chunk.flatMap((s) => sessionValues(shopId, s)));
  }
  // A span that holds the visitor's first session: the sessions after it are not "new".
  const first = [...spans].filter(([clientId]) => changed.has(clientId) && !returning.has(clientId));
  if (first.length > 0) {
    await tx.execute(laterSessionsReturningSql(dialect, first.length), ...first.flatMap(([clientId, span]) => [clientId, span.from, span.to]), shopId);
  }
  return {
    from: new Map([...spans].filter(([clientId]) => changed.has(clientId)).map(([clientId, span]) => [clientId, span.from])),
    refused,
  };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function sessionValues(shopId: number, s: SessionRow): unknown[] {
  return SESSION_COLUMNS.map((c) => {
    if (c === "shopId") return shopId;
    return s[c];
  });
}
