import { describe, expect, it } from "vitest";
import {
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtRatio,
  markdownTable,
  median,
  parseFlags,
  percentile,
  ratio,
  SECTION_NAMES,
  sizeFromEnv,
  summaryCells,
  textTable,
} from "../../bench/lib/stats";

describe("bench stats", () => {
  it("percentile is nearest-rank and does not reorder its input", () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 0)).toBe(15);
    expect(percentile([3, 1, 2], 99)).toBe(3);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    const input = [3, 1, 2];
    percentile(input, 50);
    expect(input).toEqual([3, 1, 2]);
  });

  it("median averages the middle pair of an even count", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it("ratio is null without a usable baseline", () => {
    expect(ratio(50, 100)).toBe(0.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(2, undefined)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
  });

  it("formats numbers for the table", () => {
    expect(fmtInt(12345.6)).toBe("12,346");
    expect(fmtInt(null)).toBe("—");
    expect(fmtMs(0.84)).toBe("0.8 ms");
    expect(fmtMs(245.2)).toBe("245 ms");
    expect(fmtMs(1234)).toBe("1.23 s");
    expect(fmtMs(75_400)).toBe("75.4 s");
    expect(fmtBytes(812)).toBe("812 B");
    expect(fmtBytes(6_900)).toBe("6.74 KB");
    expect(fmtBytes(3 * 1024 * 1024)).toBe("3.00 MB");
    expect(fmtRatio(0.4234)).toBe("0.423×");
    expect(fmtRatio(1.7)).toBe("1.70×");
    expect(fmtRatio(12.4)).toBe("12×");
    expect(fmtRatio(null)).toBe("—");
  });

  it("renders the summary as aligned text and as Markdown", () => {
    const rows = summaryCells([
      { section: "Ingest", metric: "events/s vs storage ceiling", ours: "1,000 ev/s", baseline: "4,000 ev/s", ratio: 0.25, target: "≥ 0.5×", pass: false },
      { section: "Ingest", metric: "x | y", ours: "1", baseline: "", ratio: null, target: "", pass: null },
    ]);
    expect(rows[0]).toEqual(["Ingest", "events/s vs storage ceiling", "1,000 ev/s", "4,000 ev/s", "0.250×", "≥ 0.5×", "NO"]);
    expect(rows[1][6]).toBe("");
    const text = textTable(
      ["a", "metric"],
      [
        ["1", "≥ 0.5×"],
        ["22", "x"],
      ],
    ).split("\n");
    expect(text[0]).toBe("a   metric");
    expect(text[1]).toBe("--  ------");
    expect(text[2]).toBe("1   ≥ 0.5×");
    const md = markdownTable(["a", "b"], [["x | y", "z"]]).split("\n");
    expect(md).toEqual(["| a | b |", "|---|---|", "| x \\| y | z |"]);
  });

  it("parses the command-line flags", () => {
    expect(parseFlags([])).toMatchObject({ quick: false, sections: [...SECTION_NAMES], skipBuild: false, profile: true, write: true });
    expect(parseFlags(["--quick", "--only", "report,ingest"]).sections).toEqual(["ingest", "report"]);
    expect(parseFlags(["--only=storefront"]).sections).toEqual(["storefront"]);
    expect(parseFlags(["admin"]).sections).toEqual(["admin"]);
    expect(parseFlags(["--skip", "admin,report"]).sections).toEqual(["ingest", "ingest-pg", "storefront", "first-report", "diagnosis"]);
    expect(parseFlags(["first-report"]).sections).toEqual(["first-report"]);
    expect(parseFlags(["--skip-build", "--no-profile", "--no-write"])).toMatchObject({ skipBuild: true, profile: false, write: false });
    expect(() => parseFlags(["--fast"])).toThrow(/unknown flag/);
    expect(() => parseFlags(["--only", "reports"])).toThrow(/unknown section/);
  });

  it("reads sizes from the environment", () => {
    expect(sizeFromEnv(undefined, 7)).toBe(7);
    expect(sizeFromEnv("", 7)).toBe(7);
    expect(sizeFromEnv("10_000_000", 0)).toBe(10_000_000);
    expect(sizeFromEnv("1e6", 0)).toBe(1_000_000);
    expect(sizeFromEnv("250k", 0)).toBe(250_000);
    expect(sizeFromEnv("10M", 0)).toBe(10_000_000);
    expect(() => sizeFromEnv("lots", 0)).toThrow(/not a size/);
  });
});
