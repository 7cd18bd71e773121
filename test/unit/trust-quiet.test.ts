import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MIN_USUAL_GAP_MS, percentile, quietVerdict, usualGapMs } from "../../core/trust/quiet";

const H = 3_600_000;

describe("percentile (nearest rank)", () => {
  it("picks the ceil(p·n)-th smallest value", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20
    expect(percentile(xs, 0.95)).toBe(19);
    expect(percentile(xs, 0.5)).toBe(10);
    expect(percentile(xs, 1)).toBe(20);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.95)).toBeNull();
  });
});

describe("usualGapMs", () => {
  it("is the p95 of gaps between consecutive active hours", () => {
    // 20 gaps: 19 of one hour, one of 10 hours → p95 (19th of 20) = 1 h → floored to 2 h.
    const hours = Array.from({ length: 20 }, (_, i) => 1000 + i).concat([1029]);
    expect(usualGapMs(hours)).toBe(MIN_USUAL_GAP_MS);
    // A shop active every 3 hours with a nightly 9-hour gap (4 per day, 1 night): p95 = 9 h.
    const rhythm: number[] = [];
    for (let day = 0; day < 14; day++) for (const h of [8, 11, 14, 17, 20, 23]) rhythm.push(day * 24 + h);
    // gaps: 3 h ×5 per day and 9 h (23 → 8 next day) ×13
    expect(usualGapMs(rhythm)).toBe(9 * H);
  });

  it("ignores duplicates and order, and never goes below 2 hours", () => {
    expect(usualGapMs([5, 3, 4, 4, 6, 7, 3])).toBe(2 * H);
  });

  it("needs at least 3 gaps (4 active hours) to know a rhythm", () => {
    expect(usualGapMs([])).toBeNull();
    expect(usualGapMs([1, 2, 3])).toBeNull();
    expect(usualGapMs([1, 2, 3, 50])).toBe(47 * H);
  });

  it("is at least 2 h and at most the largest gap (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 4, maxLength: 200 }), (hours) => {
        const sorted = [...hours].sort((a, b) => a - b);
        const maxGap = Math.max(...sorted.slice(1).map((h, i) => h - sorted[i])) * H;
        const usual = usualGapMs(hours)!;
        expect(usual).toBeGreaterThanOrEqual(MIN_USUAL_GAP_MS);
        expect(usual).toBeLessThanOrEqual(Math.max(MIN_USUAL_GAP_MS, maxGap));
      }),
    );
  });
});

describe("quietVerdict", () => {
  const hourly = Array.from({ length: 48 }, (_, i) => 500_000 + i); // every hour for 2 days: usual gap 2 h (floor)
  const last = (500_000 + 47) * H + 10 * 60_000; // 00:10 into the last active hour

  it("no events → no-events", () => {
    expect(quietVerdict({ latestTs: null, hourBuckets: [], now: 0 })).toMatchObject({ state: "no-events", silentForMs: null });
  });

  it("too little history → unknown-rhythm, never a warning", () => {
    expect(quietVerdict({ latestTs: 10 * H, hourBuckets: [10], now: 500 * H }).state).toBe("unknown-rhythm");
  });

  it("sending while the elapsed whole hours stay within the usual gap, quiet after", () => {
    const at = (hoursLater: number, minutes = 0) => quietVerdict({ latestTs: last, hourBuckets: hourly, now: (500_047 + hoursLater) * H + minutes * 60_000 });
    expect(at(0, 30).state).toBe("sending");
    expect(at(2, 59)).toMatchObject({ state: "sending", usualGapMs: 2 * H }); // bucket gap 2 = usual
    const quiet = at(3, 0);
    expect(quiet).toMatchObject({ state: "quiet", usualGapMs: 2 * H, activeHours: 48 });
    expect(quiet.silentForMs).toBe(3 * H - 10 * 60_000);
  });

  it("a shop with long usual nights is not quiet overnight", () => {
    const rhythm: number[] = [];
    for (let day = 0; day < 14; day++) for (const h of [8, 11, 14, 17, 20, 23]) rhythm.push(1000 * 24 + day * 24 + h);
    const latest = rhythm[rhythm.length - 1] * H;
    expect(quietVerdict({ latestTs: latest, hourBuckets: rhythm, now: latest + 8 * H }).state).toBe("sending");
    expect(quietVerdict({ latestTs: latest, hourBuckets: rhythm, now: latest + 10 * H }).state).toBe("quiet");
  });
});
