import { describe, expect, it } from "vitest";
import { clsOf, inpOf, lcpOf, tbtOf, type PageVitals } from "../../bench/lib/vitals";
import { areaOf, summarizeProfile, type CpuProfile } from "../../bench/lib/cpuprofile";

const vitals = (v: Partial<PageVitals>): PageVitals => ({ lcp: [], shifts: [], longtasks: [], events: [], fcp: null, firstInputAt: null, ...v });

describe("bench page vitals", () => {
  it("LCP is the last candidate before the cut-off", () => {
    const v = vitals({
      lcp: [
        { t: 300, size: 10, tag: "P" },
        { t: 900, size: 90, tag: "IMG" },
        { t: 2_000, size: 99, tag: "IMG" },
      ],
    });
    expect(lcpOf(v)).toBe(2_000);
    expect(lcpOf(v, 1_000)).toBe(900);
    expect(lcpOf(vitals({}))).toBeNull();
  });

  it("CLS is the largest session window of shifts without recent input", () => {
    const v = vitals({
      shifts: [
        { t: 100, value: 0.05, recent: false },
        { t: 600, value: 0.05, recent: false },
        { t: 800, value: 0.5, recent: true },
        { t: 3_000, value: 0.02, recent: false },
      ],
    });
    expect(clsOf(v)).toBeCloseTo(0.1);
    // A gap over 1 s starts a new window.
    expect(
      clsOf(
        vitals({
          shifts: [
            { t: 0, value: 0.03, recent: false },
            { t: 1_500, value: 0.04, recent: false },
          ],
        }),
      ),
    ).toBeCloseTo(0.04);
  });

  it("TBT sums long-task time over 50 ms from FCP to the cut-off", () => {
    const v = vitals({
      fcp: 500,
      longtasks: [
        { t: 100, d: 300 },
        { t: 600, d: 120 },
        { t: 900, d: 50 },
        { t: 5_000, d: 400 },
      ],
    });
    expect(tbtOf(v, 2_000)).toBe(70);
    expect(tbtOf(v)).toBe(420);
  });

  it("INP approximation is the longest interaction's duration", () => {
    expect(
      inpOf(
        vitals({
          events: [
            { name: "pointerdown", t: 1, d: 24, id: 7 },
            { name: "click", t: 2, d: 40, id: 7 },
            { name: "mousemove", t: 3, d: 90, id: 0 },
          ],
        }),
      ),
    ).toBe(40);
    expect(inpOf(vitals({}))).toBeNull();
  });
});

describe("bench CPU profile summary", () => {
  it("names areas", () => {
    expect(areaOf({ functionName: "run", url: "file:///w/node_modules/libsql/index.js", lineNumber: 1 })).toBe("libsql");
    expect(areaOf({ functionName: "x", url: "file:///w/node_modules/@libsql/client/lib-esm/sqlite3.js", lineNumber: 1 })).toBe("@libsql/client");
    expect(areaOf({ functionName: "end", url: "node:_http_outgoing", lineNumber: 1 })).toBe("node:_http_outgoing");
    expect(areaOf({ functionName: "writeGroup", url: "file:///w/.tmp/bench/app/build/server/index.js", lineNumber: 1 })).toBe("app (Remix server bundle)");
    expect(areaOf({ functionName: "(garbage collector)", url: "", lineNumber: -1 })).toBe("(garbage collector)");
  });

  it("adds self time per function and inclusive time of app functions, leaving idle out of the shares", () => {
    const app = "file:///w/build/server/index.js";
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2, 5] },
        { id: 2, callFrame: { functionName: "ingest", url: app, lineNumber: 9 }, children: [3, 4] },
        { id: 3, callFrame: { functionName: "parseBatch", url: app, lineNumber: 19 } },
        { id: 4, callFrame: { functionName: "run", url: "file:///w/node_modules/libsql/index.js", lineNumber: 280 } },
        { id: 5, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [3, 4, 4, 5, 2],
      timeDeltas: [1_000, 2_000, 2_000, 4_000, 1_000],
    };
    const s = summarizeProfile(profile);
    expect(s.totalMs).toBe(10);
    expect(s.idleMs).toBe(4);
    expect(s.busyMs).toBe(6);
    expect(s.self[0]).toMatchObject({ name: "run (libsql/index.js:281)", ms: 4 });
    expect(s.self[0].share).toBeCloseTo(4 / 6);
    expect(s.appInclusive.find((e) => e.name.startsWith("ingest"))?.ms).toBe(6);
    expect(s.appInclusive.find((e) => e.name.startsWith("parseBatch"))?.ms).toBe(1);
    // Only the last 5 ms: the samples at 6, 8 (idle at 9 is the 4th delta) and 10 ms.
    expect(summarizeProfile(profile, 15, 5).busyMs).toBe(3);
  });
});
