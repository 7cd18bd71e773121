import { describe, expect, it } from "vitest";
import {
  checkFunnel,
  stepGroupsOf,
  stepOutcome,
  STEP_WITHIN_MS,
  decideAlerts,
  HOUR_MS,
  readWindow,
  RUN_FALSE_ALARM_RATE,
  weekOf,
  type AlertState,
  type HourGroup,
} from "../../../core/diagnosis/watch-run";

/** Mulberry32: the same draws on every run. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOW = Date.UTC(2026, 11, 8, 17, 40); // Tue 17:40 UTC
const { fromHour, endHour } = readWindow(NOW);

/**
 * Five weeks of a two-step funnel: `perHour` units per device and hour, half of them going
 * on; from `breakHour` the mobile ones go on 5 % of the time.
 */
function traffic(opts: { perHour: Record<string, number>; seed: number; breakHour?: number; recoverHour?: number }): HourGroup[] {
  const random = seeded(opts.seed);
  const groups: HourGroup[] = [];
  for (let h = fromHour; h < endHour; h++) {
    for (const [device, n] of Object.entries(opts.perHour)) {
      const broken = device === "mobile" && opts.breakHour !== undefined && h >= opts.breakHour && (opts.recoverHour === undefined || h < opts.recoverHour);
      let on = 0;
      for (let i = 0; i < n; i++) if (random() < (broken ? 0.05 : 0.5)) on++;
      groups.push({ hour: h, device, furthest: 2, n: on }, { hour: h, device, furthest: 1, n: n - on });
    }
  }
  return groups;
}

/** checkFunnel on synthetic traffic whose every outcome is known (furthest steps). */
const checkFurthest = (groups: HourGroup[], opts: Parameters<typeof checkFunnel>[1]) => checkFunnel(stepGroupsOf(groups, opts.steps), opts);

describe("checkFunnel", () => {
  it("splits the run's false-alarm rate over every step × segment tested", () => {
    const c = checkFurthest(traffic({ perHour: { mobile: 30, desktop: 20 }, seed: 1 }), { now: NOW, steps: 3 });
    expect(c.series).toBe(2 * 3); // 2 transitions × (overall, desktop, mobile)
    expect(c.checks.map((x) => `${x.step}:${x.segment}`)).toEqual(["2:overall", "2:desktop", "2:mobile", "3:overall", "3:desktop", "3:mobile"]);
    for (const x of c.checks) expect(x.falseAlarmRate).toBeCloseTo(RUN_FALSE_ALARM_RATE / 6, 12);
  });

  it("compares hours when a step sees ≥ 15 settled units an hour, days otherwise", () => {
    const c = checkFurthest(traffic({ perHour: { mobile: 30, desktop: 2 }, seed: 2 }), { now: NOW, steps: 2 });
    const by = Object.fromEntries(c.checks.map((x) => [x.segment, x]));
    expect(by.mobile.granularity).toBe("hour");
    expect(by.desktop.granularity).toBe("day");
    expect(by.mobile.buckets).toHaveLength(24);
    expect(by.desktop.buckets).toHaveLength(7);
    // The latest hour bucket is the current one; baselines are the same hour 1–4 weeks back.
    expect(by.mobile.buckets.at(-1)!.start).toBe((endHour - 1) * HOUR_MS);
    expect(by.mobile.buckets.at(-1)!.baseline.settled).toBe(4 * 30);
    expect(weekOf(endHour - 1, endHour)).toBe(0);
    expect(weekOf(endHour - 169, endHour)).toBe(1);
  });

  it("raises no alarm on steady traffic, and names a planted break's step, segment and hour", () => {
    const steady = checkFurthest(traffic({ perHour: { mobile: 25, desktop: 15 }, seed: 3 }), { now: NOW, steps: 2 });
    expect(steady.checks.filter((x) => x.alarm)).toEqual([]);
    const breakHour = endHour - 3; // 15:00, two whole hours before the check at 17:40
    const broken = checkFurthest(traffic({ perHour: { mobile: 25, desktop: 15 }, seed: 3, breakHour }), { now: NOW, steps: 2 });
    const mobile = broken.checks.find((x) => x.segment === "mobile")!;
    expect(mobile.alarm?.since).toBe(breakHour * HOUR_MS);
    expect(mobile.alarm!.observedRate).toBeLessThan(mobile.alarm!.expectedLow);
    expect(broken.checks.find((x) => x.segment === "desktop")!.alarm).toBeNull();
  });
});

describe("the run's false-alarm rate", () => {
  it("keeps the share of steady runs with any alarm, over 2 transitions × 3 segments, at or under the run's rate", () => {
    // At a run rate of 5 % (the job uses 0.05 %) so that 200 runs can show it.
    const runs = 200;
    let alarmed = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const random = seeded(1000 + seed);
      const groups: HourGroup[] = [];
      for (let h = fromHour; h < endHour; h++) {
        for (const [device, n] of [
          ["mobile", 20],
          ["desktop", 12],
        ] as const) {
          const furthest = [0, 0, 0, 0];
          for (let i = 0; i < n; i++) {
            const u = random();
            furthest[u < 0.5 ? 1 : u < 0.7 ? 2 : 3]++;
          }
          for (let f = 1; f <= 3; f++) groups.push({ hour: h, device, furthest: f, n: furthest[f] });
        }
      }
      const c = checkFurthest(groups, { now: NOW, steps: 3, runFalseAlarmRate: 0.05 });
      expect(c.series).toBe(6);
      if (c.checks.some((x) => x.alarm)) alarmed++;
    }
    console.log(`[watch-run] steady runs with an alarm at a run rate of 5 %: ${alarmed} of ${runs}`);
    // 5 % of 200 is 10; two binomial standard deviations above it is 16.
    expect(alarmed).toBeLessThanOrEqual(16);
  });
});

describe("decideAlerts", () => {
  const breakHour = endHour - 3;
  const check = checkFurthest(traffic({ perHour: { mobile: 25, desktop: 15 }, seed: 4, breakHour }), { now: NOW, steps: 2 });
  const since = breakHour * HOUR_MS;

  it("opens one alert per alarming step and segment, and only updates it while it is open", () => {
    const open = decideAlerts(check, []);
    expect(open.map((a) => [a.kind, a.check.segment])).toContainEqual(["open", "mobile"]);
    const state: AlertState[] = open.map((a, i) => ({ id: `a${i}`, step: a.check.step, segment: a.check.segment, status: "open", since, clearedAt: null }));
    const again = decideAlerts(check, state);
    expect(again.filter((a) => a.kind === "open")).toEqual([]);
    expect(again.find((a) => a.check.segment === "mobile")).toMatchObject({ kind: "update" });
  });

  it("updates an open alert on the scale of its change point: hours while it is among the last 24 hours", () => {
    // 10 units an hour: the week's average alone would say days.
    const quiet = checkFurthest(traffic({ perHour: { mobile: 10 }, seed: 5, breakHour }), { now: NOW, steps: 2 });
    const mobile = quiet.checks.find((x) => x.segment === "mobile")!;
    expect(mobile.settledPerHour).toBeLessThan(15);
    const open: AlertState[] = [{ id: "m", step: 2, segment: "mobile", status: "open", since, clearedAt: null }];
    const update = decideAlerts(quiet, open).find((a) => a.check.segment === "mobile")!;
    expect(update).toMatchObject({ kind: "update", granularity: "hour", figures: { since } });
    // A change point older than the hours read: figures and granularity from the days.
    const old: AlertState[] = [{ ...open[0], since: since - 3 * 24 * HOUR_MS }];
    expect(decideAlerts(quiet, old).find((a) => a.check.segment === "mobile")).toMatchObject({ granularity: "day" });
  });

  it("clears an open alert once the latest units are back to normal, and does not reopen it for the old drop", () => {
    const recovered = checkFurthest(traffic({ perHour: { mobile: 25, desktop: 15 }, seed: 4, breakHour, recoverHour: endHour - 2 }), {
      now: NOW + 0,
      steps: 2,
    });
    const state: AlertState[] = [{ id: "m", step: 2, segment: "mobile", status: "open", since, clearedAt: null }];
    expect(decideAlerts(recovered, state).find((a) => a.check.segment === "mobile")).toMatchObject({ kind: "clear", id: "m" });
    const cleared: AlertState[] = [{ ...state[0], status: "cleared", clearedAt: NOW }];
    expect(decideAlerts(recovered, cleared).filter((a) => a.check.segment === "mobile")).toEqual([]);
  });
});

describe("stepOutcome", () => {
  const M = 60_000;
  it("counts a step once the unit reached it within 20 minutes of the step before, or those 20 minutes are over", () => {
    expect(STEP_WITHIN_MS).toBe(20 * M);
    // Step 2 at 0:10, step 3 at 0:50 (40 minutes after step 2: too late to convert).
    const u = { entryTs: 0, furthest: 3, msFromPrev: [10 * M, 40 * M] };
    expect(stepOutcome(u, 2, 5 * M)).toBe("not counted");
    expect(stepOutcome(u, 2, 10 * M)).toBe("converted");
    expect(stepOutcome(u, 3, 29 * M)).toBe("not counted");
    expect(stepOutcome(u, 3, 30 * M)).toBe("dropped");
    expect(stepOutcome(u, 3, 9 * 60 * M)).toBe("dropped");
    // Step 4 is judged from step 3 at 0:50.
    expect(stepOutcome(u, 4, 69 * M)).toBe("not counted");
    expect(stepOutcome(u, 4, 70 * M)).toBe("dropped");
    // Exactly 20 minutes converts; a unit that never reached k−1 never counts.
    expect(stepOutcome({ entryTs: 5, furthest: 2, msFromPrev: [20 * M] }, 2, 5 + 20 * M)).toBe("converted");
    expect(stepOutcome({ entryTs: 5, furthest: 2, msFromPrev: [20 * M + 1] }, 2, 1e12)).toBe("dropped");
    const stopped = { entryTs: 0, furthest: 1, msFromPrev: [] };
    expect(stepOutcome(stopped, 2, 19 * M)).toBe("not counted");
    expect(stepOutcome(stopped, 2, 20 * M)).toBe("dropped");
    expect(stepOutcome(stopped, 3, 1e12)).toBe("not counted");
  });

  it("stepGroupsOf counts units with known outcomes at every step up to the one after their furthest", () => {
    expect(stepGroupsOf([{ hour: 7, device: "mobile", furthest: 2, n: 5 }], 4)).toEqual([
      { hour: 7, device: "mobile", step: 2, settled: 5, converted: 5 },
      { hour: 7, device: "mobile", step: 3, settled: 5, converted: 0 },
    ]);
  });
});
