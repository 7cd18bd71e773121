import { describe, expect, it } from "vitest";
import { watchGranularity, watchStep, type WatchBucket } from "../../../core/diagnosis/watch";

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

describe("watchStep", () => {
  it("computes the shortfall against the baseline with both sources of noise (hand-computed)", () => {
    // Expected 100·0.5 = 50; Var = 100·0.25 + 100²·0.25/400 = 31.25; z = −30/√31.25 = −5.3666.
    const r = watchStep([{ start: T0, settled: 100, converted: 20, baseline: { settled: 400, converted: 200 } }]);
    expect(r.looks).toBe(1);
    expect(r.threshold).toBeCloseTo(-3.0902, 4); // Φ⁻¹(0.001)
    expect(r.alarm).toMatchObject({ since: T0, settled: 100, converted: 20, observedRate: 0.2, expectedRate: 0.5 });
    expect(r.alarm!.z).toBeCloseTo(-5.3666, 4);
  });

  it("does not look at spans expected to hold under 10 conversions or under 10 losses, or without a baseline of 30", () => {
    // Expected 9.5 conversions of 19 at 50 %: too few for the normal approximation.
    expect(watchStep([{ start: T0, settled: 19, converted: 0, baseline: { settled: 400, converted: 200 } }])).toMatchObject({ alarm: null, looks: 0 });
    // 100 units at 95 %: only 5 expected losses.
    expect(watchStep([{ start: T0, settled: 100, converted: 50, baseline: { settled: 400, converted: 380 } }])).toMatchObject({ alarm: null, looks: 0 });
    // 20 units at 50 % (10 and 10) are judged: none of them converting is an alarm.
    expect(watchStep([{ start: T0, settled: 20, converted: 0, baseline: { settled: 400, converted: 200 } }]).alarm).toMatchObject({
      settled: 20,
      converted: 0,
    });
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
    // Power, not certainty: 49 of these 50 seeded days alarm at the right hour; 48 is the floor.
    expect(found).toBeGreaterThanOrEqual(48);
  });

  it("alarms on an unchanged step at most at its stated rate (2,000 seeded days at 5 % and at 0.1 %)", () => {
    for (const rate of [0.05, 0.001]) {
      const random = seeded(7);
      let alarms = 0;
      const runs = 2000;
      for (let run = 0; run < runs; run++) if (watchStep(day(random, { perHour: 40 }), { falseAlarmRate: rate }).alarm) alarms++;
      expect(alarms / runs).toBeLessThanOrEqual(rate + 2 * Math.sqrt((rate * (1 - rate)) / runs));
    }
  });

  it("keeps its rate at 5 % on steps most units pass (85 % and 95 %), where the normal tail alone is too thin", () => {
    // Without the skewness shift, 95 % steps alarmed on 6.6 % of these days at a = 5 % (and 1.4 % at 0.1 %).
    for (const p of [0.85, 0.95]) {
      const random = seeded(11);
      let alarms = 0;
      const runs = 2000;
      for (let run = 0; run < runs; run++) {
        const buckets = Array.from({ length: 24 }, (_, h) => ({
          start: T0 + h * HOUR,
          settled: 40,
          converted: binomial(random, 40, p),
          baseline: { settled: 160, converted: binomial(random, 160, p) },
        }));
        if (watchStep(buckets, { falseAlarmRate: 0.05 }).alarm) alarms++;
      }
      expect(alarms / runs, `p = ${p}`).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / runs));
    }
  });

  it("compares days when an hour holds too few units", () => {
    expect(watchGranularity(40)).toBe("hour");
    expect(watchGranularity(10)).toBe("day");
  });
});
