import { describe, expect, it } from "vitest";
import { describeClaim, scanSegments, type SegmentCounts } from "../../../core/diagnosis/segments";
import { segmentsFromCells, type SegmentCell } from "../../../core/diagnosis/cells";

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

describe("pairs of dimensions (segmentsFromCells → scanSegments)", () => {
  // Mobile visitors from instagram drop 80 % at the step; every other combination 40 %.
  const dims = ["device", "source", "loggedIn"];
  const cells: SegmentCell[] = [
    { values: ["mobile", "instagram", "false"], units: 200, settled: 150, dropped: 120 },
    { values: ["mobile", "google", "false"], units: 300, settled: 250, dropped: 100 },
    { values: ["desktop", "instagram", "false"], units: 200, settled: 150, dropped: 60 },
    { values: ["desktop", "google", "false"], units: 500, settled: 450, dropped: 180 },
  ];

  it("lists every pair big enough to test, largest first, leaving out pairs that are a single's own units", () => {
    const found = segmentsFromCells(dims, cells);
    expect(found.total).toEqual({ settled: 1000, dropped: 460 });
    // Two values per dimension: only the one that drops more is a single (55 % mobile, 60 % instagram); loggedIn has one value.
    expect(found.singles.map((s) => `${s.dimension}=${s.value}`)).toEqual(["device=mobile", "source=instagram", "loggedIn=false"]);
    // device × loggedIn and source × loggedIn pairs hold exactly a single's units: not pairs.
    expect(found.pairs.map((p) => `${p.value}:${p.settled}`)).toEqual([
      "desktop × google:450",
      "mobile × google:250",
      "desktop × instagram:150",
      "mobile × instagram:150",
    ]);
    expect(found.pairs[3]).toMatchObject({
      dimension: "device × source",
      dropped: 120,
      rest: { settled: 850, dropped: 340 },
      pair: {
        dimensions: ["device", "source"],
        values: ["mobile", "instagram"],
        parents: [
          { settled: 400, dropped: 220 },
          { settled: 300, dropped: 180 },
        ],
      },
    });
  });

  it("caps the pairs tested, keeping the largest, and needs 30 settled units on both sides", () => {
    const capped = segmentsFromCells(dims, cells, { maxPairs: 2 });
    expect(capped.pairs.map((p) => p.value)).toEqual(["desktop × google", "mobile × google"]);
    expect(capped.pairsOverCap).toBe(2);
    const small = segmentsFromCells(dims, [...cells, { values: ["tablet", "google", "false"], units: 30, settled: 29, dropped: 10 }]);
    expect(small.pairs.some((p) => p.value.startsWith("tablet"))).toBe(false);
  });

  it("tests singles and pairs in one Benjamini–Hochberg and claims a pair only when it says more than both singles", () => {
    const found = segmentsFromCells(dims, cells);
    const scan = scanSegments(found.total, [...found.singles, ...found.pairs]);
    expect(scan.tested).toBe(6); // mobile, instagram, 4 pairs (loggedIn's one value has no rest)
    expect(scan.pairsTested).toBe(4);
    const byValue = new Map(scan.segments.map((s) => [s.value, s]));
    // Hand-computed pooled two-proportion z-tests against everyone else, then BH over m = 6:
    //   mobile × instagram 120/150 vs 340/850: z = 9.0623, p = 1.277e-19, q = 6·p/1 = 7.662e-19
    //   instagram 180/300 vs 280/700:          z = 5.8152, p = 6.057e-9,  q = 6·p/2 = 1.817e-8
    //   mobile 220/400 vs 240/600:              z = 4.6625, p = 3.124e-6,  q = 6·p/3 = 6.247e-6
    //   desktop × google 180/450 vs 280/550:    z = −3.4435, p = 5.742e-4, q = 6·p/4 = 8.613e-4
    //   mobile × google 100/250 vs 360/750:     z = −2.1979, p = 0.027954, q = 6·p/5 = 0.033544
    //   desktop × instagram 60/150 vs 400/850:  z = −1.5992, p = 0.10977,  q = 6·p/6 = 0.10977
    const q = (v: string) => byValue.get(v)!.qValue!;
    expect(q("mobile × instagram") / 7.662e-19).toBeCloseTo(1, 3);
    expect(q("instagram") / 1.817e-8).toBeCloseTo(1, 3);
    expect(q("mobile") / 6.247e-6).toBeCloseTo(1, 3);
    expect(q("desktop × google")).toBeCloseTo(8.613e-4, 6);
    expect(q("mobile × google")).toBeCloseTo(0.033544, 5);
    expect(q("desktop × instagram")).toBeCloseTo(0.10977, 5);
    expect(byValue.get("mobile × instagram")!.diff).toBeCloseTo(0.4, 10);
    // Inside mobile 80 % vs 40 % (100/250), inside instagram 80 % vs 40 % (60/150): both intervals above 0.
    // Interaction on log-odds (+½ each count): ln(120.5/30.5) − ln(100.5/150.5) − ln(60.5/90.5) + ln(180.5/270.5)
    //   = 1.77589, SE √Σ(1/(x+½) + 1/(n−x+½)) = 0.30740, z = 5.777 > 1.645.
    // Claimed: the pair (80 % against 40 % among other mobile and among other instagram units), then the singles.
    expect(scan.worse.map((c) => c.value)).toEqual(["mobile × instagram", "instagram", "mobile"]);
    expect(scan.better).toEqual([]);
    // Significant but no different from the rest of "google" (40 % either way) or of "desktop": restatements.
    expect(byValue.get("mobile × google")!.verdict).toBe("restates-parent");
    expect(byValue.get("desktop × google")!.verdict).toBe("restates-parent");
    expect(byValue.get("desktop × instagram")!.verdict).toBe("not-significant");
  });

  it("two singles that each add to the drop-off are not a combination", () => {
    // Mobile adds 20 points, instagram adds 20 points, together 40: the pair is the largest difference but says nothing new.
    const additive: SegmentCell[] = [
      { values: ["mobile", "instagram"], units: 400, settled: 400, dropped: 320 },
      { values: ["mobile", "google"], units: 400, settled: 400, dropped: 240 },
      { values: ["desktop", "instagram"], units: 400, settled: 400, dropped: 240 },
      { values: ["desktop", "google"], units: 400, settled: 400, dropped: 160 },
    ];
    const found = segmentsFromCells(["device", "source"], additive);
    const scan = scanSegments(found.total, [...found.singles, ...found.pairs]);
    const pair = scan.segments.find((s) => s.value === "mobile × instagram")!;
    expect(pair.diff).toBeCloseTo(0.8 - 640 / 1200, 10); // larger than either single's 0.2
    // Interaction on log-odds: ln(320.5/80.5) − 2·ln(240.5/160.5) + ln(160.5/240.5) = 0.16835, SE 0.21612, z = 0.779 < 1.645.
    expect(pair.verdict).toBe("restates-parent");
    expect(scan.worse.map((c) => c.value).sort()).toEqual(["instagram", "mobile"]);
  });

  it("a pair whose parents carry the whole difference is not claimed", () => {
    // Mobile drops 60 % whatever the source; instagram adds nothing.
    const flat: SegmentCell[] = [
      { values: ["mobile", "instagram"], units: 200, settled: 200, dropped: 120 },
      { values: ["mobile", "google"], units: 200, settled: 200, dropped: 120 },
      { values: ["desktop", "instagram"], units: 300, settled: 300, dropped: 90 },
      { values: ["desktop", "google"], units: 300, settled: 300, dropped: 90 },
    ];
    const found = segmentsFromCells(["device", "source"], flat);
    const scan = scanSegments(found.total, [...found.singles, ...found.pairs]);
    expect(scan.worse.map((c) => c.value)).toEqual(["mobile"]);
    expect(scan.segments.find((s) => s.value === "mobile × instagram")!.verdict).toBe("restates-parent");
  });
});
