import { describe, expect, it } from "vitest";
import { describeClaim, scanSegments, type SegmentCounts } from "../../../core/diagnosis/segments";

describe("scanSegments", () => {
  it("names a segment that drops far more than everyone else, with its evidence", () => {
    const scan = scanSegments({ settled: 2726, dropped: 1442 }, [
      { dimension: "device", value: "mobile", settled: 580, dropped: 412 },
      { dimension: "device", value: "desktop", settled: 2146, dropped: 1030 },
    ]);
    expect(scan.tested).toBe(2);
    expect(scan.worse.map((c) => c.value)).toEqual(["mobile"]);
    expect(scan.better.map((c) => c.value)).toEqual(["desktop"]);
    const mobile = scan.worse[0];
    expect(mobile.rest).toEqual({ converted: 1030, total: 2146 });
    // Hand-computed: 412/580 − 1030/2146 = 0.23039; unpooled SE 0.021705 → ±0.042541.
    expect(mobile.diff).toBeCloseTo(0.23039, 4);
    expect(mobile.diffCi95[0]).toBeCloseTo(0.18785, 3);
    expect(mobile.diffCi95[1]).toBeCloseTo(0.27293, 3);
    expect(describeClaim(mobile, "Mobile")).toBe(
      "Mobile: 71 % drop here vs 48 % for everyone else (412 of 580 vs 1,030 of 2,146; 95 % CI of the difference 19 to 27 pp)",
    );
    expect(describeClaim(scan.better[0], "Desktop")).toContain("CI of the difference −27 to −19 pp");
  });

  it("does not test a segment (or its rest) under 30 settled units", () => {
    const scan = scanSegments({ settled: 100, dropped: 50 }, [
      { dimension: "source", value: "tiny", settled: 29, dropped: 29 },
      { dimension: "source", value: "almost-all", settled: 71, dropped: 21 },
    ]);
    // "tiny" is too small; "almost-all" has a rest of 29 → too small as well.
    expect(scan).toMatchObject({ tested: 0, tooSmall: 2, worse: [], better: [], minDetectableDiff: null });
  });

  it("with nothing significant, gives the smallest difference the data could have shown", () => {
    const scan = scanSegments({ settled: 1000, dropped: 500 }, [{ dimension: "device", value: "mobile", settled: 500, dropped: 250 }]);
    expect(scan.worse).toEqual([]);
    // (1.959964 + 0.841621)·√(0.25·(1/500 + 1/500)) = 0.088594 (m = 1, α = 0.05, power 0.8).
    expect(scan.minDetectableDiff).toBeCloseTo(0.088594, 5);
  });

  it("refuses segment counts that do not fit in the overall counts", () => {
    expect(() => scanSegments({ settled: 10, dropped: 5 }, [{ dimension: "d", value: "v", settled: 11, dropped: 1 }])).toThrow(/does not fit/);
  });

  it("makes a false claim in at most about q of runs where no segment differs (200 seeded runs)", () => {
    // Mulberry32: a seeded generator, so the run is the same every time.
    let seed = 12345;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const runs = 200;
    let withClaim = 0;
    for (let run = 0; run < runs; run++) {
      const dims = ["device", "source", "landing", "visitorType"];
      const cells = new Map<string, SegmentCounts>();
      let settled = 0;
      let dropped = 0;
      for (let u = 0; u < 3000; u++) {
        const drop = random() < 0.4;
        settled++;
        if (drop) dropped++;
        for (const dimension of dims) {
          const value = String(Math.floor(random() * 5));
          const key = `${dimension}=${value}`;
          const c = cells.get(key) ?? { dimension, value, settled: 0, dropped: 0 };
          c.settled++;
          if (drop) c.dropped++;
          cells.set(key, c);
        }
      }
      const scan = scanSegments({ settled, dropped }, [...cells.values()]);
      expect(scan.tested).toBe(20);
      if (scan.worse.length + scan.better.length > 0) withClaim++;
    }
    // Under no effect BH's FDR is its family-wise error rate: ≤ q = 5 %, plus 2 binomial SE of 200 runs.
    expect(withClaim / runs).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / runs));
  });
});
