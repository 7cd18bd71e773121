import { describe, expect, it } from "vitest";
import { hypergeometric, watchGranularity, watchScales, watchStep, type WatchBucket } from "../../../core/diagnosis/watch";
import { binomialCritical } from "../../helpers/binomial";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1);

/** Mulberry32: the same draws on every run. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const binomial = (random: () => number, n: number, p: number) => {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
};

/** A day of hourly buckets whose rate follows the hour; from `breakAt` on, the rate is `broken`. */
function day(random: () => number, opts: { perHour: number; breakAt?: number; broken?: number }): WatchBucket[] {
  return Array.from({ length: 24 }, (_, h) => {
    const p = 0.4 + 0.1 * Math.sin((h / 24) * 2 * Math.PI); // the shop's usual daily shape
    const now = opts.breakAt !== undefined && h >= opts.breakAt ? opts.broken! : p;
    const baselineUnits = opts.perHour * 4;
    return {
      start: T0 + h * HOUR,
      settled: opts.perHour,
      converted: binomial(random, opts.perHour, now),
      baseline: { settled: baselineUnits, converted: binomial(random, baselineUnits, p) },
    };
  });
}

describe("hypergeometric", () => {
  it("matches hand-computed probabilities", () => {
    // 2 recent units of 4, 2 of the 4 converted: P(none of the recent) = C(2,0)·C(2,2)/C(4,2) = 1/6.
    const d = hypergeometric(4, 2, 2);
    expect(d.off).toBe(0);
    expect([...d.p]).toEqual([1 / 6, 4 / 6, 1 / 6].map((x) => expect.closeTo(x, 12)));
    // Every unit converted: only one outcome.
    expect([...hypergeometric(10, 10, 3).p]).toEqual([1]);
  });
});

describe("watchStep", () => {
  it("computes the exact p-value of a span against its baseline (hand-computed with exact binomial coefficients)", () => {
    // P(X ≤ 20), X hypergeometric: 100 recent of 500 units, 220 converted in all = 2.2806e-8.
    const r = watchStep([{ start: T0, settled: 100, converted: 20, baseline: { settled: 400, converted: 200 } }]);
    expect(r.looks).toBe(1);
    expect(r.threshold).toBeCloseTo(0.001, 12);
    expect(r.alarm).toMatchObject({ since: T0, settled: 100, converted: 20, observedRate: 0.2, expectedRate: 0.5 });
    expect(r.alarm!.pValue / 2.2805748029854366e-8).toBeCloseTo(1, 9);
    // Two buckets: the sum of two hypergeometrics, P(S ≤ 5) = 1.23397e-6.
    const two = watchStep(
      [
        { start: T0, settled: 20, converted: 2, baseline: { settled: 80, converted: 40 } },
        { start: T0 + HOUR, settled: 30, converted: 3, baseline: { settled: 120, converted: 50 } },
      ],
      { falseAlarmRate: 0.05 },
    );
    expect(two.alarm!.since).toBe(T0);
    expect(two.worst!.pValue / 1.2339711519811566e-6).toBeCloseTo(1, 9);
  });

  it("tests spans of any size exactly, counts only spans that could reach the bar, and needs a baseline of 30", () => {
    // 19 units at 50 %, none converting: P = 9.4e-7 at that size, an alarm.
    expect(watchStep([{ start: T0, settled: 19, converted: 0, baseline: { settled: 400, converted: 200 } }]).alarm).toMatchObject({ settled: 19 });
    // 3 units cannot show a fall at 0.1 % whatever they do: not a look (Tarone), no alarm.
    const few = watchStep([{ start: T0, settled: 3, converted: 0, baseline: { settled: 400, converted: 200 } }]);
    expect(few).toMatchObject({ alarm: null });
    expect(few.worst!.minPValue).toBeGreaterThan(0.001);
    expect(watchStep([{ start: T0, settled: 100, converted: 0, baseline: { settled: 29, converted: 15 } }])).toMatchObject({ alarm: null, looks: 0 });
    expect(watchStep([{ start: T0, settled: 100, converted: 0, baseline: { settled: 0, converted: 0 } }])).toMatchObject({ alarm: null, looks: 0 });
    expect(() => watchStep([{ start: T0, settled: 1, converted: 2, baseline: { settled: 1, converted: 0 } }])).toThrow(/impossible/);
  });

  it("names the hour a step broke, within 2 hours, on a shop of ~1,000 sessions a day", () => {
    // ~40 units an hour reach the step; from 16:00 its conversion falls from ~0.3–0.5 to 0.05.
    let found = 0;
    for (let run = 0; run < 50; run++) {
      const buckets = day(seeded(run + 1), { perHour: 40, breakAt: 16, broken: 0.05 });
      // Checked at 17:59: two hours of broken traffic.
      const r = watchStep(buckets.slice(0, 18));
      if (r.alarm && Math.abs(r.alarm.since - (T0 + 16 * HOUR)) <= HOUR) found++;
    }
    expect(found).toBeGreaterThanOrEqual(48);
  });

  /**
   * The false-alarm rate, measured: many seeded steady series (the recent hours and their
   * 4 baseline weeks drawn from the same hourly rates, which follow the day's shape around
   * the level), each checked once. Counts are the recent units an hour (the baseline holds
   * 4 times as many). Fails when the share of checks that alarm reaches the count a method
   * at exactly the stated rate would reach only 1 time in 100 (binomialCritical).
   */
  const levels = [0.05, 0.3, 0.5, 0.85, 0.98];
  it.each([
    { perHour: 5, rate: 0.001, runs: 20_000 },
    { perHour: 40, rate: 0.001, runs: 10_000 },
    { perHour: 400, rate: 0.01, runs: 2_000 },
  ])(
    "alarms on unchanged steps at most at the stated rate $rate: steps converting 5–98 %, $perHour units an hour ($runs checks each)",
    ({ perHour, rate, runs }) => {
      const measured: string[] = [];
      for (const level of levels) {
        const random = seeded(Math.round(level * 1000) + perHour);
        let alarms = 0;
        for (let run = 0; run < runs; run++) {
          // watchStep reads the latest 6 buckets; 8 are drawn.
          const buckets = Array.from({ length: 8 }, (_, h) => {
            const p = Math.min(0.995, level * (1 + 0.15 * Math.sin((h / 8) * 2 * Math.PI)));
            return {
              start: T0 + h * HOUR,
              settled: perHour,
              converted: binomial(random, perHour, p),
              baseline: { settled: 4 * perHour, converted: binomial(random, 4 * perHour, p) },
            };
          });
          if (watchStep(buckets, { falseAlarmRate: rate }).alarm) alarms++;
        }
        measured.push(`${level * 100} %: ${alarms} of ${runs}`);
        expect(alarms, `level ${level}`).toBeLessThan(binomialCritical(runs, rate));
      }
      console.log(`[watch] checks that alarmed at a = ${rate}, ${perHour} units an hour: ${measured.join(", ")}`);
    },
    120_000,
  );

  it("compares days when an hour holds too few units", () => {
    expect(watchGranularity(40)).toBe("hour");
    expect(watchGranularity(10)).toBe("day");
  });
});

describe("watchScales (hours and days in one scan)", () => {
  /** Recent and baseline of one bucket drawn at rate p. */
  const draw = (random: () => number, start: number, n: number, p: number, recentP = p): WatchBucket => ({
    start,
    settled: n,
    converted: binomial(random, n, recentP),
    baseline: { settled: 4 * n, converted: binomial(random, 4 * n, p) },
  });

  it("is watchStep on one scale, and a scale too thin to reach the bar costs the other nothing (Tarone over both)", () => {
    const random = seeded(7);
    const days = Array.from({ length: 7 }, (_, d) => draw(random, T0 + d * 24 * HOUR, 300, 0.45));
    const one = watchStep(days);
    expect(watchScales([days])).toEqual({ ...one, scale: one.alarm ? 0 : null });
    // 2 units an hour: no span of 6 hours could fall far enough, so no look is spent on them.
    const thin = Array.from({ length: 24 }, (_, h) => draw(random, T0 + h * HOUR, 2, 0.45));
    const both = watchScales([thin, days]);
    expect(both.looks).toBe(one.looks);
    expect(both.threshold).toBe(one.threshold);
  });

  it("names the finer scale's change point when the hours fell, and splits the bar over both scales' spans", () => {
    const random = seeded(8);
    const BREAK = T0 + 6 * 24 * HOUR + 14 * HOUR;
    const hours = Array.from({ length: 24 }, (_, h) => draw(random, T0 + 6 * 24 * HOUR + h * HOUR, 30, 0.45, h >= 14 ? 0.03 : 0.45)).slice(0, 17);
    const days = Array.from({ length: 7 }, (_, d) => draw(random, T0 + d * 24 * HOUR, 300, 0.45));
    const r = watchScales([hours, days]);
    expect(r.scale).toBe(0);
    expect(r.alarm!.since).toBe(BREAK);
    // Every span of both scales can reach the bar here: 6 hours + 6 days.
    expect(r.looks).toBe(12);
  });

  it("reads a break older than the hours scanned on the days: its day, not the oldest hour scanned", () => {
    const random = seeded(10);
    // Broken for the last 3 days: every hour scanned is low, so is every day since the break.
    const days = Array.from({ length: 7 }, (_, d) => draw(random, T0 + d * 24 * HOUR, 100, 0.45, d >= 4 ? 0.03 : 0.45));
    const hours = Array.from({ length: 24 }, (_, h) => draw(random, T0 + 6 * 24 * HOUR + h * HOUR, 4, 0.45, 0.03));
    const r = watchScales([hours, days]);
    expect(r.scale).toBe(1);
    expect(r.alarm!.since).toBe(T0 + 4 * 24 * HOUR);
  });

  it("alarms on unchanged steps at most at the stated rate over both scales (0.01; 3,000 checks)", () => {
    const random = seeded(9);
    const runs = 3_000;
    let alarms = 0;
    for (let run = 0; run < runs; run++) {
      const p = 0.2 + 0.6 * random();
      const hours = Array.from({ length: 8 }, (_, h) => draw(random, T0 + h * HOUR, 20, p));
      const days = Array.from({ length: 7 }, (_, d) => draw(random, T0 + d * 24 * HOUR, 200, p));
      if (watchScales([hours, days], { falseAlarmRate: 0.01 }).alarm) alarms++;
    }
    console.log(`[watch] two-scale checks that alarmed at a = 0.01: ${alarms} of ${runs}`);
    expect(alarms).toBeLessThan(binomialCritical(runs, 0.01));
  });
});
