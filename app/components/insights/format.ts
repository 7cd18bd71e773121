/**
 * Number formatting for the insights and audiences pages. Locale-free (en-US grouping)
 * so server and browser render the same text; undefined figures are "—", never NaN.
 */
import type { Counts } from "../../../core/stats";

export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function pct(rate: number | null, digits = 1): string {
  return rate === null || !Number.isFinite(rate) ? "—" : `${(rate * 100).toFixed(digits)} %`;
}

/** "45 of 210 · 21.4 %": a rate always with its counts. */
export function countsRate(c: Counts): string {
  return `${int(c.converted)} of ${int(c.total)} · ${pct(c.total > 0 ? c.converted / c.total : null)}`;
}

export function ratio(x: number | null): string {
  return x === null || !Number.isFinite(x) ? "—" : `${x.toFixed(2)}×`;
}

export function ci(interval: [number, number] | null): string {
  return interval ? `95 % CI ${interval[0].toFixed(2)}× – ${interval[1].toFixed(2)}×` : "no confidence interval";
}

/** Percentage points with sign, one decimal. */
export function pp(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "—";
  const s = (x * 100).toFixed(1);
  if (s === "0.0" || s === "-0.0") return "0.0 pp";
  return `${x > 0 ? "+" : ""}${s} pp`;
}

export function ppInterval(interval: [number, number] | null): string {
  return interval ? `${(interval[0] * 100).toFixed(1)} to ${(interval[1] * 100).toFixed(1)} pp` : "—";
}

export function pValue(p: number | null): string {
  if (p === null) return "—";
  return p < 0.0001 ? "p < 0.0001" : `p = ${p.toFixed(4)}`;
}

/** "2026-03-01" style local date of an instant in a zone. */
export function localDate(ts: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ts);
}

/** ISO UTC to the minute, as on the page beside the CSV's full timestamp. */
export function utcMinute(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
