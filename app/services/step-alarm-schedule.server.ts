/**
 * Runs the step alarm (step-alarm.server.ts) inside the production server: every
 * STEP_ALARM_CHECK_SECONDS (15 minutes by default), first shortly after start. Never throws and
 * never keeps the process alive; runs never overlap (periodic-job.server.ts). Several
 * processes may check at once: an alert is opened inside a transaction that first looks
 * for an open one of the same step and segment.
 */
import { startPeriodicJob } from "./periodic-job.server";
import type { ResultsDeps } from "./funnel-results/state.server";
import { runStepAlarm } from "./step-alarm.server";

export function startStepAlarm(deps: ResultsDeps, checkSeconds: number): () => void {
  if (checkSeconds === 0) {
    console.log("[step-alarm] checks disabled (STEP_ALARM_CHECK_SECONDS=0)");
    return () => {};
  }
  return startPeriodicJob({
    name: "step-alarm",
    intervalMs: checkSeconds * 1000,
    async run() {
      const started = Date.now();
      const reports = await runStepAlarm(deps, started);
      const sum = (k: "opened" | "updated" | "cleared") => reports.reduce((n, r) => n + r[k], 0);
      console.log(
        `[step-alarm] ${reports.length} funnels: ${sum("opened")} opened, ${sum("updated")} still open, ${sum("cleared")} cleared in ${Date.now() - started} ms`,
      );
    },
  });
}
