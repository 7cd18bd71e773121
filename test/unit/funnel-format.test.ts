import { describe, expect, it } from "vitest";
import { formatter, leakSentence, noLeakSentence, safeLocale } from "../../app/lib/funnel-format";

describe("report formatting", () => {
  const f = formatter("en");
  it("shows every rate with its counts, and — for a zero denominator", () => {
    expect(f.ratio(350, 1000)).toBe("350 of 1,000 · 35.0 %");
    expect(f.ratio(0, 0)).toBe("0 of 0 · —");
    expect(f.percent(null)).toBe("—");
    expect(f.percent(Number.NaN)).toBe("—");
    expect(f.percent(0.514285)).toBe("51.4 %");
  });
  it("formats in the shop's locale", () => {
    expect(formatter("de-DE").ratio(350, 1000)).toBe("350 of 1.000 · 35,0 %");
    expect(safeLocale("not a locale!")).toBe("en");
    expect(formatter("not a locale!").count(1234)).toBe("1,234");
  });
  it("signs percentage-point changes", () => {
    expect(f.pp(3.5)).toBe("+3.5 pp");
    expect(f.pp(-1.25)).toBe("-1.3 pp");
    expect(f.pp(0)).toBe("0.0 pp");
    expect(f.pp(null)).toBe("—");
  });
  it("writes durations for people", () => {
    expect(f.duration(null)).toBe("—");
    expect(f.duration(0)).toBe("0 s");
    expect(f.duration(400)).toBe("< 1 s");
    expect(f.duration(45_000)).toBe("45 s");
    expect(f.duration(200_000)).toBe("3 min 20 s");
    expect(f.duration(2 * 3_600_000)).toBe("2 h");
    expect(f.duration(3_900_000)).toBe("1 h 5 min");
    expect(f.duration(2 * 86_400_000 + 4 * 3_600_000 + 59_000)).toBe("2 d 4 h");
  });
  it("states the biggest leak with its arithmetic (the worked example)", () => {
    const leak = { fromLabel: "Viewed a product", toLabel: "Added to cart", fromCount: 1000, toCount: 350, dropOff: 650, dropOffRate: 0.65 };
    expect(leakSentence(leak, "session", f)).toBe("65.0 % of sessions that reached “Viewed a product” never reached “Added to cart” (650 of 1,000).");
    expect(leakSentence(leak, "visitor", f)).toMatch(/^65.0 % of visitors/);
    // v2: the base is the settled units; those still in progress are said apart.
    const settled = {
      fromLabel: "Added to cart",
      toLabel: "Started checkout",
      fromCount: 350,
      toCount: 180,
      settled: 310,
      waiting: 40,
      dropOff: 130,
      dropOffRate: 130 / 310,
    };
    expect(leakSentence(settled, "session", f)).toBe(
      "41.9 % of sessions that reached “Added to cart” never reached “Started checkout” (130 of 310; 40 more still in progress are not counted).",
    );
  });
  it("says why no leak is named", () => {
    expect(noLeakSentence({ reason: "too-few-settled", settled: 28, finished: 5 }, "session", f)).toBe(
      "No leak named: not enough finished visits yet: 5 (a step is named once 30 have finished there). Those still in progress are shown as waiting, not as drop-offs.",
    );
    expect(noLeakSentence({ reason: "too-few-settled", settled: 3, finished: 3 }, "visitor", f)).toMatch(/not enough finished visitors yet: 3 /);
    expect(noLeakSentence({ reason: "too-few-settled", settled: 12, finished: 400 }, "session", f)).toMatch(
      /at the steps that lose some: at most 12 \(a step needs 30\)/,
    );
    expect(noLeakSentence({ reason: "no-drop-off", settled: 80, finished: 80 }, "session", f)).toMatch(/^No leak to name: none of the sessions/);
  });
  it("formats local calendar dates without shifting the day", () => {
    expect(f.date("2026-01-05")).toBe("Jan 5, 2026");
  });
});
