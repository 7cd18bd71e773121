/**
 * The step alarm as the server runs it, on the simulator's traffic with a planted break:
 * five weeks of simulated visitors, the Purchase funnel's sessions, and the last day's
 * checks every 15 minutes through `checkFunnel` (at the job's level, RUN_FALSE_ALARM_RATE
 * split over the funnel's series) and `decideAlerts`, on exactly the hour groups the job's
 * read returns at each moment (test/helpers/server-alarm-sim.ts). What the merchant gets:
 * the first alert naming the broken step, the device and the hour it broke — and when.
 * The measured times are in docs/diagnosis.md ("How the server runs it").
 */
import { afterAll, describe, expect, it } from "vitest";
import { serverAlarmSim, type OpenedAlert } from "../../helpers/server-alarm-sim";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A Sunday midnight (UTC), as in simulated.test.ts: the broken day is a Saturday.
const END = Date.UTC(2026, 10, 29);

/** Checks from 8 hours before the break to `after` hours after it; the alerts they opened. */
function brokenDay(opts: { hour: number; seed: number; visitors: number; step: "add-to-cart" | "purchase"; after: number }) {
  const BREAK = END - DAY + opts.hour * HOUR;
  const sim = serverAlarmSim({
    visitors: opts.visitors,
    seed: opts.seed,
    end: END,
    effects: { brokenDevice: { device: "mobile", from: BREAK, step: opts.step } },
  });
  const opened = sim.run({ from: BREAK - 8 * HOUR, to: BREAK + opts.after * HOUR });
  return { BREAK, perDay: sim.perDay, opened };
}

/** The first alert naming `step` on mobile, and the delay from the break in hours. */
function named(day: { BREAK: number; opened: OpenedAlert[] }, step: number) {
  const first = day.opened.find((a) => a.step === step && a.segment === "mobile");
  return first ? { ...first, hours: (first.at - day.BREAK) / HOUR } : null;
}

describe("the server's run names a planted break (checks every 15 minutes at the job's level)", () => {
  const delays: { hour: number; seed: number; hours: number }[] = [];

  // ~1,000 sessions a day: mobile's add to cart broken from hour:00 of a Saturday.
  it.each([10, 16, 19].flatMap((hour) => [1, 2, 3].map((seed) => ({ hour, seed }))))(
    "add to cart at ~1,000 sessions a day, broken at $hour:00 (seed $seed): step 2, mobile and the hour, within 2 hours; silent before",
    ({ hour, seed }) => {
      const day = brokenDay({ hour, seed, visitors: 28_000, step: "add-to-cart", after: 3 });
      expect(day.perDay).toBeGreaterThan(800);
      expect(day.perDay).toBeLessThan(1300);
      // Nothing in the 8 hours before the break, nothing naming another step or device.
      expect(day.opened.filter((a) => a.at <= day.BREAK)).toEqual([]);
      expect(day.opened.filter((a) => a.step !== 2 || (a.segment !== "mobile" && a.segment !== "overall"))).toEqual([]);
      const first = named(day, 2);
      expect(first).not.toBeNull();
      expect(first).toMatchObject({ granularity: "hour", since: day.BREAK });
      expect(first!.hours).toBeLessThanOrEqual(2);
      delays.push({ hour, seed, hours: first!.hours });
    },
    180_000,
  );

  afterAll(() => {
    if (delays.length === 0) return;
    console.log(
      `[server alarm] add to cart at ~1,000 sessions a day, hours to the first mobile alert: ${delays.map((d) => `${d.hour}:00#${d.seed} ${d.hours}`).join(", ")}`,
    );
  });

  // Steady days of the same shop: a whole day of checks raises nothing.
  it.each([4, 5, 6])(
    "no break at ~1,000 sessions a day (seed %i): 96 checks over a day raise no alert",
    (seed) => {
      const sim = serverAlarmSim({ visitors: 28_000, seed, end: END });
      expect(sim.run({ from: END - DAY, to: END - 15 * 60_000 })).toEqual([]);
    },
    180_000,
  );

  // ~3,000 sessions a day: mobile's payment broken.
  it.each([10, 16, 19])(
    "checkout → purchase at ~3,000 sessions a day, broken at %i:00: step 4, mobile and the hour, within 2 hours",
    (hour) => {
      const day = brokenDay({ hour, seed: 1, visitors: 84_000, step: "purchase", after: 3 });
      expect(day.perDay).toBeGreaterThan(2500);
      expect(day.perDay).toBeLessThan(3800);
      expect(day.opened.filter((a) => a.at <= day.BREAK)).toEqual([]);
      const first = named(day, 4);
      expect(first).not.toBeNull();
      expect(first).toMatchObject({ granularity: "hour", since: day.BREAK });
      expect(first!.hours).toBeLessThanOrEqual(2);
      console.log(`[server alarm] payment at ~3,000 sessions a day, ${hour}:00: first mobile alert after ${first!.hours} h`);
    },
    300_000,
  );

  // A demo-sized shop: days are what it can compare.
  it.each([1, 2, 3])(
    "a demo-sized shop (~50 sessions a day): step 2, mobile and the day of the break within 2 days (seed %i)",
    (seed) => {
      const BREAK = END - 3 * DAY;
      const sim = serverAlarmSim({ visitors: 1750, seed, end: END, effects: { brokenDevice: { device: "mobile", from: BREAK, step: "add-to-cart" } } });
      const opened = sim.run({ from: BREAK - DAY, to: BREAK + 2 * DAY, everyMinutes: 60 });
      expect(opened.filter((a) => a.at <= BREAK)).toEqual([]);
      const first = opened.find((a) => a.step === 2 && a.segment === "mobile");
      expect(first).toBeDefined();
      expect(first!.granularity).toBe("day");
      expect(first!.at - BREAK).toBeLessThanOrEqual(2 * DAY);
      // Days are the buckets: the day of the break or, ending with the current hour, the block before it.
      expect(Math.abs(first!.since - BREAK)).toBeLessThanOrEqual(DAY);
    },
    120_000,
  );
});
