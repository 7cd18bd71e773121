/**
 * Group commit for ingestion. Requests hand their rows to the writer and wait; the
 * writer stores everything pending in one transaction and only then resolves them, so
 * a 202 always means "committed". Pending work is bounded: past the limit, `submit`
 * refuses at once (the route answers 503 + Retry-After) instead of growing memory.
 */
import type { EventRow } from "./normalize";
import { ACTIVITY_COUNTS, ActivityDelta } from "../core/activity";
import { affectedSpan, sessionIdChanges, sessionsFor, type SessionEventRow, type SessionRow } from "./sessions";
import { bool, MAX_PARAMS, valuesList, visitorLockOrder, type Dialect } from "./sql";
import type { SqlExecutor, SqlTx } from "./sql-executor.server";

export class OverloadedError extends Error {
  constructor() {
    super("ingestion is at capacity");
  }
}

interface Job {
  rows: EventRow[];
  resolve(result: { inserted: number }): void;
  reject(error: unknown): void;
}

const EVENT_COLUMNS = [
  "shopId", "eventId", "name", "ts", "seq", "clientId", "sessionId", "path", "url", "referrer", "utmSource", "utmMedium",
  "utmCampaign", "device", "productId", "variantId", "quantity", "value", "currency", "checkoutToken", "orderId",
  "customerId", "props", "isBot", "dedupeKey", "receivedAt",
] as const;

const SESSION_COLUMNS = [
  "shopId", "id", "clientId", "startTs", "endTs", "eventCount", "landingPath", "source", "medium", "campaign",
  "referrerHost", "device", "visitorType", "loggedIn", "isBot", "addToCart", "checkoutStart", "purchase", "productView",
] as const;

const BOOLEAN_SESSION_COLUMNS = new Set<string>(["loggedIn", "isBot", "addToCart", "checkoutStart", "purchase", "productView"]);

export interface WriterOptions {
  /** Events waiting or being written before new work is refused. */
  maxPendingEvents?: number;
  /** Events per transaction. */
  maxBatchEvents?: number;
}

type Tx = SqlTx;
type Flag = boolean | number | bigint;

export class IngestWriter {
  private queue: Job[] = [];
  private pendingEvents = 0;
  private running = false;
  private readonly maxPending: number;
  private readonly maxBatch: number;

  private readonly dialect: Dialect;

  constructor(private readonly db: SqlExecutor, opts: WriterOptions = {}) {
    this.dialect = db.dialect;
    this.maxPending = opts.maxPendingEvents ?? 20_000;
    this.maxBatch = opts.maxBatchEvents ?? 2_000;
  }

  get pending(): number {
    return this.pendingEvents;
  }

  /** Stores the rows (duplicates skipped); resolves after the commit with how many were new. */
  submit(rows: EventRow[]): Promise<{ inserted: number }> {
    if (rows.length === 0) return Promise.resolve({ inserted: 0 });
    if (this.pendingEvents + rows.length > this.maxPending) return Promise.reject(new OverloadedError());
    this.pendingEvents += rows.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain() {
    this.running = true;
    while (this.queue.length > 0) {
      const jobs: Job[] = [];
      let size = 0;
      while (this.queue.length > 0 && (jobs.length === 0 || size + this.queue[0].rows.length <= this.maxBatch)) {
        const job = this.queue.shift()!;
        jobs.push(job);
        size += job.rows.length;
      }
      try {
        const inserted = await this.db.transaction((tx) => writeGroup(tx, this.dialect, jobs.flatMap((j) => j.rows)));
        for (const job of jobs) {
          let n = 0;
          for (const r of job.rows) if (inserted.delete(`${r.shopId}\u0000${r.eventId}`)) n++;
          job.resolve({ inserted: n });
        }
      } catch (error) {
        for (const job of jobs) job.reject(error);
      } finally {
        this.pendingEvents -= size;
      }
    }
    this.running = false;
  }
}

function eventValues(r: EventRow, dialect: Dialect): unknown[] {
  return EVENT_COLUMNS.map((c) => (c === "isBot" ? bool(dialect, r.isBot) : r[c]));
}

/**
 * Inserts rows (skipping stored duplicates), resessionizes the affected visitors and
 * updates the activity buckets, all in the caller's transaction. Returns the new `shopId\0eventId`s.
 */
async function writeGroup(tx: Tx, dialect: Dialect, rows: EventRow[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  const perStatement = Math.floor(MAX_PARAMS / EVENT_COLUMNS.length);
  const cols = EVENT_COLUMNS.map((c) => `"${c}"`).join(", ");
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    // Duplicate event ids (retries) and repeated checkouts/orders (dedupeKey) are skipped.
    const returned = await tx.query<{ shopId: number; eventId: string }>(
      `INSERT INTO "Event" (${cols}) VALUES ${valuesList(chunk.length, EVENT_COLUMNS.length)} ON CONFLICT DO NOTHING RETURNING "shopId", "eventId"`,
      ...chunk.flatMap((r) => eventValues(r, dialect)),
    );
    for (const r of returned) inserted.add(`${r.shopId}\u0000${r.eventId}`);
  }
  const activity = new ActivityDelta();
  // Resessionize each visitor that got new events.
  const visitors = new Map<string, { shopId: number; clientId: string; min: number; max: number }>();
  for (const r of rows) {
    if (!inserted.has(`${r.shopId}\u0000${r.eventId}`)) continue;
    activity.addEvent(r.shopId, r);
    const key = `${r.shopId}\u0000${r.clientId}`;
    const v = visitors.get(key);
    if (v) {
      v.min = Math.min(v.min, r.ts);
      v.max = Math.max(v.max, r.ts);
    } else visitors.set(key, { shopId: r.shopId, clientId: r.clientId, min: r.ts, max: r.ts });
  }
  const stale: unknown[] = [];
  // Visitors in lock order, as the refresher deletes their markers: no deadlock between the two.
  for (const v of [...visitors.values()].sort(visitorLockOrder)) {
    const since = await resessionize(tx, dialect, v, activity);
    stale.push(v.shopId, v.clientId, since, 1, Date.now());
  }
  await markStale(tx, dialect, stale);
  await applyActivity(tx, activity);
  return inserted;
}

/** Adds the transaction's bucket changes: one upsert per statement-full of buckets. */
async function applyActivity(tx: Tx, activity: ActivityDelta) {
  const rows = activity.rows();
  const width = 2 + ACTIVITY_COUNTS.length;
  const perStatement = Math.floor(MAX_PARAMS / width);
  const cols = ["shopId", "bucket", ...ACTIVITY_COUNTS].map((c) => `"${c}"`).join(", ");
  const sums = ACTIVITY_COUNTS.map((c) => `"${c}" = "ActivityBucket"."${c}" + excluded."${c}"`).join(", ");
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await tx.execute(
      `INSERT INTO "ActivityBucket" (${cols}) VALUES ${valuesList(chunk.length, width)} ON CONFLICT ("shopId", "bucket") DO UPDATE SET ${sums}`,
      ...chunk.flatMap((r) => [r.shopId, r.bucket, ...ACTIVITY_COUNTS.map((c) => r.counts[c])]),
    );
  }
}

/**
 * Marks the visitors' funnel results stale from `since` on, in the events' transaction,
 * so a crash cannot leave stored events that results never see. `values`: 5 per visitor.
 */
async function markStale(tx: Tx, dialect: Dialect, values: unknown[]) {
  const min = dialect === "sqlite" ? "min" : "LEAST";
  for (let i = 0; i < values.length; i += MAX_PARAMS - (MAX_PARAMS % 5)) {
    const chunk = values.slice(i, i + MAX_PARAMS - (MAX_PARAMS % 5));
    await tx.execute(
      `INSERT INTO "StaleVisitor" ("shopId", "clientId", "sinceTs", "version", "markedAt") VALUES ${valuesList(chunk.length / 5, 5)}
       ON CONFLICT ("shopId", "clientId") DO UPDATE SET "sinceTs" = ${min}("StaleVisitor"."sinceTs", excluded."sinceTs"),
         "version" = "StaleVisitor"."version" + 1`,
      ...chunk,
    );
  }
}

/**
 * A visitor's events in a span: $1 shop, $2 clientId, $3…$4 the span.
 * On PostgreSQL the span is a (clientId, ts) row range, which only the (shopId, clientId, ts)
 * index can bound. With plain ts bounds and young statistics (a new shop, recent events past
 * the histogram) the planner sometimes took (shopId, ts) and read every event of the shop in
 * the span: 13 ms per visitor in the bench. SQLite's planner picks the right index as is.
 */
export function visitorEventsSql(dialect: Dialect): string {
  const inSpan = dialect === "postgres" ? `("clientId", "ts") >= ($2, $3) AND ("clientId", "ts") <= ($2, $4)` : `"ts" >= $3 AND "ts" <= $4`;
  return `SELECT "eventId", "name", "ts", "seq", "clientId", "sessionId", "path", "url", "referrer", "utmSource", "utmMedium", "utmCampaign",
    "device", "customerId", "isBot" FROM "Event" WHERE "shopId" = $1 AND "clientId" = $2 AND ${inSpan}`;
}

/** Re-derives the visitor's sessions around the new events; returns where the change starts (a session start). */
async function resessionize(
  tx: Tx,
  dialect: Dialect,
  v: { shopId: number; clientId: string; min: number; max: number },
  activity: ActivityDelta,
): Promise<number> {
  const overlapping = await tx.query<{ startTs: bigint | number; endTs: bigint | number }>(
    `SELECT "startTs", "endTs" FROM "VisitorSession" WHERE "shopId" = $1 AND "clientId" = $2 AND "startTs" <= $3 AND "endTs" >= $4`,
    v.shopId, v.clientId, v.max + 30 * 60_000, v.min - 30 * 60_000,
  );
  const span = affectedSpan(v.min, v.max, overlapping.map((s) => ({ startTs: Number(s.startTs), endTs: Number(s.endTs) })));
  const events = (
    await tx.query<Omit<SessionEventRow, "ts" | "isBot"> & { ts: bigint | number; isBot: boolean | number }>(
      visitorEventsSql(dialect),
      v.shopId, v.clientId, span.from, span.to,
    )
  ).map((e) => ({ ...e, ts: Number(e.ts), isBot: Boolean(e.isBot) }));
  const earlier = await tx.query(
    `SELECT 1 FROM "VisitorSession" WHERE "shopId" = $1 AND "clientId" = $2 AND "startTs" < $3 LIMIT 1`,
    v.shopId, v.clientId, span.from,
  );
  const sessions = sessionsFor(events, earlier.length > 0);
  for (const [sessionId, all] of sessionIdChanges(events, sessions)) {
    for (let i = 0; i < all.length; i += MAX_PARAMS) {
      const ids = all.slice(i, i + MAX_PARAMS);
      await tx.execute(
        `UPDATE "Event" SET "sessionId" = $1 WHERE "shopId" = $2 AND "eventId" IN (${ids.map((_, k) => `$${k + 3}`).join(", ")})`,
        sessionId, v.shopId, ...ids,
      );
    }
  }
  // The sessions being replaced leave the buckets; the re-derived ones enter them.
  type Replaced = { startTs: bigint | number; endTs: bigint | number; isBot: Flag; addToCart: Flag; checkoutStart: Flag; purchase: Flag };
  const replaced = await tx.query<Replaced>(
    `DELETE FROM "VisitorSession" WHERE "shopId" = $1 AND "clientId" = $2 AND "startTs" >= $3 AND "startTs" <= $4
     RETURNING "startTs", "endTs", "isBot", "addToCart", "checkoutStart", "purchase"`,
    v.shopId, v.clientId, span.from, span.to,
  );
  for (const s of replaced) {
    const session = {
      startTs: Number(s.startTs), endTs: Number(s.endTs), isBot: Boolean(s.isBot),
      addToCart: Boolean(s.addToCart), checkoutStart: Boolean(s.checkoutStart), purchase: Boolean(s.purchase),
    };
    activity.session(v.shopId, session, -1);
  }
  for (const s of sessions) activity.session(v.shopId, s, 1);
  if (sessions.length > 0) {
    await tx.execute(
      `INSERT INTO "VisitorSession" (${SESSION_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${valuesList(sessions.length, SESSION_COLUMNS.length)}`,
      ...sessions.flatMap((s) => sessionValues(v.shopId, s, dialect)),
    );
  }
  if (earlier.length === 0) {
    // The span holds the visitor's first session: a late batch may have moved it
    // earlier, so the sessions after the span can no longer be "new".
    await tx.execute(
      `UPDATE "VisitorSession" SET "visitorType" = 'returning' WHERE "shopId" = $1 AND "clientId" = $2 AND "startTs" > $3 AND "visitorType" = 'new'`,
      v.shopId, v.clientId, span.to,
    );
  }
  return span.from;
}

function sessionValues(shopId: number, s: SessionRow, dialect: Dialect): unknown[] {
  return SESSION_COLUMNS.map((c) => {
    if (c === "shopId") return shopId;
    if (BOOLEAN_SESSION_COLUMNS.has(c)) return bool(dialect, s[c as "isBot"]);
    return s[c];
  });
}
