import { describe, it, expect } from "vitest";
import { computeFunnel, localDayNumber, dayKey, wallClockToEpoch, worstGroup } from "../../../core/funnel";
import type { CoreEvent } from "../../../core/types";
import { DAY, defaultAttrs, ev, funnel, HOUR, MIN, params, T0 } from "./fixtures";

const NY = "America/New_York";

describe("breakdown", () => {
  it("groups by the entry attribute: top 10 by step-1 count, then other", () => {
    const events: CoreEvent[] = [];
    // Source s0 has 12 sessions, s1 11, …, s11 1; every second session converts.
    for (let s = 0; s < 12; s++) {
      for (let i = 0; i < 12 - s; i++) {
        const visitorId = `s${s}-${i}`;
        const attrs = { ...defaultAttrs, source: `s${s}` };
        events.push(ev({ name: "a", ts: T0, visitorId, attrs }));
        if (i % 2 === 0) events.push(ev({ name: "b", ts: T0 + MIN, visitorId, attrs }));
      }
    }
    const r = computeFunnel(events, funnel(["a", "b"]), { ...params(), breakdown: "source" });
    const groups = r.breakdown?.groups ?? [];
    expect(r.breakdown?.key).toBe("source");
    expect(groups.map((g) => g.value)).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "(other)"]);
    expect(groups.map((g) => g.isOther)).toEqual([...Array(10).fill(false), true]);
    expect(groups[0].steps.map((s) => s.count)).toEqual([12, 6]);
    expect(groups[10].steps.map((s) => s.count)).toEqual([2 + 1, 1 + 1]); // s10 (2 → 1) and s11 (1 → 1)
  });

  it("marks rows under 30 units small, with a Wilson interval, and never names their leak", () => {
    const events: CoreEvent[] = [];
    // "mobile": 14 visitors, 7 convert; "desktop": 40 visitors, 10 convert.
    for (const [device, n, buyers] of [
      ["mobile", 14, 7],
      ["desktop", 40, 10],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const visitorId = `${device}-${i}`;
        const attrs = { ...defaultAttrs, device };
        events.push(ev({ name: "a", ts: T0, visitorId, attrs }));
        if (i < buyers) events.push(ev({ name: "b", ts: T0 + MIN, visitorId, attrs }));
      }
    }
    const r = computeFunnel(events, funnel(["a", "b"]), { ...params({ now: T0 + 2 * DAY }), breakdown: "device" });
    const [desktop, mobile] = r.breakdown!.groups;
    expect([desktop.value, desktop.small, mobile.value, mobile.small]).toEqual(["desktop", false, "mobile", true]);
    // 7 of 14: Wilson 95 % ≈ 26.8 %–73.2 %.
    expect(mobile.overallCi95![0]).toBeCloseTo(0.268, 3);
    expect(mobile.overallCi95![1]).toBeCloseTo(0.732, 3);
    expect(mobile.steps[1].dropOffRate).toBe(0.5);
    expect(mobile.biggestLeak).toBeNull();
    expect(mobile.noLeak).toEqual({ reason: "too-few-settled", settled: 14, finished: 14 });
    expect(desktop.biggestLeak).toMatchObject({ step: 2, dropOff: 30, settled: 40 });
    // mobile converts better (50 %) but desktop (25 %) is the worst row; had mobile 0 %, it would still not be named.
    expect(worstGroup(r.breakdown!.groups)?.value).toBe("desktop");
    const zero = { ...mobile, steps: mobile.steps.map((s, i) => (i === 1 ? { ...s, count: 0, overallConversion: 0 } : s)) };
    expect(worstGroup([desktop, zero])?.value).toBe("desktop");
    expect(worstGroup([zero])).toBeNull();
  });

  it("orders equal counts by value and shows null as (none)", () => {
    const events = [
      ev({ name: "a", ts: T0, visitorId: "x", attrs: { ...defaultAttrs, campaign: "spring" } }),
      ev({ name: "a", ts: T0, visitorId: "y", attrs: { ...defaultAttrs, campaign: null } }),
    ];
    const r = computeFunnel(events, funnel(["a", "b"]), { ...params(), breakdown: "campaign" });
    expect(r.breakdown?.groups.map((g) => g.value)).toEqual(["(none)", "spring"]);
    const logged = computeFunnel(events, funnel(["a", "b"]), { ...params(), breakdown: "loggedIn" });
    expect(logged.breakdown?.groups.map((g) => g.value)).toEqual(["false"]);
  });

  it("uses the attributes of the deciding attempt's first event", () => {
    // Visitor: the mobile attempt only reaches step 1; the later desktop attempt converts.
    const mobile = { ...defaultAttrs, device: "mobile" as const };
    const events = [
      ev({ name: "a", ts: T0, attrs: mobile }),
      ev({ name: "a", ts: T0 + 2 * DAY, attrs: defaultAttrs }),
      ev({ name: "b", ts: T0 + 2 * DAY + MIN, attrs: defaultAttrs }),
    ];
    const r = computeFunnel(events, funnel(["a", "b"], "visitor", HOUR), { ...params(), breakdown: "device" });
    expect(r.breakdown?.groups.map((g) => [g.value, g.steps[1].count])).toEqual([["desktop", 1]]);
  });
});

describe("time zone helpers", () => {
  it("local day of 23:30 vs 00:30 in New York", () => {
    const lateEvening = Date.UTC(2026, 0, 6, 4, 30); // 2026-01-05 23:30 EST
    const justAfterMidnight = Date.UTC(2026, 0, 6, 5, 30); // 2026-01-06 00:30 EST
    expect(dayKey(localDayNumber(lateEvening, NY))).toBe("2026-01-05");
    expect(dayKey(localDayNumber(justAfterMidnight, NY))).toBe("2026-01-06");
    expect(dayKey(localDayNumber(lateEvening, "UTC"))).toBe("2026-01-06");
  });

  it("converts wall-clock times, including the spring-forward gap", () => {
    expect(wallClockToEpoch(Date.UTC(2026, 2, 8, 0), NY)).toBe(Date.UTC(2026, 2, 8, 5));
    expect(wallClockToEpoch(Date.UTC(2026, 2, 9, 0), NY)).toBe(Date.UTC(2026, 2, 9, 4));
    expect(wallClockToEpoch(Date.UTC(2026, 2, 8, 2, 30), NY)).toBe(Date.UTC(2026, 2, 8, 7, 30)); // 02:30 does not exist → 03:30 EDT
    expect(wallClockToEpoch(Date.UTC(2026, 10, 1, 1, 30), NY)).toBe(Date.UTC(2026, 10, 1, 5, 30)); // ambiguous → first (EDT)
  });
});

describe("trend", () => {
  /** One session per entry timestamp, each converting. */
  const entries = (times: number[]) =>
    times.flatMap((ts, i) => [ev({ name: "a", ts, visitorId: `t${i}` }), ev({ name: "b", ts: ts + MIN, visitorId: `t${i}` })]);

  it("puts an entry at 23:30 local and one at 00:30 local on different days", () => {
    const from = Date.UTC(2026, 0, 5, 5); // 2026-01-05 00:00 EST
    const to = from + 2 * DAY;
    const events = entries([Date.UTC(2026, 0, 6, 4, 30), Date.UTC(2026, 0, 6, 5, 30)]);
    const r = computeFunnel(events, funnel(["a", "b"]), { ...params({ from, to, timeZone: NY }), trend: "day" });
    expect(r.trend?.buckets.map((b) => [b.key, b.counts[0]])).toEqual([
      ["2026-01-05", 1],
      ["2026-01-06", 1],
    ]);
    expect(r.trend?.buckets[0].overallConversion).toEqual([1, 1]);
  });

  it("keeps buckets right on the 23-hour day 2026-03-08 in New York", () => {
    const from = Date.UTC(2026, 2, 7, 5); // 03-07 00:00 EST
    const to = Date.UTC(2026, 2, 10, 4); // 03-10 00:00 EDT
    const dayStart = Date.UTC(2026, 2, 8, 5); // 03-08 00:00 EST
    const dayEnd = Date.UTC(2026, 2, 9, 4); // 03-09 00:00 EDT
    expect(dayEnd - dayStart).toBe(23 * HOUR);
    const times = [dayStart - 1, dayStart, dayStart + 12 * HOUR, dayEnd - MIN, dayEnd];
    const r = computeFunnel(entries(times), funnel(["a", "b"]), { ...params({ from, to, timeZone: NY }), trend: "day" });
    expect(r.trend?.buckets.map((b) => [b.key, b.counts[0]])).toEqual([
      ["2026-03-07", 1],
      ["2026-03-08", 3],
      ["2026-03-09", 1],
    ]);
  });

  it("keeps buckets right on the 25-hour day 2026-11-01 in New York", () => {
    const dayStart = Date.UTC(2026, 10, 1, 4); // 11-01 00:00 EDT
    const dayEnd = Date.UTC(2026, 10, 2, 5); // 11-02 00:00 EST
    expect(dayEnd - dayStart).toBe(25 * HOUR);
    const times = [dayStart - 1, dayStart, dayStart + 24 * HOUR + 30 * MIN, dayEnd - 1, dayEnd];
    const r = computeFunnel(entries(times), funnel(["a", "b"]), { ...params({ from: dayStart - DAY, to: dayEnd + DAY, timeZone: NY }), trend: "day" });
    expect(r.trend?.buckets.map((b) => [b.key, b.counts[0]])).toEqual([
      ["2026-10-31", 1],
      ["2026-11-01", 3],
      ["2026-11-02", 1],
    ]);
  });

  it("groups by ISO week starting Monday, in local time", () => {
    // 2026-03-08 is a Sunday; 03-09 00:30 EDT is Monday of the next week.
    const sunday = Date.UTC(2026, 2, 9, 3, 30); // 03-08 23:30 EDT
    const monday = Date.UTC(2026, 2, 9, 4, 30); // 03-09 00:30 EDT
    const from = Date.UTC(2026, 2, 2, 5); // Monday 03-02 00:00 EST
    const to = Date.UTC(2026, 2, 16, 4); // Monday 03-16 00:00 EDT
    const r = computeFunnel(entries([sunday, monday]), funnel(["a", "b"]), { ...params({ from, to, timeZone: NY }), trend: "week" });
    expect(r.trend?.buckets.map((b) => [b.key, b.counts])).toEqual([
      ["2026-03-02", [1, 1]],
      ["2026-03-09", [1, 1]],
    ]);
  });

  it("lists empty days with null conversion and counts in-progress units", () => {
    const from = Date.UTC(2026, 0, 5);
    const r = computeFunnel([ev({ name: "a", ts: from + DAY })], funnel(["a", "b"]), {
      ...params({ from, to: from + 3 * DAY, now: from + DAY + MIN }),
      trend: "day",
    });
    expect(r.trend?.buckets.map((b) => [b.key, b.counts, b.overallConversion, b.inProgressUnits])).toEqual([
      ["2026-01-05", [0, 0], [null, null], 0],
      ["2026-01-06", [1, 0], [1, 0], 1],
      ["2026-01-07", [0, 0], [null, null], 0],
    ]);
  });
});
