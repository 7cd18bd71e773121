/**
 * Runs the retention job (retention.server.ts) inside the production server: once shortly
 * after start, then every RETENTION_INTERVAL_HOURS. Never throws and never keeps the
 * process alive: a failed run is logged and the next one tries again.
 */
import type { Db } from "../../db/prisma";
import { applyRetention } from "./retention.server";
import { startPeriodicJob } from "./periodic-job.server";

export function startRetentionSchedule(db: Db, intervalHours: number): () => void {
  if (intervalHours === 0) {
    console.log("[retention] scheduled runs disabled (RETENTION_INTERVAL_HOURS=0)");
    return () => {};
  }
  return startPeriodicJob({
    name: "retention",
    intervalMs: intervalHours * 3_600_000,
    async run() {
      const started = Date.now();
      const results = await applyRetention(db, { now: started });
      const events = results.reduce((n, r) => n + r.events, 0);
      const sessions = results.reduce((n, r) => n + r.sessions, 0);
      const funnelRows = results.reduce((n, r) => n + r.funnelRows, 0);
      for (const r of results) if (r.skipped) console.error(`[retention] shop ${r.shopId} skipped: ${r.skipped}`);
      console.log(
        `[retention] ${results.length} shops: deleted ${events} events, ${sessions} sessions, ${funnelRows} funnel result rows in ${Date.now() - started} ms`,
      );
    },
  });
}
