/**
 * The server-level step alarm on the simulator's traffic: five weeks of simulated visitors
 * (scripts/lib/simulation.ts, optionally with a planted break), their Purchase-funnel
 * sessions computed once by the pure engine, then the last day checked every 15 minutes
 * exactly as app/services/step-alarm.server.ts runs a check — the hour groups its read
 * (db/queries/alarm-hour-groups.ts) would return at that moment (a session counts once it
 * has had no event for 30 minutes, judged at the check for the latest week and at the same
 * moment 1–4 weeks earlier for the baseline weeks), `checkFunnel` at the job's level, then
 * `decideAlerts` on the alerts the earlier checks left. A session that had ended by the
 * check is final (a later event would open another session), so one computation with every
 * event known serves every check.
 */
import { checkFunnel, HOUR_MS, readWindow, WEEK_HOURS, type AlertState, type HourGroup } from "../../core/diagnosis/watch-run";
import { computeUnitResults } from "../../core/funnel/engine";
import { sessionize } from "../../core/sessionize";
import { SESSION_GAP_MS } from "../../core/types";
import { simulateVisitors, type PlantedEffects } from "../../scripts/lib/simulation";
import { simulatedCoreEvents } from "../../scripts/lib/simulation-events";
import { PURCHASE } from "./sim-diagnosis";
import { applyAlertDecisions } from "./alert-book";

const WEEK_MS = WEEK_HOURS * HOUR_MS;
const SHOP = "sim-server-alarm.myshopify.com";

export interface OpenedAlert {
  /** The check that opened it. */
  at: number;
  step: number;
  segment: string;
  granularity: "hour" | "day";
  since: number;
}

export interface ServerAlarmSim {
  /** Stored sessions a day over the week before `dayStart`. */
  perDay: number;
  /** The job's read at `t`. */
  groupsAt(t: number): HourGroup[];
  /** Every alert the checks from `from` to `to` opened, in order. */
  run(opts: { from: number; to: number; everyMinutes?: number; runFalseAlarmRate?: number }): OpenedAlert[];
}

/** Five weeks of simulated traffic ending at `end` (journeys stop 3 hours before it). */
export function serverAlarmSim(opts: { visitors: number; seed: number; end: number; effects?: PlantedEffects }): ServerAlarmSim {
  const from = opts.end - 35 * 24 * HOUR_MS;
  const events = simulatedCoreEvents(simulateVisitors({ shop: SHOP, visitors: opts.visitors, from, to: opts.end, seed: opts.seed, effects: opts.effects }));
  const lastTs = new Map(sessionize(events).map((s) => [s.id, s.end]));
  const units = computeUnitResults(events, PURCHASE, { from, to: opts.end, now: opts.end, timeZone: "UTC" });
  const hour = Int32Array.from(units, (u) => Math.floor(u.entry.ts / HOUR_MS));
  const ended = Float64Array.from(units, (u) => lastTs.get(u.unitId)!);
  const device = units.map((u) => (u.entry.attrs.device as string | null) ?? null);
  const furthest = Int8Array.from(units, (u) => u.furthest);
  const weekBefore = opts.end - 24 * HOUR_MS - 7 * 24 * HOUR_MS;
  const perDay = sessionize(events.filter((e) => e.ts >= weekBefore && e.ts < opts.end - 24 * HOUR_MS)).length / 7;

  /** The job's read at `t`: ended units per entry hour, device and furthest step. */
  const groupsAt = (t: number): HourGroup[] => {
    const { fromHour, endHour } = readWindow(t);
    const endedBy = t - SESSION_GAP_MS;
    const counts = new Map<string, HourGroup>();
    for (let i = 0; i < units.length; i++) {
      const h = hour[i];
      if (h < fromHour || h >= endHour) continue;
      const week = Math.floor((endHour - 1 - h) / WEEK_HOURS);
      if (ended[i] + week * WEEK_MS > endedBy) continue;
      const key = `${h}|${device[i]}|${furthest[i]}`;
      const g = counts.get(key);
      if (g) g.n++;
      else counts.set(key, { hour: h, device: device[i], furthest: furthest[i], n: 1 });
    }
    return [...counts.values()];
  };

  return {
    perDay,
    groupsAt,
    run({ from: start, to, everyMinutes = 15, runFalseAlarmRate }) {
      const alerts: AlertState[] = [];
      const opened: OpenedAlert[] = [];
      for (let t = start; t <= to; t += everyMinutes * 60_000) {
        const check = checkFunnel(groupsAt(t), { now: t, steps: PURCHASE.steps.length, runFalseAlarmRate });
        for (const a of applyAlertDecisions(check, alerts, t)) {
          opened.push({ at: t, step: a.check.step, segment: a.check.segment, granularity: a.check.granularity, since: a.figures.since });
        }
      }
      return opened;
    },
  };
}
