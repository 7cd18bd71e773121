import { describe, expect, it } from "vitest";
import { previousPeriod } from "../../core/funnel";
import { describeRange, MAX_RANGE_DAYS, parseDay, previousRange, resolveDateRange, safeTimeZone } from "../../app/services/date-range";
import { RequestError } from "../../app/services/request-error";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NY = "America/New_York";

describe("resolveDateRange", () => {
  it("resolves a custom range of whole local days to [local midnight, local midnight after the last day)", () => {
    const r = resolveDateRange({ preset: "custom", from: "2026-01-05", to: "2026-01-11" }, NY, 0);
    expect(r.from).toBe(Date.UTC(2026, 0, 5, 5)); // EST = UTC−5
    expect(r.to).toBe(Date.UTC(2026, 0, 12, 5));
    expect(r).toMatchObject({ fromDate: "2026-01-05", toDate: "2026-01-11", days: 7, timeZone: NY, preset: "custom" });
  });

  it("a spring-forward day is 23 hours long, a fall-back day 25 hours", () => {
    const spring = resolveDateRange({ preset: "custom", from: "2026-03-08", to: "2026-03-08" }, NY, 0);
    expect(spring.from).toBe(Date.UTC(2026, 2, 8, 5)); // 00:00 EST
    expect(spring.to).toBe(Date.UTC(2026, 2, 9, 4)); // 00:00 EDT
    expect(spring.to - spring.from).toBe(23 * HOUR);
    const fall = resolveDateRange({ preset: "custom", from: "2026-11-01", to: "2026-11-01" }, NY, 0);
    expect(fall.to - fall.from).toBe(25 * HOUR);
  });

  it("a week across a DST change is 7 local days, not 168 hours", () => {
    const r = resolveDateRange({ preset: "custom", from: "2026-03-02", to: "2026-03-08" }, NY, 0);
    expect(r.days).toBe(7);
    expect(r.to - r.from).toBe(7 * DAY - HOUR);
  });

  it("a day whose midnight is skipped (Santiago, DST at 24:00) starts at the first instant after the gap", () => {
    // 2026-09-06: clocks jump from 00:00 −04 to 01:00 −03, so the day starts at 04:00 UTC.
    const r = resolveDateRange({ preset: "custom", from: "2026-09-06", to: "2026-09-06" }, "America/Santiago", 0);
    expect(r.from).toBe(Date.UTC(2026, 8, 6, 4));
    expect(r.to).toBe(Date.UTC(2026, 8, 7, 3));
    expect(r.to - r.from).toBe(23 * HOUR);
  });

  it("resolves presets around `now` in the shop's zone, not UTC", () => {
    // 2026-01-10 03:00 UTC is still Jan 9 in New York.
    const now = Date.UTC(2026, 0, 10, 3);
    expect(resolveDateRange({ preset: "today" }, NY, now)).toMatchObject({ fromDate: "2026-01-09", toDate: "2026-01-09", days: 1 });
    expect(resolveDateRange({ preset: "today" }, "UTC", now)).toMatchObject({ fromDate: "2026-01-10", toDate: "2026-01-10" });
    expect(resolveDateRange({ preset: "yesterday" }, NY, now)).toMatchObject({ fromDate: "2026-01-08", toDate: "2026-01-08" });
    expect(resolveDateRange({ preset: "last7" }, NY, now)).toMatchObject({ fromDate: "2026-01-03", toDate: "2026-01-09", days: 7 });
    expect(resolveDateRange({ preset: "last30" }, NY, now)).toMatchObject({ fromDate: "2025-12-11", toDate: "2026-01-09", days: 30 });
    expect(resolveDateRange({ preset: "last90" }, NY, now)).toMatchObject({ days: 90, toDate: "2026-01-09" });
    const today = resolveDateRange({ preset: "today" }, NY, now);
    expect(today.from <= now && now < today.to).toBe(true);
  });

  it("'today' on a DST day is that day's 23 hours and contains now", () => {
    const now = Date.UTC(2026, 2, 8, 15); // 11:00 EDT on the spring-forward day
    const r = resolveDateRange({ preset: "today" }, NY, now);
    expect(r.fromDate).toBe("2026-03-08");
    expect(r.to - r.from).toBe(23 * HOUR);
  });

  it("refuses bad custom input with a clear message", () => {
    const bad = (from?: string, to?: string) => () => resolveDateRange({ preset: "custom", from, to }, NY, 0);
    expect(bad("2026-01-01")).toThrow(/needs both from and to/);
    expect(bad("2026-1-1", "2026-01-02")).toThrow(/from: expected a date as YYYY-MM-DD/);
    expect(bad("2026-02-30", "2026-03-02")).toThrow(/2026-02-30 is not a calendar date/);
    expect(bad("2026-01-10", "2026-01-09")).toThrow(/must be on or before/);
    expect(bad("1999-12-31", "2000-01-02")).toThrow(/outside/);
    expect(bad("2024-01-01", "2026-01-01")).toThrow(new RegExp(`at most ${MAX_RANGE_DAYS} days`));
    expect(bad("x".repeat(500), "2026-01-01")).toThrow(RequestError);
  });

  it("accepts a leap day and the longest allowed range", () => {
    expect(parseDay("2028-02-29", "from")).toBe(Date.UTC(2028, 1, 29) / DAY);
    const r = resolveDateRange({ preset: "custom", from: "2026-01-01", to: "2027-01-01" }, "UTC", 0);
    expect(r.days).toBe(MAX_RANGE_DAYS);
  });
});

describe("previousRange", () => {
  it("is the same number of local days just before, and agrees with core's previousPeriod", () => {
    for (const [from, to] of [
      ["2026-03-09", "2026-03-15"],
      ["2026-11-01", "2026-11-30"],
      ["2026-01-01", "2026-01-01"],
    ]) {
      const r = resolveDateRange({ preset: "custom", from, to }, NY, 0);
      const prev = previousRange(r);
      expect(prev.days).toBe(r.days);
      expect(prev.to).toBe(r.from);
      const core = previousPeriod(r.from, r.to, NY);
      expect({ from: prev.from, to: prev.to }).toEqual(core);
      expect(describeRange(prev.preset, core.from, core.to, NY)).toEqual(prev);
    }
    const r = resolveDateRange({ preset: "custom", from: "2026-03-09", to: "2026-03-15" }, NY, 0);
    expect(previousRange(r)).toMatchObject({ fromDate: "2026-03-02", toDate: "2026-03-08" });
  });
});

describe("safeTimeZone", () => {
  it("keeps valid zones and falls back to UTC for unknown ones", () => {
    expect(safeTimeZone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(safeTimeZone("Mars/Olympus")).toBe("UTC");
    expect(safeTimeZone("")).toBe("UTC");
  });
});
