import { describe, expect, it } from "vitest";
import { daysSince, localDate, newSinceRangeStart, previousPeriod } from "../../core/first-run";

const DAY = 86_400_000;
const prev = { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1) };

describe("first run", () => {
  it("a previous period is compared only where the shop has data", () => {
    expect(previousPeriod(prev, null)).toEqual({ kind: "full" });
    expect(previousPeriod(prev, prev.from)).toEqual({ kind: "full" });
    expect(previousPeriod(prev, prev.from - DAY)).toEqual({ kind: "full" });
    expect(previousPeriod(prev, prev.from + 3 * DAY)).toEqual({ kind: "partial", since: prev.from + 3 * DAY });
    expect(previousPeriod(prev, prev.to)).toEqual({ kind: "none", since: prev.to });
    expect(previousPeriod(prev, prev.to + DAY)).toEqual({ kind: "none", since: prev.to + DAY });
  });

  it("per-day tables start on the data start's local day", () => {
    const days = ["2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"].map((date) => ({ date }));
    // 2026-12-06 02:00 UTC is still 2026-12-05 in New York.
    const since = Date.UTC(2026, 11, 6, 2);
    expect(localDate(since, "America/New_York")).toBe("2026-12-05");
    expect(daysSince(days, since, "America/New_York")).toEqual({ days: days.slice(2), hiddenBefore: 2 });
    expect(daysSince(days, since, "UTC")).toEqual({ days: days.slice(3), hiddenBefore: 3 });
    expect(daysSince(days, null, "UTC")).toEqual({ days, hiddenBefore: 0 });
  });

  it("a shop installed inside the range is new, not quiet", () => {
    expect(newSinceRangeStart(prev.from + 1, prev.from)).toBe(true);
    expect(newSinceRangeStart(prev.from - 1, prev.from)).toBe(false);
    expect(newSinceRangeStart(null, prev.from)).toBe(false);
  });
});
