import { describe, it, expect } from "vitest";
import {
  aggregateOutcomes,
  compareReports,
  computeFunnel,
  figuresFromCounts,
  percentileNearestRank,
  percentilesNearestRank,
  previousPeriod,
} from "../../../core/funnel";
import { DAY, ev, funnel, HOUR, MIN, params, SHOP_STEPS, T0 } from "./fixtures";

const WORKED = { counts: [1000, 350, 180, 90], inProgressByFurthest: [0, 0, 0, 0], msFromPrev: [[], [], [], []] };

describe("figuresFromCounts", () => {
  it("reproduces the worked example from counts alone", () => {
    const f = figuresFromCounts(SHOP_STEPS, WORKED);
    expect(f.steps[1].stepConversion).toBeCloseTo(0.35, 10);
    expect(f.steps[2].stepConversion).toBeCloseTo(180 / 350, 10);
    expect((f.steps[2].stepConversion as number) * 100).toBeCloseTo(51.4, 1);
    expect(f.steps[3].stepConversion).toBe(0.5);
    expect(f.steps[2].overallConversion).toBe(0.18);
    expect(f.steps[3].overallConversion).toBe(0.09);
    expect(f.biggestLeak).toMatchObject({ step: 2, dropOff: 650, dropOffRate: 0.65 });
  });

  it("gives the same report as the engine for the same aggregate (SQL parity)", () => {
    const events = [
      ev({ name: "a", ts: T0, visitorId: "x" }),
      ev({ name: "b", ts: T0 + 2 * MIN, visitorId: "x" }),
      ev({ name: "a", ts: T0, visitorId: "y" }),
    ];
    const report = computeFunnel(events, funnel(["a", "b"]), params({ now: T0 + 5 * MIN }));
    const fromSql = figuresFromCounts(["a", "b"], { counts: [2, 1], inProgressByFurthest: [1, 0], msFromPrev: [[], [2 * MIN]] });
    const { steps, biggestLeak, totalUnits, inProgressUnits } = report;
    expect({ steps, biggestLeak, totalUnits, inProgressUnits }).toEqual(fromSql);
  });

  it("breaks biggest-leak ties toward the earlier step", () => {
    // 100 → 50 → 25: both drop-off rates are exactly 50 %.
    const f = figuresFromCounts(["a", "b", "c"], { counts: [100, 50, 25], inProgressByFurthest: [0, 0, 0], msFromPrev: [[], [], []] });
    expect(f.biggestLeak?.step).toBe(2);
  });

  it("returns null rates and no leak when every denominator is zero", () => {
    const f = figuresFromCounts(["a", "b"], { counts: [0, 0], inProgressByFurthest: [0, 0], msFromPrev: [[], []] });
    expect(f.steps.map((s) => [s.stepConversion, s.overallConversion, s.dropOffRate])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    expect(f.steps[1].dropOff).toBe(0);
    expect(f.biggestLeak).toBeNull();
  });

  it("reports in-progress units beside the drop-off they would inflate", () => {
    const agg = aggregateOutcomes(
      [
        { furthest: 1, msFromPrev: [], inProgress: true },
        { furthest: 2, msFromPrev: [MIN], inProgress: true },
        { furthest: 2, msFromPrev: [3 * MIN], inProgress: false },
        { furthest: 3, msFromPrev: [2 * MIN, HOUR], inProgress: false },
      ],
      3,
    );
    expect(agg).toEqual({ counts: [4, 3, 1], inProgressByFurthest: [1, 1, 0], msFromPrev: [[], [MIN, 3 * MIN, 2 * MIN], [HOUR]] });
    const f = figuresFromCounts(["a", "b", "c"], agg);
    expect(f.steps.map((s) => s.inProgress)).toEqual([0, 1, 1]);
    expect(f.inProgressUnits).toBe(2);
    expect(f.steps[1].medianMsFromPrev).toBe(2 * MIN);
  });

  it("rejects aggregates whose length does not match the steps", () => {
    expect(() => figuresFromCounts(["a", "b"], { counts: [1], inProgressByFurthest: [0], msFromPrev: [[]] })).toThrow(RangeError);
  });
});

describe("percentileNearestRank", () => {
  it("uses rank ceil(p · N)", () => {
    expect(percentileNearestRank([], 50)).toBeNull();
    expect(percentileNearestRank([7], 90)).toBe(7);
    expect(percentileNearestRank([4, 1, 3, 2], 50)).toBe(2); // lower median for even N
    expect(percentileNearestRank([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentileNearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentileNearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });

  it("gives several percentiles from one sort", () => {
    // Sorted: 1 1 2 3 5 6 8 9 12 14 27 (N = 11): ranks ceil(5.5) = 6, ceil(9.9) = 10, 11.
    const values = [9, 3, 14, 1, 1, 27, 8, 5, 12, 6, 2];
    expect(percentilesNearestRank(values, [50, 90, 100])).toEqual([6, 14, 27]);
    expect(percentilesNearestRank([], [50, 90])).toEqual([null, null]);
  });
});

describe("compareReports", () => {
  it("gives rate changes in percentage points, null when either side is null", () => {
    const current = figuresFromCounts(["a", "b", "c"], { counts: [1000, 400, 0], inProgressByFurthest: [0, 0, 0], msFromPrev: [[], [], []] });
    const previous = figuresFromCounts(["a", "b", "c"], { counts: [1000, 350, 0], inProgressByFurthest: [0, 0, 0], msFromPrev: [[], [], []] });
    const c = compareReports(current, previous);
    expect(c.totalUnits).toEqual({ current: 1000, previous: 1000 });
    expect(c.steps[1].stepConversionPp).toBeCloseTo(5, 10);
    expect(c.steps[1].overallConversionPp).toBeCloseTo(5, 10);
    expect(c.steps[1].dropOffRatePp).toBeCloseTo(-5, 10);
    expect(c.steps[1].count).toEqual({ current: 400, previous: 350 });
    expect(c.steps[0].stepConversionPp).toBeNull();
    expect(c.steps[2].stepConversionPp).toBe(0); // 0 / 400 vs 0 / 350
    const empty = figuresFromCounts(["a", "b", "c"], { counts: [0, 0, 0], inProgressByFurthest: [0, 0, 0], msFromPrev: [[], [], []] });
    expect(compareReports(current, empty).steps.map((s) => s.overallConversionPp)).toEqual([null, null, null]);
  });

  it("refuses to compare funnels with different step counts", () => {
    const a = figuresFromCounts(["a"], { counts: [1], inProgressByFurthest: [0], msFromPrev: [[]] });
    const b = figuresFromCounts(["a", "b"], { counts: [1, 0], inProgressByFurthest: [0, 0], msFromPrev: [[], []] });
    expect(() => compareReports(a, b)).toThrow(RangeError);
  });
});

describe("previousPeriod", () => {
  it("returns the range of equal length just before", () => {
    expect(previousPeriod(T0, T0 + 7 * DAY)).toEqual({ from: T0 - 7 * DAY, to: T0 });
  });

  it("with a time zone, keeps local midnights across a DST change", () => {
    // New York: 2026-03-08 00:00 EST (UTC−5) to 2026-03-15 00:00 EDT (UTC−4) is 7 days minus 1 hour.
    const from = Date.UTC(2026, 2, 8, 5);
    const to = Date.UTC(2026, 2, 15, 4);
    expect(previousPeriod(from, to, "America/New_York")).toEqual({ from: Date.UTC(2026, 2, 1, 5), to: from });
    // Without the zone it is plain milliseconds: one hour off local midnight.
    expect(previousPeriod(from, to).from).toBe(Date.UTC(2026, 2, 1, 6));
  });
});
