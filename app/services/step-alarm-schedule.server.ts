/**
 * Runs the step alarm (step-alarm.server.ts) inside the production server: every
 * STEP_ALARM_CHECK_SECONDS (15 minutes by default), first shortly after start, and for a
 * shop at once when one of its funnels' results becomes ready (a new funnel, an edited
 * one, the demo's first page load), so a break already in the data is shown without waiting
 * a period. Never throws and never keeps the process alive; periodic runs never overlap
 * (periodic-job.server.ts). Several runs may check at once (here or in other processes): an
 * alert is opened inside a transaction that first looks for an open one of the same step
 * and segment.
 */
import { onResultsReady } from "./funnel-results/nudge";
import { startPeriodicJob } from "./periodic-job.server";
import type { ResultsDeps } from "./funnel-results/state.server";
import { runStepAlarm, type AlarmRunReport } from "./step-alarm.server";

const summary = (reports: AlarmRunReport[], started: number) => {
  const sum = (k: "opened" | "updated" | "cleared") => reports.reduce((n, r) => n + r[k], 0);
  return `${reports.length} funnels: ${sum("opened")} opened, ${sum("updated")} still open, ${sum("cleared")} cleared in ${Date.now() - started} ms`;
};

export function startStepAlarm(deps: ResultsDeps, checkSeconds: number): () => void {
  if (checkSeconds === 0) {
    console.log("[step-alarm] checks disabled (STEP_ALARM_CHECK_SECONDS=0)");
    return () => {};
  }
  const stopJob = startPeriodicJob({
    name: "step-alarm",
    intervalMs: checkSeconds * 1000,
    async run() {
      const started = Date.now();
      console.log(`[step-alarm] ${summary(await runStepAlarm(deps, started), started)}`);
    },
  });
  // One check per shop at a time; a shop announced again meanwhile is checked once more after it.
  const inFlight = new Map<number, Promise<void>>();
  const again = new Set<number>();
  const checkShop = (shopId: number) => {
    if (inFlight.has(shopId)) {
      again.add(shopId);
      return;
    }
    const started = Date.now();
    const run = runStepAlarm(deps, started, { shopIds: [shopId] })
      .then((reports) => console.log(`[step-alarm] shop ${shopId} (results ready): ${summary(reports, started)}`))
      .catch((error) => console.error(`[step-alarm] check of shop ${shopId} failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        inFlight.delete(shopId);
        if (again.delete(shopId)) checkShop(shopId);
      });
    inFlight.set(shopId, run);
  };
  const stopReady = onResultsReady(checkShop);
  return () => {
    stopJob();
    stopReady();
  };
}
