/**
 * The dashboard's and the Coverage page's CSV downloads, from the very view models the
 * pages render (so the file and the page cannot disagree). Both start with the app's
 * report header block (core/csv.ts). `csvResponse` is how every CSV download of the app
 * is answered.
 */
import { reportCsv, type CsvCell } from "../../core/csv";
import { localDate } from "../../core/first-run";
import type { DashboardView } from "./dashboard.server";
import type { CoveragePageData } from "./trust/pages.server";
import type { CoverageFigures } from "../../core/trust/coverage";

const iso = (ts: number | null) => (ts === null ? null : new Date(ts).toISOString());

/** The previous period's cells: blank where it lies before the shop's data starts (not zeros). */
function previousCells(view: DashboardView, sessions: number, of: number, rate: number | null): CsvCell[] {
  return view.previousPeriod.kind === "none" ? [null, null, null] : [sessions, of, rate];
}

export function dashboardCsv(view: DashboardView, now: number): string {
  const p = view.previousPeriod;
  const tz = view.range.timeZone;
  const table: CsvCell[][] = [
    [
      "Figure",
      "Sessions with it",
      "Of sessions",
      "Rate",
      "Previous: sessions with it",
      "Previous: of sessions",
      "Previous: rate",
      "Change (percentage points)",
    ],
    ["Sessions", view.sessions.current, null, null, p.kind === "none" ? null : view.sessions.previous, null, null, null],
    ...view.rates.map((r): CsvCell[] => [
      r.label,
      r.sessions,
      r.of,
      r.rate,
      ...previousCells(view, r.previous.sessions, r.previous.of, r.previous.rate),
      p.kind === "none" ? null : r.changePp,
    ]),
  ];
  const main = view.mainFunnel;
  const leak = main?.report.biggestLeak ?? null;
  return reportCsv(
    {
      report: "Dashboard",
      unit: "session",
      window: "a session ends after 30 minutes without activity and counts on the day it starts; bots excluded",
      from: view.range.fromDate,
      to: view.range.toDate,
      timeZone: tz,
      generatedAt: now,
      extra: [
        [
          "Previous range",
          p.kind === "none"
            ? `none: data starts ${localDate(p.since, tz)}`
            : `${view.previousRange.fromDate} to ${view.previousRange.toDate}${p.kind === "partial" ? ` (data only from ${localDate(p.since, tz)})` : ""}`,
        ],
        ["Data since", iso(view.dataSince)],
        ["Events received", view.tracking.events],
        ["Page-level events", view.tracking.customEvents],
        ["Latest event", view.tracking.latestEventAt],
        ["Main funnel", main?.name ?? null],
        [
          "Biggest leak",
          leak
            ? `${leak.fromLabel} → ${leak.toLabel}: ${leak.dropOff} of ${leak.settled} settled ${main!.report.unit}s dropped off`
            : (main?.report.noLeakSentence ?? null),
        ],
      ],
    },
    table,
  );
}

const COVERAGE_COLUMNS = [
  "Day",
  "Online-store orders",
  "Matched",
  "Missed by the pixel",
  "Of the missed: recent",
  "Coverage rate",
  "Pixel purchases",
  "No order yet",
  "No order yet: awaiting the order webhook",
  "No order yet: order in another channel",
  "No order yet: no order",
  "Other-channel orders (excluded)",
];

function coverageRow(label: string, f: CoverageFigures): CsvCell[] {
  return [
    label,
    f.onlineOrders,
    f.seen,
    f.missed,
    f.missedRecent,
    f.rate,
    f.pixelPurchases,
    f.pixelPurchasesWithoutOrder,
    f.unmatched.awaitingOrder,
    f.unmatched.otherChannel,
    f.unmatched.noOrder,
    f.otherChannelOrders,
  ];
}

/** One row per day the page shows (from the shop's data start), then the range's total. */
export function coverageCsv(data: CoveragePageData): string {
  const { coverage } = data;
  return reportCsv(
    {
      report: "Tracking coverage",
      unit: "order (online-store orders) and pixel purchase (checkout_completed events), matched by order id",
      window: "orders on the day they were created, purchases on the day of the event",
      from: coverage.range.fromDate,
      to: coverage.range.toDate,
      timeZone: coverage.range.timeZone,
      generatedAt: data.now,
      extra: [
        ["Data since", iso(data.dataSince)],
        ["Days before the data start left out", data.hiddenDays],
      ],
    },
    [COVERAGE_COLUMNS, ...coverage.days.map((d) => coverageRow(d.date, d)), coverageRow("Range", coverage.total)],
  );
}

export function coverageCsvFilename(data: CoveragePageData): string {
  return `coverage-${data.coverage.range.fromDate}-to-${data.coverage.range.toDate}.csv`;
}

/** The Response of a CSV download (every route that answers text/csv). */
export function csvResponse(text: string, filename: string): Response {
  return new Response(text, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
