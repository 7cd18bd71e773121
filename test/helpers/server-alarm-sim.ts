/**
 * The server-level step alarm on the simulator's traffic: five weeks of simulated visitors
 * (scripts/lib/simulation.ts, optionally with a planted break), their Purchase-funnel
 * sessions computed once by the pure engine, then the last day checked every 15 minutes
 * exactly as app/services/step-alarm.server.ts runs a check — the hour groups its read
 * (db/queries/alarm-hour-groups.ts) would return at that moment (core's `stepOutcome`: a
 * unit counts at a step once it reached it within STEP_WITHIN_MS (20 minutes) of the step
 * before, or that time is over, judged at the check for the latest week and at the same moment 1–4
 * weeks earlier for the baseline weeks), `checkFunnel` at the job's level, then
 * `decideAlerts` on the alerts the earlier checks left. An outcome within that time is
 * final once known, so one computation with every event known serves every check (a later
 * attempt of the same session that goes further can change its deciding attempt; the
 * server's rows then change too).
 */
import { checkFunnel, HOUR_MS, readWindow, stepOutcome, WEEK_HOURS, type AlertState, type StepHourGroup } from "../../core/diagnosis/watch-run";
import { computeUnitResults } from "../../core/funnel/engine";
import { sessionize } from "../../core/sessionize";
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
  groupsAt(t: number): StepHourGroup[];
  /** Every alert the checks from `from` to `to` opened, in order. */
  run(opts: { from: number; to: number; everyMinutes?: number; runFalseAlarmRate?: number }): OpenedAlert[];
}

/** Five weeks of simulated traffic ending at `end` (journeys stop 3 hours before it). */
export function serverAlarmSim(opts: { visitors: number; seed: number; end: number; effects?: PlantedEffects }): ServerAlarmSim {
  const from = opts.end - 35 * 24 * HOUR_MS;
  const events = simulatedCoreEvents(simulateVisitors({ shop: SHOP, visitors: opts.visitors, from, to: opts.end, seed: opts.seed, effects: opts.effects }));
  const units = computeUnitResults(events, PURCHASE, { from, to: opts.end, now: opts.end, timeZone: "UTC" });
  const steps = PURCHASE.steps.length;
  const hour = Int32Array.from(units, (u) => Math.floor(u.entry.ts / HOUR_MS));
  const device = units.map((u) => (u.entry.attrs.device as string | null) ?? null);
  const judged = units.map((u) => ({ entryTs: u.entry.ts, furthest: u.furthest, msFromPrev: u.msFromPrev }));
  const weekBefore = opts.end - 24 * HOUR_MS - 7 * 24 * HOUR_MS;
  const perDay = sessionize(events.filter((e) => e.ts >= weekBefore && e.ts < opts.end - 24 * HOUR_MS)).length / 7;

  /** The job's read at `t`: per entry hour, device and step, units counted and converted. */
  const groupsAt = (t: number): StepHourGroup[] => {
    const { fromHour, endHour } = readWindow(t);
    const counts = new Map<string, StepHourGroup>();
    for (let i = 0; i < units.length; i++) {
      const h = hour[i];
      if (h < fromHour || h >= endHour) continue;
      const week = Math.floor((endHour - 1 - h) / WEEK_HOURS);
      for (let step = 2; step <= steps; step++) {
        const outcome = stepOutcome(judged[i], step, t - week * WEEK_MS);
        if (outcome === "not counted") continue;
        const key = `${h}|${device[i]}|${step}`;
        let g = counts.get(key);
        if (!g) counts.set(key, (g = { hour: h, device: device[i], step, settled: 0, converted: 0 }));
        g.settled++;
        if (outcome === "converted") g.converted++;
      }
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
