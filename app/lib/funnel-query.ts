/**
 * Report URL parameters, shared by the server (canonical links, CSV and JSON URLs) and
 * the report page's controls, so both write the same query for the same report.
 * Validation lives in services/funnel-report/params.ts (parseReportParams).
 */
import type { BreakdownKey } from "../../core/types";
import type { RangePreset } from "../services/date-range";

export const BREAKDOWN_KEYS = ["device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn"] as const satisfies readonly BreakdownKey[];

/** Names of the breakdowns as the UI shows them. */
export const BREAKDOWN_LABELS: Record<BreakdownKey, string> = {
  device: "Device type",
  source: "Traffic source",
  medium: "UTM medium",
  campaign: "UTM campaign",
  landingPath: "Landing page",
  visitorType: "New vs returning",
  loggedIn: "Customer logged in",
};

/** Validated report parameters (what a report URL means). */
export interface ReportParams {
  range: RangePreset;
  /** Custom range only: first and last day included, local "YYYY-MM-DD". */
  from: string | null;
  to: string | null;
  compare: boolean;
  breakdown: BreakdownKey | null;
  trend: "day" | "week";
  /** The step transition (k ≥ 2) the "for whom" card scans; absent: the biggest leak. */
  diagnose?: number | null;
}

/** The canonical query string of params; defaults are left out except the range. */
export function reportQuery(p: ReportParams, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  q.set("range", p.range);
  if (p.range === "custom") {
    if (p.from) q.set("from", p.from);
    if (p.to) q.set("to", p.to);
  }
  if (p.compare) q.set("compare", "on");
  if (p.breakdown) q.set("breakdown", p.breakdown);
  if (p.trend !== "day") q.set("trend", p.trend);
  if (p.diagnose) q.set("diagnose", String(p.diagnose));
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/**
 * Reads a canonical report query (what reportQuery writes: absent keys are defaults)
 * leniently, client side: a value that does not look valid keeps the fallback's. The
 * server validates for real; this only carries a pending choice forward.
 */
export function readReportQuery(search: string, fallback: ReportParams): ReportParams {
  const q = new URLSearchParams(search);
  const range = q.get("range");
  const breakdown = q.get("breakdown");
  const trend = q.get("trend");
  const diagnose = Number(q.get("diagnose"));
  return {
    range: (RANGES as readonly string[]).includes(range ?? "") ? (range as RangePreset) : fallback.range,
    from: q.get("from") || null,
    to: q.get("to") || null,
    compare: q.get("compare") === "on",
    breakdown: breakdown === null ? null : (BREAKDOWN_KEYS as readonly string[]).includes(breakdown) ? (breakdown as BreakdownKey) : fallback.breakdown,
    trend: trend === "week" ? "week" : "day",
    ...(Number.isInteger(diagnose) && diagnose >= 2 ? { diagnose } : {}),
  };
}

const RANGES = ["today", "yesterday", "last7", "last30", "last90", "custom"] as const satisfies readonly RangePreset[];

/**
 * The query for a change made in the report controls. `pendingSearch` is the query of
 * a navigation still loading: a second change made before the first report arrived
 * builds on it instead of undoing it.
 */
export function nextReportQuery(current: ReportParams, pendingSearch: string | null, patch: Partial<ReportParams>): string {
  const base = pendingSearch === null ? current : readReportQuery(pendingSearch, current);
  const next = { ...base, ...patch };
  if (patch.range && patch.range !== "custom") {
    next.from = null;
    next.to = null;
  }
  return reportQuery(next);
}
