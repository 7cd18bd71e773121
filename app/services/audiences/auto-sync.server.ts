/**
 * Daily automatic audience sync. Each audience with `autoSync` on is due when its last
 * scheduled run settled more than a day ago (or never ran). A due audience is synced by
 * `runAudienceSync`, the same code path as the page's "Sync now": one plan against what
 * the last completed run left tagged, so nothing is tagged twice and members who left are
 * untagged. A run that needs more than one time budget continues on the next check; its
 * time and result are recorded when it settles (done or failed), so a failure waits a day.
 */
import type { Db } from "../../../db/prisma";
import type { AdminGraphql } from "../admin-graphql.server";
import { hasSyncScope, runAudienceSync, SYNC_SCOPE, type SyncOptions, type SyncView } from "./sync.server";

export const AUTO_SYNC_PERIOD_MS = 24 * 3_600_000;

/** Admin API access of a shop for a background job; null when the shop has no usable offline session. */
export type OfflineAdmin = (shopDomain: string) => Promise<{ admin: AdminGraphql; scope: string | null | undefined } | null>;

export interface AutoSyncStatus {
  enabled: boolean;
  lastRunAt: string | null;
  /** "done", "failed" or "skipped" (nothing could be sent: scope or session missing). */
  lastStatus: string | null;
  lastResult: string | null;
  /** When the next run is due (ISO); null when disabled. A run due in the past starts at the next check. */
  nextDueAt: string | null;
}

export function autoSyncStatus(row: {
  autoSync: boolean;
  autoSyncLastAt: Date | null;
  autoSyncStatus: string | null;
  autoSyncResult: string | null;
}): AutoSyncStatus {
  return {
    enabled: row.autoSync,
    lastRunAt: row.autoSyncLastAt?.toISOString() ?? null,
    lastStatus: row.autoSyncStatus,
    lastResult: row.autoSyncResult,
    nextDueAt: row.autoSync ? new Date((row.autoSyncLastAt?.getTime() ?? 0) + AUTO_SYNC_PERIOD_MS).toISOString() : null,
  };
}

/** Every audience's automatic sync state in a shop, by audience id (the list page's column). */
export async function listAutoSync(db: Db, shopId: number): Promise<Record<string, AutoSyncStatus>> {
  const rows = await db.audience.findMany({
    where: { shopId },
    select: { id: true, autoSync: true, autoSyncLastAt: true, autoSyncStatus: true, autoSyncResult: true },
  });
  return Object.fromEntries(rows.map((r) => [r.id, autoSyncStatus(r)]));
}

export async function getAutoSync(db: Db, shopId: number, audienceId: string): Promise<AutoSyncStatus | null> {
  const row = await db.audience.findFirst({
    where: { id: audienceId, shopId },
    select: { autoSync: true, autoSyncLastAt: true, autoSyncStatus: true, autoSyncResult: true },
  });
  return row ? autoSyncStatus(row) : null;
}

/** Turns the daily sync of one of the shop's audiences on or off; false for an unknown audience. */
export async function setAutoSync(db: Db, shopId: number, audienceId: string, enabled: boolean): Promise<boolean> {
  const { count } = await db.audience.updateMany({ where: { id: audienceId, shopId }, data: { autoSync: enabled } });
  return count === 1;
}

/**
 * One line for the page and the log: counts only. The run's own error text can name a
 * customer, so it stays on the sync run (which customers/redact scrubs), not here.
 */
export function describeRun(s: SyncView): string {
  const base = `${s.tagged} tagged, ${s.untagged} untagged, ${s.refused} refused by Shopify`;
  if (s.status === "done") return base;
  return `${base}; stopped${s.blocked ? ` (${s.blocked === "scope" ? "access scope missing" : "protected customer data access missing"})` : ""}, ${s.remaining} still to do — see the sync status`;
}

export interface AutoSyncRunReport {
  audienceId: string;
  shopId: number;
  outcome: "done" | "failed" | "skipped" | "continuing" | "busy";
  result: string;
}

/** Syncs every due audience once (one time budget each). Never throws for one audience's failure. */
export async function runDueAutoSyncs(db: Db, getAdmin: OfflineAdmin, opts: { now?: number; sync?: SyncOptions } = {}): Promise<AutoSyncRunReport[]> {
  const now = opts.now ?? Date.now();
  const due = await db.audience.findMany({
    where: { autoSync: true, OR: [{ autoSyncLastAt: null }, { autoSyncLastAt: { lte: new Date(now - AUTO_SYNC_PERIOD_MS) } }] },
    select: { id: true, shopId: true },
    orderBy: [{ autoSyncLastAt: "asc" }, { id: "asc" }],
  });
  const reports: AutoSyncRunReport[] = [];
  for (const a of due) {
    const shop = await db.shop.findUnique({ where: { id: a.shopId }, select: { domain: true, uninstalledAt: true } });
    const record = async (status: "done" | "failed" | "skipped", result: string) => {
      await db.audience.updateMany({
        where: { id: a.id, shopId: a.shopId },
        data: { autoSyncLastAt: new Date(now), autoSyncStatus: status, autoSyncResult: result.slice(0, 500) },
      });
      reports.push({ audienceId: a.id, shopId: a.shopId, outcome: status, result });
    };
    try {
      if (!shop || shop.uninstalledAt) {
        await record("skipped", "the app is not installed on this shop");
        continue;
      }
      const access = await getAdmin(shop.domain);
      if (!access) {
        await record("skipped", "no offline access token for this shop; open the app once to renew it");
        continue;
      }
      if (!hasSyncScope(access.scope)) {
        await record("skipped", `the ${SYNC_SCOPE} access scope is not granted; grant it on the audience page`);
        continue;
      }
      const outcome = await runAudienceSync(db, a.shopId, a.id, access.admin, opts.sync);
      if (outcome.busy) reports.push({ audienceId: a.id, shopId: a.shopId, outcome: "busy", result: "another request is working on this sync" });
      else if (outcome.sync.status === "running")
        reports.push({ audienceId: a.id, shopId: a.shopId, outcome: "continuing", result: describeRun(outcome.sync) });
      else await record(outcome.sync.status, describeRun(outcome.sync));
    } catch (error) {
      // Only the message: driver errors can carry connection details.
      await record("failed", error instanceof Error ? error.message : String(error)).catch(() => {});
    }
  }
  return reports;
}
