/**
 * Runs the retention job (retention.server.ts) inside the production server: once shortly
 * after start, then every RETENTION_INTERVAL_HOURS. Never throws and never keeps the
 * process alive: a failed run is logged and the next one tries again.
 */
import prisma from "../db.server";
import { env } from "../env.server";
import { applyRetention } from "./retention.server";

/** Not at once: start-up and the first requests come first. */
const FIRST_RUN_DELAY_MS = 60_000;

export function startRetentionSchedule(intervalHours = env.RETENTION_INTERVAL_HOURS): () => void {
  if (intervalHours === 0) {
    console.log("[retention] scheduled runs disabled (RETENTION_INTERVAL_HOURS=0)");
    return () => {};
  }
  const intervalMs = intervalHours * 3_600_000;
  let running = false;
  let interval: NodeJS.Timeout | undefined;

  const run = async () => {
    // A run slower than the interval must not overlap the next one.
    if (running) return;
    running = true;
    const started = Date.now();
    try {
      const results = await applyRetention(prisma, { now: started });
      const events = results.reduce((n, r) => n + r.events, 0);
      const sessions = results.reduce((n, r) => n + r.sessions, 0);
      const funnelRows = results.reduce((n, r) => n + r.funnelRows, 0);
      for (const r of results) if (r.skipped) console.error(`[retention] shop ${r.shopId} skipped: ${r.skipped}`);
      console.log(`[retention] ${results.length} shops: deleted ${events} events, ${sessions} sessions, ${funnelRows} funnel result rows in ${Date.now() - started} ms`);
    } catch (error) {
      // Only the message: errors from the driver can carry connection details.
      console.error(`[retention] run failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };

  const first = setTimeout(() => {
    void run();
    interval = setInterval(() => void run(), intervalMs);
    interval.unref();
  }, Math.min(FIRST_RUN_DELAY_MS, intervalMs));
  first.unref();
  return () => {
    clearTimeout(first);
    clearInterval(interval);
  };
}
