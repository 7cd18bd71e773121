/**
 * Data retention: drops each shop's raw events and derived sessions older than the
 * shop's `retentionDays` (core/shop-settings.ts).
 *
 * Only raw, per-visitor data goes: `Event` rows by `ts`, `VisitorSession` rows by
 * `endTs` (the activity buckets before the cutoff are recounted from what remains), and precomputed funnel results (`FunnelUnitDay`) of units that entered before
 * the cutoff, so reports from them match reports from the remaining events. Orders (what reconciliation compares against), funnels, audiences and their
 * syncs are aggregates or merchant configuration and are kept.
 *
 * Takes the Prisma client as an argument (no db.server / env.server import), so the
 * server's schedule, `npm run retention` and tests all drive the same code.
 */
import { letEventLoopRun } from "../../db/executor";
import type { Db } from "../../db/prisma";
import { executeOn, type Query } from "../../db/query";
import DELETE_EVENTS from "../../db/queries/retention-delete-events";
import DELETE_FUNNEL_ROWS from "../../db/queries/retention-delete-funnel-rows";
import DELETE_SESSIONS from "../../db/queries/retention-delete-sessions";
import { rebuildActivity } from "./activity.server";
import { parseShopSettings, ShopSettingsError } from "../../core/shop-settings";
import { DAY_MS } from "../../core/time";

export const DEFAULT_BATCH_SIZE = 5_000;

export interface RetentionProgress {
  shopId: number;
  table: "Event" | "VisitorSession" | "FunnelUnitDay";
  /** Rows of this shop deleted so far in this run. */
  events: number;
  sessions: number;
  funnelRows: number;
}

export interface ShopRetentionResult {
  shopId: number;
  retentionDays: number | null;
  /** Epoch ms: rows strictly older than this were deleted. */
  cutoff: number | null;
  events: number;
  sessions: number;
  /** Precomputed funnel result rows (FunnelUnitDay) deleted. */
  funnelRows: number;
  /** Set when the shop was skipped (its settings could not be read); nothing was deleted. */
  skipped?: string;
}

export interface RetentionOptions {
  now: number | Date;
  /** Only this shop; all shops (installed or not — data stays until shop/redact) otherwise. */
  shopId?: number;
  /** Rows per DELETE statement. Each statement is its own short transaction. */
  batchSize?: number;
  onProgress?: (progress: RetentionProgress) => void;
}

// Bounded batches: each statement deletes at most `limit` rows and commits on its own, so
// ingestion never waits behind one long write (SQLite has a single writer; on PostgreSQL a
// huge DELETE would hold row locks and bloat WAL in one go). DELETE … LIMIT is not
// portable, so the batch is chosen by a subselect on the primary key, filtered by shop in
// both the outer statement and the subselect (no statement touches another shop's rows).
// The subselect walks the ("shopId", "ts") index.
// (db/queries/retention-delete-*.ts)

/**
 * Applies every shop's retention setting once. Returns what was deleted per shop.
 *
 * Orphans: events go first, then sessions. A session is deleted only when its endTs is
 * before the cutoff, and every event of a session has ts <= endTs, so its events are
 * already gone — no event is left pointing at a missing session, even if the run stops
 * between the two steps (the next run finishes the sessions). A session that spans the
 * cutoff is kept with its newer events. Ingestion never rewrites sessions that old: it
 * rejects events older than INGEST_MAX_AGE_HOURS (72 h) and retention is at least 30 days.
 */
export async function applyRetention(db: Db, opts: RetentionOptions): Promise<ShopRetentionResult[]> {
  const now = typeof opts.now === "number" ? opts.now : opts.now.getTime();
  const limit = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const shops = await db.shop.findMany({
    where: opts.shopId === undefined ? {} : { id: opts.shopId },
    select: { id: true, settings: true },
    orderBy: { id: "asc" },
  });
  const results: ShopRetentionResult[] = [];
  for (const shop of shops) {
    let retentionDays: number;
    try {
      retentionDays = parseShopSettings(shop.settings).retentionDays;
    } catch (error) {
      if (!(error instanceof ShopSettingsError)) throw error;
      results.push({ shopId: shop.id, retentionDays: null, cutoff: null, events: 0, sessions: 0, funnelRows: 0, skipped: error.message });
      continue;
    }
    const cutoff = now - retentionDays * DAY_MS;
    const result: ShopRetentionResult = { shopId: shop.id, retentionDays, cutoff, events: 0, sessions: 0, funnelRows: 0 };
    const report = (table: RetentionProgress["table"]) =>
      opts.onProgress?.({ shopId: shop.id, table, events: result.events, sessions: result.sessions, funnelRows: result.funnelRows });

    result.events = await deleteInBatches(db, DELETE_EVENTS, shop.id, cutoff, limit, (n) => {
      result.events = n;
      report("Event");
    });
    result.sessions = await deleteInBatches(db, DELETE_SESSIONS, shop.id, cutoff, limit, (n) => {
      result.sessions = n;
      report("VisitorSession");
    });
    result.funnelRows = await deleteInBatches(db, DELETE_FUNNEL_ROWS, shop.id, cutoff, limit, (n) => {
      result.funnelRows = n;
      report("FunnelUnitDay");
    });
    // The dashboard's counts follow the rows that remain.
    if (result.events > 0 || result.sessions > 0) await rebuildActivity(db, shop.id, { before: cutoff });
    results.push(result);
  }
  return results;
}

async function deleteInBatches(
  db: Db,
  statement: Query<{ shopId: number; cutoff: number; limit: number }>,
  shopId: number,
  cutoff: number,
  limit: number,
  progress: (deletedSoFar: number) => void,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await executeOn(db, statement, { shopId, cutoff, limit });
    total += deleted;
    if (deleted > 0) progress(total);
    if (deleted < limit) return total;
    // Let requests waiting on this process (ingestion, admin pages) run between batches.
    await letEventLoopRun();
  }
}
