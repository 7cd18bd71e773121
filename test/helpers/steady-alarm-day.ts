/**
 * A steady funnel-day as the step alarm's job sees it: five weeks of Purchase-funnel
 * sessions whose step rates never change (they differ by device, not by week), then the
 * last day checked every 15 minutes through the pure path the job takes —
 * `checkFunnel` on the hour groups the job's read would return at that moment (ended
 * units only, judged at the check for the latest week and at the same moment 1–4 weeks
 * earlier for the baseline weeks: db/queries/alarm-hour-groups.ts), then `decideAlerts`
 * on the alerts the day's earlier checks left. Any "open" is a false alert.
 */
import { checkFunnel, stepGroupsOf, HOUR_MS, WEEK_HOURS, type AlertState, type HourGroup } from "../../core/diagnosis/watch-run";
import { seededRandom } from "./funnel-seed";
import { applyAlertDecisions } from "./alert-book";

const MIN = 60_000;
const WEEK_MS = WEEK_HOURS * HOUR_MS;
/** A session counts once it has had no event for 30 minutes (SESSION_GAP_MS). */
const GAP = 30 * MIN;
/** The simulator's shape of a day (scripts/lib/simulation.ts): sessions by UTC hour. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 9, 11, 12, 12, 10, 6, 3];
const HOUR_SUM = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
/** Devices as the simulator draws them (58 / 36 / 6 %), each with its own steady step rates. */
const DEVICES = [
  { name: "mobile", share: 0.58, rates: [0.45, 0.35, 0.45] },
  { name: "desktop", share: 0.36, rates: [0.55, 0.45, 0.55] },
  { name: "tablet", share: 0.06, rates: [0.5, 0.4, 0.5] },
] as const;
export const STEPS = 4;

export interface SteadyDay {
  /** Alerts the day's checks opened (0 on a correct day). */
  opened: number;
  /** The first alert opened: when, and what it named. */
  first: { at: number; step: number; segment: string; since: number } | null;
  /** Checks that found any alarming series (before decideAlerts). */
  alarmingChecks: number;
  /** Series per check (transitions × segments seen) and how many of them compared hours. */
  series: number;
  hourly: number;
}

/**
 * One steady funnel-day of a shop with about `perDay` sessions a day (every session views a
 * product: the funnel's units), the last day [dayStart, dayStart + 24 h) checked every
 * `everyMinutes`. `mobileCartBrokenFrom` plants a break instead (mobile's view → cart at 5 %
 * from then), to show the harness sees an alert when there is one.
 */
export function steadyDay(opts: {
  perDay: number;
  seed: number;
  dayStart: number;
  everyMinutes?: number;
  runFalseAlarmRate?: number;
  mobileCartBrokenFrom?: number;
}): SteadyDay {
  const random = seededRandom(opts.seed);
  const dayStartHour = opts.dayStart / HOUR_MS;
  const firstHour = dayStartHour - 5 * WEEK_HOURS;
  const lastHour = dayStartHour + 24;
  // Units whose counting can change during the day: those near the moving edge of each week
  // (the day itself, the same hours 1–4 weeks back, and the read window's oldest hours).
  const volatile = (h: number) => {
    const back = (dayStartHour + 24 - h) % WEEK_HOURS;
    return back <= 27 || h >= dayStartHour - 2;
  };
  const slots = (lastHour - firstHour) * DEVICES.length * (STEPS + 1);
  const fixed = new Float64Array(slots);
  const vHour: number[] = [];
  const vEnded: number[] = [];
  const vSlot: number[] = [];
  for (let h = firstHour; h < lastHour; h++) {
    const mean = ((opts.perDay * HOUR_WEIGHTS[h % 24]) / HOUR_SUM) * weekday(h);
    const n = poisson(random, mean);
    for (let i = 0; i < n; i++) {
      const u = random();
      const d = u < DEVICES[0].share ? 0 : u < DEVICES[0].share + DEVICES[1].share ? 1 : 2;
      const entry = h * HOUR_MS + random() * HOUR_MS;
      // The harness's own check: mobile's add to cart falling to 5 % from a given time.
      const broken = d === 0 && opts.mobileCartBrokenFrom !== undefined && entry >= opts.mobileCartBrokenFrom;
      let furthest = 1;
      while (furthest < STEPS && random() < (broken && furthest === 1 ? 0.05 : DEVICES[d].rates[furthest - 1])) furthest++;
      // Last event a few minutes per step later; counted once the 30-minute gap has passed.
      const ended = entry + furthest * (1 + 4 * random()) * MIN + GAP;
      const slot = ((h - firstHour) * DEVICES.length + d) * (STEPS + 1) + furthest;
      if (volatile(h)) {
        vHour.push(h);
        vEnded.push(ended);
        vSlot.push(slot);
      } else fixed[slot]++;
    }
  }
  const counts = new Float64Array(slots);
  const groupsAt = (t: number): HourGroup[] => {
    counts.set(fixed);
    const endHour = Math.floor(t / HOUR_MS) + 1;
    for (let i = 0; i < vHour.length; i++) {
      const week = Math.floor((endHour - 1 - vHour[i]) / WEEK_HOURS);
      if (week >= 0 && vEnded[i] + week * WEEK_MS <= t) counts[vSlot[i]]++;
    }
    const groups: HourGroup[] = [];
    for (let s = 0; s < slots; s++) {
      if (counts[s] === 0) continue;
      const furthest = s % (STEPS + 1);
      const rest = (s - furthest) / (STEPS + 1);
      const d = rest % DEVICES.length;
      groups.push({ hour: firstHour + (rest - d) / DEVICES.length, device: DEVICES[d].name, furthest, n: counts[s] });
    }
    return groups;
  };
  const alerts: AlertState[] = [];
  const out: SteadyDay = { opened: 0, first: null, alarmingChecks: 0, series: 0, hourly: 0 };
  const every = (opts.everyMinutes ?? 15) * MIN;
  for (let t = opts.dayStart + every; t <= opts.dayStart + 24 * HOUR_MS; t += every) {
    const check = checkFunnel(stepGroupsOf(groupsAt(t), STEPS), { now: t, steps: STEPS, runFalseAlarmRate: opts.runFalseAlarmRate });
    out.series = check.series;
    out.hourly = check.checks.filter((c) => c.granularity === "hour").length;
    if (check.checks.some((c) => c.alarm)) out.alarmingChecks++;
    for (const a of applyAlertDecisions(check, alerts, t)) {
      out.opened++;
      out.first ??= { at: t, step: a.check.step, segment: a.check.segment, since: a.figures.since };
    }
  }
  return out;
}

/** Weekends are a little quieter (day 0 of the epoch was a Thursday). */
const weekday = (h: number) => ([0, 6].includes((Math.floor(h / 24) + 4) % 7) ? 0.85 : 1.05);

/** Poisson draw (Knuth for small means, normal approximation above 50: counts of an hour). */
function poisson(random: () => number, mean: number): number {
  if (mean > 50) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}
