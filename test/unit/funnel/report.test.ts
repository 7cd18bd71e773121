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
    const events = [ev({ name: "a", ts: T0, visitorId: "x" }), ev({ name: "b", ts: T0 + 2 * MIN, visitorId: "x" }), ev({ name: "a", ts: T0, visitorId: "y" })];
    const report = computeFunnel(events, funnel(["a", "b"]), params({ now: T0 + 5 * MIN }));
    const fromSql = figuresFromCounts(["a", "b"], { counts: [2, 1], inProgressByFurthest: [1, 0], msFromPrev: [[], [2 * MIN]] });
    const { steps, biggestLeak, noLeak, totalUnits, inProgressUnits } = report;
    expect({ steps, biggestLeak, noLeak, totalUnits, inProgressUnits }).toEqual(fromSql);
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

  it("worked example with 40 of the 170 stopped after add to cart still active: 130 dropped off of 310 settled, 40 waiting", () => {
    const f = figuresFromCounts(SHOP_STEPS, { ...WORKED, inProgressByFurthest: [0, 40, 0, 0] });
    expect(f.steps[1].waiting).toBe(40);
    expect(f.steps[2]).toMatchObject({ count: 180, settled: 310, dropOff: 130, inProgress: 40 });
    expect(((f.steps[2].dropOffRate as number) * 100).toFixed(1)).toBe("41.9");
    // Step conversion keeps its counts as they are.
    expect(f.steps[2].stepConversion).toBeCloseTo(180 / 350, 12);
    expect(f.biggestLeak).toMatchObject({ step: 2, dropOff: 650, settled: 1000 });
  });

  it("in-progress units are not drop-offs: a funnel whose non-finishers are all waiting names no leak", () => {
    // "Today": 100 entered, 10 bought, 90 still browsing at steps 1–3.
    const f = figuresFromCounts(SHOP_STEPS, { counts: [100, 60, 20, 10], inProgressByFurthest: [40, 40, 10, 0], msFromPrev: [[], [], [], []] });
    expect(f.steps.map((s) => s.waiting)).toEqual([40, 40, 10, 0]);
    expect(f.steps.map((s) => s.dropOff)).toEqual([null, 0, 0, 0]);
    expect(f.steps.map((s) => s.settled)).toEqual([null, 60, 20, 10]);
    expect(f.biggestLeak).toBeNull();
    expect(f.noLeak).toEqual({ reason: "no-drop-off", settled: 60, finished: 10 });
  });

  it("names a leak only from 30 settled units and at least one drop-off", () => {
    const fig = (counts: number[], waiting: number[]) =>
      figuresFromCounts(["a", "b", "c"], { counts, inProgressByFurthest: waiting, msFromPrev: [[], [], []] });
    // 30 settled at step 1 (1 waiting of 31): eligible; 29 settled is not.
    expect(fig([31, 20, 19], [1, 0, 0]).biggestLeak).toMatchObject({ step: 2, settled: 30, waiting: 1, dropOff: 10 });
    expect(fig([30, 20, 19], [1, 0, 0]).biggestLeak).toBeNull();
    expect(fig([30, 20, 19], [1, 0, 0]).noLeak).toEqual({ reason: "too-few-settled", settled: 29, finished: 29 });
    // "0 of 3" at the last step is a 100 % drop-off from 3 settled units: never the headline;
    // the 40 % step with 100 settled units is.
    expect(fig([100, 3, 0], [0, 0, 0]).biggestLeak?.step).toBe(2);
    expect(fig([100, 60, 0], [0, 57, 0]).biggestLeak).toMatchObject({ step: 2, dropOffRate: 0.4 });
    // Highest rate among eligible steps wins even when another step loses more units.
    expect(fig([1000, 900, 400], [0, 0, 0]).biggestLeak?.step).toBe(3);
    // No drop-off anywhere (everyone finished): nothing named.
    expect(fig([50, 50, 50], [0, 0, 0]).noLeak).toEqual({ reason: "no-drop-off", settled: 50, finished: 50 });
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
    expect(f.steps.map((s) => s.waiting)).toEqual([1, 1, 0]);
    expect(f.steps.map((s) => s.dropOff)).toEqual([null, 0, 1]);
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

  it("applies the small-numbers rules: too few under 30 units a side, neutral when the interval holds 0", () => {
    const fig = (counts: number[]) => figuresFromCounts(["a", "b"], { counts, inProgressByFurthest: [0, 0], msFromPrev: [[], []] });
    // 9 previous sessions: a +19 pp change is not a result.
    const few = compareReports(fig([100, 40]), fig([9, 2])).steps[1];
    expect(few.stepConversionPp).toBeCloseTo(17.78, 2);
    expect(few.stepConversion).toMatchObject({ verdict: "too-few", current: { converted: 40, total: 100 }, previous: { converted: 2, total: 9 } });
    expect(few.overallConversion.verdict).toBe("too-few");
    // 100 vs 100 units, 40 % vs 35 %: the interval of +5 pp holds 0.
    const neutral = compareReports(fig([100, 40]), fig([100, 35])).steps[1];
    expect(neutral.stepConversion?.verdict).toBe("neutral");
    expect(neutral.dropOffRate?.verdict).toBe("neutral");
    // 1,000 vs 1,000, 40 % vs 30 %: a real rise (and a real fall of the drop-off rate).
    const clear = compareReports(fig([1000, 400]), fig([1000, 300])).steps[1];
    expect(clear.stepConversion?.verdict).toBe("up");
    expect(clear.dropOffRate?.verdict).toBe("down");
    expect(clear.stepConversion?.changeCi95Pp?.[0]).toBeGreaterThan(0);
    expect(compareReports(fig([1000, 400]), fig([1000, 300])).steps[0].stepConversion).toBeNull();
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
