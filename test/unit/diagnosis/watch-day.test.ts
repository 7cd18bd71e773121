/**
 * The false alerts a merchant sees: on steady funnel-days (five weeks of traffic whose step
 * rates never change), the share of days on which the job's checks — every 15 minutes,
 * through `checkFunnel` and `decideAlerts` as app/services/step-alarm.server.ts runs them —
 * open any alert on the funnel, at three shop sizes. The stated rate is
 * docs/diagnosis.md "How the server runs it": at most 2 % of steady funnel-days (measured:
 * 0, 0 and 2 of 100 days at the demo's size, ~1,000 and ~3,000 sessions a day). The same
 * harness with a planted break must alert, so a quiet day is the method's doing.
 *
 * Each funnel-day is 96 checks of 12 series (hours and days each), about a second of CPU at
 * ~3,000 sessions a day, so the day
 * counts are kept small (100 per size, 300 in all) for the unit project to stay quick. The
 * price: the pooled count fails a correct method at most 1 time in 100 and catches a
 * method at 3 × the stated rate 92 times in 100, but one at 2 × only 42 times in 100 —
 * the measured counts, not this allowance, are what docs/diagnosis.md reports.
 */
import { describe, expect, it } from "vitest";
import { steadyDay } from "../../helpers/steady-alarm-day";
import { binomialCritical } from "../../helpers/binomial";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday (UTC); the seeds walk through the week's days. */
const MONDAY = Date.UTC(2026, 10, 2);
/** Stated: the share of steady funnel-days with any alert. */
const DAY_RATE = 0.02;

describe("false alerts per steady funnel-day, checked every 15 minutes (4-step funnel, overall + 3 devices)", () => {
  const sizes = [
    { label: "a demo-sized shop (~50 sessions a day: every series compares days)", perDay: 50, days: 100, hourly: [0, 0] },
    { label: "~1,000 sessions a day (the busier series compare hours)", perDay: 1000, days: 100, hourly: [2, 6] },
    { label: "~3,000 sessions a day (most series compare hours)", perDay: 3000, days: 100, hourly: [5, 9] },
  ];
  let pooledDays = 0;
  let pooledAlerted = 0;

  it.each(sizes)(
    "$label: days with any alert stay under the stated 2 %",
    ({ perDay, days, hourly }) => {
      let alerted = 0;
      let alarmingChecks = 0;
      for (let seed = 1; seed <= days; seed++) {
        const day = steadyDay({ perDay, seed: perDay * 1_000 + seed, dayStart: MONDAY + (seed % 7) * DAY });
        expect(day.series).toBe(12);
        expect(day.hourly).toBeGreaterThanOrEqual(hourly[0]);
        expect(day.hourly).toBeLessThanOrEqual(hourly[1]);
        if (day.opened > 0) alerted++;
        alarmingChecks += day.alarmingChecks;
      }
      pooledDays += days;
      pooledAlerted += alerted;
      console.log(
        `[alarm per day] ${perDay} sessions a day: ${alerted} of ${days} steady funnel-days with an alert (${alarmingChecks} alarming checks of ${days * 96})`,
      );
      // 100 days at 2 %: 7 or more alerted days happen by chance at most 1 time in 100 (at
      // 6 %, 39 times in 100): a coarse check per size; the pooled count below is sharper.
      expect(alerted).toBeLessThan(binomialCritical(days, DAY_RATE));
    },
    900_000,
  );

  it("the harness sees an alert when there is one: mobile's add to cart broken at 10:00 on ~1,000 sessions a day", () => {
    const dayStart = MONDAY + 2 * DAY;
    const day = steadyDay({ perDay: 1000, seed: 1_000_001, dayStart, mobileCartBrokenFrom: dayStart + 10 * HOUR });
    expect(day.first).toMatchObject({ step: 2, segment: "mobile", since: dayStart + 10 * HOUR });
    expect(day.first!.at - (dayStart + 10 * HOUR)).toBeLessThanOrEqual(2 * HOUR);
  }, 60_000);

  it("over all sizes together, alerted days stay under the stated 2 %", () => {
    expect(pooledDays).toBe(300);
    // 300 days at 2 %: 13 or more by chance at most 1 time in 100 (at 4 %, 42 in 100; at 6 %, 92).
    expect(pooledAlerted).toBeLessThan(binomialCritical(pooledDays, DAY_RATE));
  });
});
