/**
 * The stored alerts' side of a step-alarm run, in memory, as app/services/step-alarm.server.ts
 * keeps it in the database: each check's decisions (decideAlerts) applied to the list of
 * alerts. Shared by the seeded harnesses of the server's run.
 */
import { decideAlerts, type AlertAction, type AlertState, type FunnelCheck } from "../../core/diagnosis/watch-run";

/** Applies one check's decisions at time `t` to `alerts` (mutated); returns those that opened. */
export function applyAlertDecisions(check: FunnelCheck, alerts: AlertState[], t: number): Extract<AlertAction, { kind: "open" }>[] {
  const opened: Extract<AlertAction, { kind: "open" }>[] = [];
  for (const a of decideAlerts(check, alerts)) {
    if (a.kind === "open") {
      opened.push(a);
      alerts.push({ id: `a${alerts.length}`, step: a.check.step, segment: a.check.segment, status: "open", since: a.figures.since, clearedAt: null });
    } else if (a.kind === "clear") {
      const open = alerts.find((x) => x.id === a.id)!;
      open.status = "cleared";
      open.clearedAt = t;
    }
  }
  return opened;
}
