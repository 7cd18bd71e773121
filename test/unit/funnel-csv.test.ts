import { describe, expect, it } from "vitest";
import { computeFunnel, compareReports } from "../../core/funnel";
import type { CoreEvent, FunnelDefinition } from "../../core/types";
import { csvCell, csvFile as toCsv } from "../../core/csv";
import { breakdownCsv, csvFilename, stepsCsv, trendCsv, type FunnelReportView } from "../../app/services/funnel-report.server";
import { resolveDateRange } from "../../app/services/date-range";
import { csvMeta, csvRecords, parseCsv, pctCell } from "../helpers/funnel-csv";

describe("CSV cells (RFC 4180 + formula-injection guard)", () => {
  it("quotes fields with commas, quotes and line breaks, doubling quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line\r\nbreak")).toBe('"line\r\nbreak"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(12.5)).toBe("12.5");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("defuses text a spreadsheet would run as a formula, but leaves our numbers alone", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+49 30")).toBe("'+49 30");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tx")).toBe("'\tx");
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell(-3.5)).toBe("-3.5");
    expect(csvCell("a=b")).toBe("a=b");
  });

  it("writes CRLF rows after a BOM and reads back what it wrote", () => {
    const rows = [
      ["h1", "h2"],
      ["a,b", 'q"q'],
      ["multi\nline", "=x"],
    ];
    const text = toCsv(rows);
    expect(text.startsWith("\uFEFFh1,h2\r\n")).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parseCsv(text)).toEqual([
      ["h1", "h2"],
      ["a,b", 'q"q'],
      ["multi\nline", "'=x"],
    ]);
  });
});

// ----------------------------------------------------------------------------- tables

const T0 = Date.UTC(2026, 0, 5, 15);
const MIN = 60_000;
let n = 0;
function ev(visitorId: string, name: string, ts: number, attrs: Partial<CoreEvent["attrs"]> = {}): CoreEvent {
  n++;
  return {
    id: `e${n}`,
    seq: n,
    visitorId,
    name,
    ts,
    path: "/",
    productId: null,
    checkoutToken: null,
    orderId: null,
    customerId: null,
    props: {},
    attrs: { device: "desktop", source: "direct", medium: null, campaign: null, landingPath: "/", visitorType: "new", loggedIn: false, ...attrs },
  };
}

const def: FunnelDefinition = {
  unit: "session",
  windowMs: 7 * 24 * 60 * MIN,
  steps: [
    { label: "Viewed, product", anyOf: [{ event: "product_viewed", filters: [] }] },
    { label: '=cmd|"/c calc"!A1', anyOf: [{ event: "product_added_to_cart", filters: [] }] },
    { label: "Purchased", anyOf: [{ event: "checkout_completed", filters: [] }] },
  ],
};

function view(): FunnelReportView {
  const events: CoreEvent[] = [];
  for (let i = 0; i < 10; i++) {
    const source = i < 4 ? "=evil()" : "google";
    const t = T0 + i * 24 * 60 * MIN;
    events.push(ev(`v${i}`, "product_viewed", t, { source }));
    if (i % 2 === 0) events.push(ev(`v${i}`, "product_added_to_cart", t + 3 * MIN, { source }));
    if (i % 4 === 0) events.push(ev(`v${i}`, "checkout_completed", t + 9 * MIN, { source }));
  }
  const range = resolveDateRange({ preset: "custom", from: "2026-01-05", to: "2026-01-18" }, "UTC", 0);
  const params = { from: range.from, to: range.to, now: Date.UTC(2027, 0, 1), timeZone: "UTC" };
  const report = computeFunnel(events, def, { ...params, breakdown: "source", trend: "day" });
  const previous = computeFunnel([], def, params);
  return {
    funnel: {
      id: "f1",
      name: "Ünïcode Funnel / 2026",
      unit: "session",
      windowMinutes: 10080,
      template: null,
      isMain: true,
      createdAt: "",
      steps: def.steps,
      version: 1,
      resultsState: "ready",
    },
    params: { range: "custom", from: "2026-01-05", to: "2026-01-18", compare: true, breakdown: "source", trend: "day" },
    resultsFrom: "events",
    asOf: params.now,
    build: null,
    query: "",
    range,
    previousRange: null,
    locale: "en",
    now: params.now,
    unit: "session",
    totalUnits: report.totalUnits,
    inProgressUnits: report.inProgressUnits,
    steps: report.steps,
    biggestLeak: report.biggestLeak,
    leakSentence: null,
    noLeak: report.noLeak,
    noLeakSentence: null,
    breakdown: report.breakdown!,
    trend: report.trend!,
    comparison: compareReports(report, previous),
    previous: null,
    previousTrend: null,
    diagnosis: null,
    paths: null,
    eventsInRange: events.length,
  };
}

describe("report CSV tables", () => {
  it("steps: one row per step with counts, rates (%, 2 decimals), drop-off, times and the comparison", () => {
    const v = view();
    const rows = csvRecords(stepsCsv(v));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.label)).toEqual(["Viewed, product", `'=cmd|"/c calc"!A1`, "Purchased"]);
    expect(rows.map((r) => Number(r.count))).toEqual([10, 5, 3]);
    expect(rows[0].step_conversion_pct).toBe("");
    expect(rows[1].step_conversion_pct).toBe("50");
    expect(rows[2].step_conversion_pct).toBe(pctCell(3 / 5));
    expect(rows[2].overall_conversion_pct).toBe("30");
    expect(rows[1].drop_off).toBe("5");
    expect(rows[1].median_seconds_from_previous).toBe("180");
    expect(rows[2].median_seconds_from_previous).toBe("360");
    // Previous period is empty: its rates are undefined, so the changes are empty cells.
    expect(rows[1].previous_count).toBe("0");
    expect(rows[1].step_conversion_change_pp).toBe("");
    // Too few on both sides (10 now, 0 before): no verdict beyond "too-few".
    expect(rows[1].step_conversion_change).toBe("too-few");
    v.steps.forEach((s, i) => {
      expect(rows[i].in_progress).toBe(String(s.inProgress));
      expect(rows[i].waiting).toBe(String(s.waiting));
      expect(rows[i].settled_at_previous).toBe(s.settled === null ? "" : String(s.settled));
      expect(rows[i].drop_off_pct).toBe(pctCell(s.dropOffRate));
    });
  });

  it("every table starts with the report header block (core/csv.ts) naming funnel, unit, window, range, time zone and generation time", () => {
    const v = view();
    for (const text of [stepsCsv(v), breakdownCsv(v), trendCsv(v)]) {
      expect(text.startsWith("\uFEFFReport,Funnel ")).toBe(true);
      const meta = csvMeta(text);
      expect(meta).toMatchObject({
        funnel: "Ünïcode Funnel / 2026",
        unit: "session",
        window: "the session (30 minutes without activity ends it)",
        range: "2026-01-05 to 2026-01-18",
        time_zone: "UTC",
        generated_at: "2027-01-01T00:00:00.000Z",
        figures_as_of: "2027-01-01T00:00:00.000Z",
        figures_from: "events",
      });
      // Each header row is exactly two cells (a spreadsheet shows key | value), then one empty row.
      const rows = parseCsv(text);
      const blank = rows.findIndex((r) => r.length === 1 && r[0] === "");
      expect(blank).toBeGreaterThan(5);
      expect(rows.slice(0, blank).every((r) => r.length === 2)).toBe(true);
    }
    expect(csvMeta(stepsCsv({ ...v, unit: "visitor" })).window).toBe("10080 minutes");
    const partial = { ...v, resultsFrom: "partial" as const, build: { state: "building" as const, visitors: 200, computed: 50 } };
    expect(csvMeta(stepsCsv(partial)).figures_from).toBe("partial: 50 of 200 visitors computed");
    // A funnel name that looks like a formula is defused in the header block too.
    expect(csvMeta(stepsCsv({ ...v, funnel: { ...v.funnel, name: "=1+1" } })).funnel).toBe("'=1+1");
  });

  it("breakdown: one row per value and step, values defused", () => {
    const v = view();
    const rows = csvRecords(breakdownCsv(v));
    expect(rows).toHaveLength(v.breakdown!.groups.length * 3);
    const evil = rows.filter((r) => r.value === "'=evil()");
    expect(evil.map((r) => Number(r.count))).toEqual([4, 2, 1]);
    // 4 and 6 units: both groups are under 30, so greyed in the UI and flagged here.
    expect(rows.every((r) => r.group_too_small === "yes")).toBe(true);
    expect(Number(evil[0].group_overall_low_pct)).toBeGreaterThan(0);
    expect(rows.every((r) => r.breakdown === "source")).toBe(true);
    expect(() => breakdownCsv({ ...v, breakdown: null })).toThrow(/needs a breakdown parameter/);
  });

  it("trend: every day of the range, counts adding up to the report", () => {
    const v = view();
    const rows = csvRecords(trendCsv(v));
    expect(rows).toHaveLength(14 * 3);
    expect(rows[0]).toMatchObject({ day: "2026-01-05", step: "1", count: "1" });
    const total = rows.filter((r) => r.step === "1").reduce((a, r) => a + Number(r.count), 0);
    expect(total).toBe(v.totalUnits);
  });

  it("file names are ASCII and carry table and dates", () => {
    expect(csvFilename(view(), "steps")).toBe("funnel-unicode-funnel-2026-steps-2026-01-05_2026-01-18.csv");
  });
});
