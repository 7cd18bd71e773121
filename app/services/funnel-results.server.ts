/**
 * Precomputed funnel results (FunnelUnitDay rows, see core/funnel/unit-days.ts): kept up
 * to date after ingestion, read by reports over whole days.
 *
 * Lifecycle
 * - Ingestion marks each visitor that got events as stale (StaleVisitor, same
 *   transaction as the events: ingest/writer.server.ts).
 * - A new funnel's build records a time M (resultsMark) and marks every visitor of the shop
 *   stale at M, in chunks ("marking"); the funnel is then "building", and "ready" once no
 *   marking at or before M is left.
 * - The refresher recomputes stale visitors for every funnel of their shop with the pure
 *   engine and replaces their rows. A marker is removed only if its version is the one
 *   read before loading the events, so events committed meanwhile are never skipped.
 * - Reports (funnel-report.server.ts) flush the shop's stale visitors first, then read
 *   the rows; while a funnel is building, or for ranges that are not whole days, they use
 *   the event-level path (funnel-sql.server.ts). test/integration/funnel-results.test.ts
 *   proves both give computeFunnel's report.
 *
 * Writes go through the ingestion executor (on SQLite its one connection, so the writer
 * and the refresher take turns instead of failing on a busy database); report reads go
 * through Prisma's connection so they never wait behind a group commit.
 */
import {
  computeUnitDays,
  isWholeDays,
  localDayNumber,
  reportFromUnitDays,
  groupRows,
  timesFromText,
  type FunnelParams,
  type FunnelReport,
  type UnitDay,
  type UnitDayRow,
} from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import { SESSION_GAP_MS } from "../../core/types";
import { letEventLoopRun, type SqlExecutor, type SqlReader, type SqlTx } from "../../ingest/sql-executor.server";
import { MAX_PARAMS, valuesList, visitorLockOrder } from "../../ingest/sql";
import type { Db, DbDialect } from "../db-client";
import { CORE_EVENT_COLUMNS, toCoreEvent, type EventRow } from "./events.server";
import { toDefinition, toView } from "./funnels.server";
import { DAY_MS } from "../../core/time";
import { ATTR_COLUMN, attrsOf } from "../../core/funnel/breakdown-attrs";

export interface ResultsDeps {
  db: Db;
  dialect: DbDialect;
  exec: SqlExecutor;
}

interface ShopFunnel {
  id: string;
  def: FunnelDefinition;
  mark: number | null;
  state: string;
}

/** Events read per transaction while a build marks the shop's visitors (its write lock stays short). */
export const MARK_CHUNK_EVENTS = 20_000;

/* ------------------------------------------------------------------------------------ */
/* Refresh                                                                              */
/* ------------------------------------------------------------------------------------ */

export interface RefreshOutcome {
  /** Visitors recomputed. */
  refreshed: number;
  /** True when stale visitors were left (the cap was reached). */
  remaining: boolean;
  /** The shop's time zone, whose local days the rows are keyed by (null: no such shop). */
  timeZone: string | null;
}

/**
 * Brings the shop's funnel results up to date: starts builds of new funnels, recomputes
 * stale visitors (at most `maxVisitors`, in batches), finishes builds that are complete.
 */
export async function refreshShop(
  deps: ResultsDeps,
  shopId: number,
  opts: { maxVisitors?: number; batch?: number; markChunkEvents?: number; onProgress?: (done: number) => void } = {},
): Promise<RefreshOutcome> {
  const shop = await deps.db.shop.findUnique({ where: { id: shopId }, select: { timeZone: true } });
  if (!shop) return { refreshed: 0, remaining: false, timeZone: null };
  const chunk = opts.markChunkEvents ?? MARK_CHUNK_EVENTS;
  for (const f of await loadFunnels(deps.db, shopId)) {
    if (f.mark === null) await startBuild(deps.exec, shopId, f.id, chunk);
    // Marking cut short (the process stopped): start it again, it is idempotent.
    else if (f.state === "marking") await markVisitors(deps.exec, shopId, f.id, f.mark, chunk);
  }

  const max = opts.maxVisitors ?? Number.POSITIVE_INFINITY;
  const batch = opts.batch ?? 500;
  let refreshed = 0;
  let remaining = false;
  let idle = 0;
  let funnels: ShopFunnel[] = [];
  for (;;) {
    if (refreshed >= max) {
      remaining = true;
      break;
    }
    // Read before the markers: a batch computed for an older list of funnels is refused at
    // write time (see refreshBatch), so reading the list again each time lets it go through.
    funnels = await loadFunnels(deps.db, shopId);
    const stale = await deps.exec.query<{ clientId: string; sinceTs: number | bigint; version: number }>(
      `SELECT "clientId", "sinceTs", "version" FROM "StaleVisitor" WHERE "shopId" = $1 ORDER BY "markedAt", "clientId" LIMIT $2`,
      shopId, Math.min(batch, max - refreshed),
    );
    if (stale.length === 0) break;
    const done = await refreshBatch(deps.exec, shopId, shop.timeZone, funnels, stale.map((s) => ({ ...s, sinceTs: Number(s.sinceTs) })));
    refreshed += done;
    opts.onProgress?.(refreshed);
    await letEventLoopRun();
    // Nothing written: others (another process, new events) got there first; retry a few times.
    idle = done === 0 ? idle + 1 : 0;
    if (idle >= 3) {
      remaining = true;
      break;
    }
  }
  await finishBuilds(deps.exec, shopId, funnels);
  return { refreshed, remaining, timeZone: shop.timeZone };
}

async function loadFunnels(db: Db, shopId: number): Promise<ShopFunnel[]> {
  const rows = await db.funnel.findMany({
    where: { shopId },
    include: { steps: { select: { position: true, label: true, matchers: true } } },
  });
  return rows.map((r) => ({
    id: r.id, def: toDefinition(toView(r)), mark: r.resultsMark === null ? null : Number(r.resultsMark), state: r.resultsState,
  }));
}

/**
 * Starts a build at time M: records M on the funnel ("marking"), then marks every visitor
 * of the shop stale at M. The refresher computes the funnel for visitors as soon as they
 * are marked (its mark is set); it becomes "building" once all are, then "ready"
 * (finishBuilds).
 */
async function startBuild(exec: SqlExecutor, shopId: number, funnelId: string, chunk: number): Promise<void> {
  const mark = Date.now();
  const started = await exec.transaction(async (tx) => {
    const n = await tx.execute(
      `UPDATE "Funnel" SET "resultsMark" = $1, "resultsState" = 'marking' WHERE "shopId" = $2 AND "id" = $3 AND "resultsMark" IS NULL`,
      mark, shopId, funnelId,
    );
    if (n === 0) return false; // another process started it
    await tx.execute(`DELETE FROM "FunnelUnitDay" WHERE "shopId" = $1 AND "funnelId" = $2`, shopId, funnelId);
    return true;
  });
  if (started) await markVisitors(exec, shopId, funnelId, mark, chunk);
}

/** Builds being marked by this process (shop:funnel): a second caller leaves them to it. */
const marking = new Set<string>();

/**
 * Marks the shop's visitors stale at `mark`, `chunk` events at a time in visitor order, one
 * transaction each: one statement over a big shop's events held SQLite's write lock for
 * seconds (ingestion answered 503 meanwhile). Then the funnel is "building".
 */
async function markVisitors(exec: SqlExecutor, shopId: number, funnelId: string, mark: number, chunk: number): Promise<void> {
  const key = `${shopId}:${funnelId}`;
  if (marking.has(key)) return;
  marking.add(key);
  try {
    const min = exec.dialect === "sqlite" ? "min" : "LEAST";
    const upsert = (bound: string) =>
      `INSERT INTO "StaleVisitor" ("shopId", "clientId", "sinceTs", "version", "markedAt")
       SELECT "shopId", "clientId", MIN("ts"), 1, $1 FROM "Event" WHERE "shopId" = $2 AND "clientId" > $3${bound} GROUP BY "shopId", "clientId"
       ON CONFLICT ("shopId", "clientId") DO UPDATE SET "sinceTs" = ${min}("StaleVisitor"."sinceTs", excluded."sinceTs"),
         "version" = "StaleVisitor"."version" + 1, "markedAt" = ${min}("StaleVisitor"."markedAt", excluded."markedAt")`;
    let after = "";
    for (;;) {
      // The visitor `chunk` events on: this chunk takes every visitor up to it, whole.
      const [next] = await exec.query<{ clientId: string }>(
        `SELECT "clientId" FROM "Event" WHERE "shopId" = $1 AND "clientId" > $2 ORDER BY "clientId" LIMIT 1 OFFSET $3`,
        shopId, after, chunk,
      );
      await exec.transaction((tx) =>
        next ? tx.execute(upsert(` AND "clientId" <= $4`), mark, shopId, after, next.clientId) : tx.execute(upsert(""), mark, shopId, after),
      );
      if (!next) break;
      after = next.clientId;
      await letEventLoopRun();
    }
    await exec.transaction((tx) =>
      tx.execute(
        `UPDATE "Funnel" SET "resultsState" = 'building' WHERE "shopId" = $1 AND "id" = $2 AND "resultsMark" = $3 AND "resultsState" = 'marking'`,
        shopId, funnelId, mark,
      ),
    );
  } finally {
    marking.delete(key);
  }
}

/**
 * A building funnel is ready once every visitor marked at or before its mark has been
 * recomputed; a funnel whose build has not started (no mark) never is.
 * On PostgreSQL the building funnels are locked first, in a statement of their own: an
 * UPDATE that waits for a build committing meanwhile re-checks the funnel's new mark
 * against the markers of its own older snapshot, which lack that build's markers, and
 * would declare the funnel ready empty. After the lock, the UPDATE's snapshot has them.
 */
async function finishBuilds(exec: SqlExecutor, shopId: number, funnels: ShopFunnel[]): Promise<void> {
  if (!funnels.some((f) => f.mark !== null)) return;
  await exec.transaction(async (tx) => {
    if (exec.dialect === "postgres") {
      await tx.query(`SELECT "id" FROM "Funnel" WHERE "shopId" = $1 AND "resultsState" = 'building' FOR UPDATE`, shopId);
    }
    await tx.execute(
      `UPDATE "Funnel" SET "resultsState" = 'ready' WHERE "shopId" = $1 AND "resultsState" = 'building' AND "resultsMark" IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM "StaleVisitor" s WHERE s."shopId" = $1 AND s."markedAt" <= "Funnel"."resultsMark")`,
      shopId,
    );
  });
}

type Stale = { clientId: string; sinceTs: number; version: number };

/** Recomputes one batch of stale visitors for every started funnel; returns how many were written. */
async function refreshBatch(exec: SqlExecutor, shopId: number, timeZone: string, funnels: ShopFunnel[], stale: Stale[]): Promise<number> {
  const ids = stale.map((s) => s.clientId);
  const minSince = Math.min(...stale.map((s) => s.sinceTs));
  const started = funnels.filter((f) => f.mark !== null);
  const maxWindow = Math.max(0, ...started.filter((f) => f.def.unit === "visitor").map((f) => f.def.windowMs));
  const hasVisitorUnit = started.some((f) => f.def.unit === "visitor");

  // Session units restart at a stored session boundary: the first session still going at `since`.
  const sessions = await exec.query<{ clientId: string; startTs: number | bigint; endTs: number | bigint }>(
    staleReadsSql(exec.dialect, ids.length).sessions,
    shopId, minSince, ...ids,
  );
  const sessionStart = new Map<string, number>();
  for (const s of stale) sessionStart.set(s.clientId, s.sinceTs);
  const sinceOf = new Map(stale.map((s) => [s.clientId, s.sinceTs]));
  for (const s of sessions) {
    if (Number(s.endTs) < sinceOf.get(s.clientId)!) continue;
    sessionStart.set(s.clientId, Math.min(sessionStart.get(s.clientId)!, Number(s.startTs)));
  }
  // Visitor units: attempts that can reach the new events start up to a window earlier;
  // their local day is recomputed whole (two days of margin cover any zone offset).
  const visitorLoadFrom = (since: number) => since - maxWindow - 2 * DAY_MS;
  const loadFrom = new Map(stale.map((s) => [s.clientId, Math.min(sessionStart.get(s.clientId)!, hasVisitorUnit ? visitorLoadFrom(s.sinceTs) : Number.POSITIVE_INFINITY)]));

  const rows = await exec.query<EventRow>(staleReadsSql(exec.dialect, ids.length).events, shopId, Math.min(...loadFrom.values()), ...ids);
  const events = new Map<string, ReturnType<typeof toCoreEvent>[]>();
  for (const r of rows) {
    const e = toCoreEvent(r);
    if (e.ts < loadFrom.get(e.visitorId)!) continue;
    const list = events.get(e.visitorId);
    if (list) list.push(e);
    else events.set(e.visitorId, [e]);
  }

  // What each funnel's rows become, per visitor: the rows to delete and the new ones.
  type Change = { funnel: ShopFunnel; clientId: string; fromDay?: number; fromTs?: number; rows: UnitDay[] };
  const changes: Change[] = [];
  for (const s of stale) {
    const list = events.get(s.clientId) ?? [];
    for (const f of started) {
      if (f.def.unit === "session") {
        const from = sessionStart.get(s.clientId)!;
        changes.push({ funnel: f, clientId: s.clientId, fromTs: from, rows: computeUnitDays(list.filter((e) => e.ts >= from), f.def, timeZone) });
      } else {
        const fromDay = localDayNumber(s.sinceTs - f.def.windowMs, timeZone);
        const from = s.sinceTs - f.def.windowMs - 2 * DAY_MS;
        const rows = computeUnitDays(list.filter((e) => e.ts >= from), f.def, timeZone).filter((r) => r.day >= fromDay);
        changes.push({ funnel: f, clientId: s.clientId, fromDay, rows });
      }
    }
  }

  return exec.transaction(async (tx) => {
    // Funnels rebuilt or deleted since they were read get no rows (FOR SHARE holds off a
    // concurrent delete on PostgreSQL; SQLite's write lock already does).
    const current = await tx.query<{ id: string; resultsMark: number | bigint | null }>(
      `SELECT "id", "resultsMark" FROM "Funnel" WHERE "shopId" = $1${exec.dialect === "postgres" ? " FOR SHARE" : ""}`,
      shopId,
    );
    // Removing a marker claims the visitor for every funnel, so the batch must have been
    // computed for exactly the funnels started now. A build started since (it marked the
    // visitor again, maybe after we read the marker) or a funnel deleted since: leave the
    // markers for the next pass, which reads the funnels again.
    const known = new Map(started.map((f) => [f.id, f.mark]));
    const now = current.filter((c) => c.resultsMark !== null);
    if (now.length !== known.size || now.some((c) => known.get(c.id) !== Number(c.resultsMark))) return 0;
    const valid = new Set(now.map((c) => c.id));
    const done = new Set<string>();
    // Lock order, as the ingestion writer marks visitors: no deadlock between the two.
    for (const s of stale.map((v) => ({ ...v, shopId })).sort(visitorLockOrder)) {
      const removed = await tx.execute(
        `DELETE FROM "StaleVisitor" WHERE "shopId" = $1 AND "clientId" = $2 AND "version" = $3`,
        shopId, s.clientId, s.version,
      );
      if (removed > 0) done.add(s.clientId); // else: new events arrived after our read; the next pass redoes it
    }
    const inserts = new Map<string, UnitDayRow[]>();
    for (const c of changes) {
      if (!done.has(c.clientId) || !valid.has(c.funnel.id)) continue;
      if (c.fromTs !== undefined) {
        await tx.execute(
          `DELETE FROM "FunnelUnitDay" WHERE "shopId" = $1 AND "funnelId" = $2 AND "clientId" = $3 AND "entryTs" >= $4`,
          shopId, c.funnel.id, c.clientId, c.fromTs,
        );
      } else {
        await tx.execute(
          `DELETE FROM "FunnelUnitDay" WHERE "shopId" = $1 AND "funnelId" = $2 AND "clientId" = $3 AND "day" >= $4`,
          shopId, c.funnel.id, c.clientId, c.fromDay,
        );
      }
      const perUnit = new Map<string, number>();
      for (const r of c.rows) perUnit.set(r.unitId, (perUnit.get(r.unitId) ?? 0) + 1);
      const list = inserts.get(c.funnel.id) ?? [];
      for (const r of c.rows) list.push({ ...r, multi: perUnit.get(r.unitId)! > 1 });
      inserts.set(c.funnel.id, list);
    }
    for (const [funnelId, list] of inserts) await insertRows(tx, exec.dialect, shopId, funnelId, list);
    // A visitor unit's older days were kept: its multi flag counts every row it has.
    for (const c of changes) {
      if (c.fromDay === undefined || !done.has(c.clientId) || !valid.has(c.funnel.id)) continue;
      await tx.execute(
        `UPDATE "FunnelUnitDay" SET "multi" = (SELECT COUNT(*) FROM "FunnelUnitDay" x WHERE x."shopId" = $1 AND x."funnelId" = $2 AND x."unitId" = $3) > 1
         WHERE "shopId" = $4 AND "funnelId" = $5 AND "unitId" = $6`,
        shopId, c.funnel.id, c.clientId, shopId, c.funnel.id, c.clientId,
      );
    }
    return done.size;
  });
}

const COLUMNS = [
  "shopId", "funnelId", "unitId", "day", "clientId", "entryTs", "furthest", "msFromPrev", "latestStartTs", "lastTs", "multi",
  "device", "source", "campaign", "landingPath", "visitorType", "loggedIn",
] as const;

async function insertRows(tx: SqlTx, dialect: DbDialect, shopId: number, funnelId: string, rows: (UnitDayRow & { visitorId?: string })[]) {
  const bool = (b: boolean) => (dialect === "sqlite" ? (b ? 1 : 0) : b);
  const per = Math.floor(MAX_PARAMS / COLUMNS.length);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await tx.execute(
      `INSERT INTO "FunnelUnitDay" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${valuesList(chunk.length, COLUMNS.length)}`,
      ...chunk.flatMap((r) => [
        shopId, funnelId, r.unitId, r.day, r.visitorId, r.entryTs, r.furthest, r.msFromPrev.join(","), r.latestStartTs, r.lastTs,
        bool(r.multi), r.attrs.device, r.attrs.source, r.attrs.campaign, r.attrs.landingPath, r.attrs.visitorType, bool(r.attrs.loggedIn),
      ]),
    );
  }
}

function placeholders(count: number, start: number): string {
  return Array.from({ length: count }, (_, i) => `$${start + i}`).join(", ");
}

/**
 * The refresher's reads of `count` visitors ($3…) of shop $1 from time $2 on: their
 * sessions still going, and their events with their sessions' attributes.
 */
export function staleReadsSql(dialect: DbDialect, count: number): { sessions: string; events: string } {
  return {
    sessions: perVisitor(dialect, count, `s."clientId", s."startTs", s."endTs"`, `"VisitorSession" s`, `s."shopId" = $1 AND s."endTs" >= $2`, `s."clientId"`),
    // A session belongs to its visitor: saying so lets the session side be looked up per visitor too.
    events: perVisitor(dialect, count, CORE_EVENT_COLUMNS,
      `"Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId" AND s."clientId" = e."clientId"`,
      `e."shopId" = $1 AND e."isBot" = false AND e."ts" >= $2`, `e."clientId"`),
  };
}

/**
 * `cols` from `from` where `where` holds, for the visitors in $3… (`visitorCol` is the
 * visitor's id column). PostgreSQL runs it per visitor (LATERAL … OFFSET 0): with a plain
 * `IN` list and no statistics yet it read every session of the shop and probed each one's
 * events (see ingest/resession-sql.ts for the same trap in ingestion).
 */
function perVisitor(dialect: DbDialect, count: number, cols: string, from: string, where: string, visitorCol: string): string {
  if (dialect === "sqlite") return `SELECT ${cols} FROM ${from} WHERE ${where} AND ${visitorCol} IN (${placeholders(count, 3)})`;
  const visitors = Array.from({ length: count }, (_, i) => `($${i + 3})`).join(", ");
  return `SELECT x.* FROM (VALUES ${visitors}) AS v("clientId") CROSS JOIN LATERAL (SELECT ${cols} FROM ${from} WHERE ${where} AND ${visitorCol} = v."clientId" OFFSET 0) x`;
}

/* ------------------------------------------------------------------------------------ */
/* Background refresher                                                                 */
/* ------------------------------------------------------------------------------------ */

/**
 * Every `intervalMs`, refreshes each shop with stale visitors or a building funnel.
 * Errors are logged and retried next time (markers stay until their rows are written).
 */
export function startResultsRefresher(deps: ResultsDeps, intervalMs = 1_000): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      for (const shopId of await shopsToRefresh(deps.exec)) {
        if (stopped) return;
        await refreshShop(deps, shopId, { maxVisitors: 5_000 });
      }
    } catch (error) {
      console.error("[funnel-results] refresh failed; retrying", error);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs).unref();
  };
  timer = setTimeout(tick, intervalMs).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Ids of shops with work to do. A scheduler's list of shop ids: no shop's data is read. */
async function shopsToRefresh(exec: SqlExecutor): Promise<number[]> {
  const rows = await exec.query<{ shopId: number }>(
    `SELECT DISTINCT "shopId" FROM "StaleVisitor" UNION SELECT "shopId" FROM "Funnel" WHERE "resultsState" IN ('marking', 'building')`,
  );
  return rows.map((r) => Number(r.shopId));
}

/* ------------------------------------------------------------------------------------ */
/* Reports                                                                              */
/* ------------------------------------------------------------------------------------ */

/** How far a report may go to bring results up to date (a few seconds at most) before falling back to events. */
export const REPORT_FLUSH_MAX_VISITORS = 5_000;

/** A report's reads run on `reads` (createSqlReader): its three queries at the same time. */
export type ReportDeps = ResultsDeps & { reads: SqlReader };

/**
 * The funnel's report from its precomputed rows, or null when they cannot answer: the
 * funnel is still building, the range is not whole local days of the shop's zone, or more visitors are stale
 * than a report should wait for. Equal to computeFunnel over the shop's events.
 */
export async function unitDayReport(
  deps: ReportDeps,
  shopId: number,
  funnelId: string,
  def: FunnelDefinition,
  params: FunnelParams,
): Promise<FunnelReport | null> {
  if (!isWholeDays(params.from, params.to, params.timeZone)) return null;
  let flushed: RefreshOutcome;
  try {
    flushed = await refreshShop(deps, shopId, { maxVisitors: REPORT_FLUSH_MAX_VISITORS });
  } catch (error) {
    // E.g. a deadlock with another process's refresher: the events still answer.
    console.error("[funnel-results] refresh before a report failed; answering from the events", error instanceof Error ? error.message : error);
    return null;
  }
  // Rows are keyed by the shop's local days: other zones' days are other ranges.
  if (flushed.remaining || flushed.timeZone !== params.timeZone) return null;
  const funnel = await deps.db.funnel.findFirst({ where: { id: funnelId, shopId }, select: { resultsState: true } });
  if (funnel?.resultsState !== "ready") return null;
  const rows = await readRows(deps, shopId, funnelId, def, params);
  return reportFromUnitDays(rows, def, params);
}

type Attr = string | number | boolean | bigint | null;
type Num = number | bigint;
type RawGroup = { day: Num; ts: Num; furthest: Num; attr: Attr; ipn: Num; n: Num };
type RawMs = RawGroup & { ms: string };
type RawRow = {
  unitId: string; day: Num; entryTs: Num; furthest: Num; msFromPrev: string; latestStartTs: Num; lastTs: Num; attr: Attr;
};

/**
 * readRows' three statements, for shop $1, funnel $2 and local days [$3, $4). `timed` is
 * null without step times (params.stepTimes false): every single-day unit is only counted.
 */
export function reportReadsSql(dialect: DbDialect, def: FunnelDefinition, params: Pick<FunnelParams, "now" | "breakdown" | "stepTimes">) {
  const attr = params.breakdown ? `"${ATTR_COLUMN[params.breakdown]}"` : "NULL";
  const [no, yes] = dialect === "sqlite" ? ["0", "1"] : ["false", "true"];
  // Could the unit still advance at `now` (a completed one is never in progress: see readRows).
  // A literal, not a parameter: it appears before the WHERE clause's parameters, and
  // SQLite binds $n in order of appearance. It is a number computed here.
  const bound = Math.floor(def.unit === "visitor" ? params.now - def.windowMs : params.now - SESSION_GAP_MS);
  const ipn = `SUM(CASE WHEN ${def.unit === "visitor" ? `"latestStartTs"` : `"lastTs"`} > ${bound} THEN 1 ELSE 0 END) AS ipn`;
  const where = `"shopId" = $1 AND "funnelId" = $2 AND "multi" = ${no} AND "day" >= $3 AND "day" < $4`;
  const groupBy = ['"furthest"', '"day"', attr].filter((g) => g !== "NULL").join(", ");
  const times = params.stepTimes !== false;
  // Steps as a list, not a range: SQLite then seeks each step's days (a range on furthest
  // would stop the index there and scan every day).
  const reached = (min: number) => `"furthest" IN (${Array.from({ length: def.steps.length - min + 1 }, (_, i) => min + i).join(", ") || "NULL"})`;
  return {
    groups: `SELECT "furthest", "day", MIN("entryTs") AS ts, ${attr} AS attr, ${ipn}, COUNT(*) AS n FROM "FunnelUnitDay"
       WHERE ${where} AND ${times ? `"furthest" = 1` : reached(1)} GROUP BY ${groupBy}`,
    // Joined into one text per group: shipping a few long strings is far cheaper than one
    // row object per unit through the driver. A group's units reached the same step, so
    // the text is `count` runs of furthest − 1 durations.
    timed: !times ? null : `SELECT "furthest", "day", MIN("entryTs") AS ts, ${attr} AS attr, ${ipn}, COUNT(*) AS n,
         ${dialect === "sqlite" ? `group_concat("msFromPrev", ',')` : `string_agg("msFromPrev", ',')`} AS ms
       FROM "FunnelUnitDay" WHERE ${where} AND ${reached(2)} GROUP BY ${groupBy}`,
    multi: `SELECT "unitId", "day", "entryTs", "furthest", "msFromPrev", "latestStartTs", "lastTs", ${attr} AS attr
       FROM "FunnelUnitDay" WHERE "shopId" = $1 AND "funnelId" = $2 AND "multi" = ${yes} AND ${reached(1)} AND "day" >= $3 AND "day" < $4`,
  };
}

/**
 * Three reads, each as narrow as the figures allow: units that stopped at step 1 on
 * their only day, counted per (furthest step, day, breakdown value) with how many are in
 * progress — most units, few rows; the other single-day units the same way plus their step
 * times — which feed medians; and units with rows on several days, whole, to combine.
 * Groups follow the covering index's order (multi, furthest, day), so SQLite aggregates
 * while it scans instead of sorting the rows first.
 */
async function readRows(deps: ReportDeps, shopId: number, funnelId: string, def: FunnelDefinition, params: FunnelParams): Promise<UnitDayRow[]> {
  const sql = reportReadsSql(deps.dialect, def, params);
  const args = [shopId, funnelId, localDayNumber(params.from, params.timeZone), localDayNumber(params.to, params.timeZone)] as const;
  const [groups, timed, multi] = await Promise.all([
    deps.reads.query<RawGroup>(sql.groups, ...args),
    sql.timed === null ? Promise.resolve([] as RawMs[]) : deps.reads.query<RawMs>(sql.timed, ...args),
    deps.reads.query<RawRow>(sql.multi, ...args),
  ]);
  const steps = def.steps.length;
  const out: UnitDayRow[] = [];
  const add = (g: RawGroup, ms?: string) => {
    const furthest = Number(g.furthest);
    const count = Number(g.n);
    const row = {
      unitId: "", day: Number(g.day), entryTs: Number(g.ts), furthest, msFromPrev: [], latestStartTs: 0, lastTs: 0, multi: false,
      attrs: attrsOf(params.breakdown, g.attr),
    };
    // A completed unit is never in progress.
    out.push(...groupRows(row, count, furthest < steps ? Number(g.ipn) : 0, ms === undefined ? undefined : timesFromText(ms, count, furthest - 1)));
  };
  for (const g of groups) add(g);
  for (const g of timed) add(g, g.ms);
  for (const r of multi) {
    out.push({
      unitId: r.unitId, day: Number(r.day), entryTs: Number(r.entryTs), furthest: Number(r.furthest),
      msFromPrev: r.msFromPrev === "" ? [] : r.msFromPrev.split(",").map(Number),
      latestStartTs: Number(r.latestStartTs), lastTs: Number(r.lastTs), multi: true, attrs: attrsOf(params.breakdown, r.attr),
    });
  }
  return out;
}
