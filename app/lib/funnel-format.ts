/**
 * Number, rate and duration formatting for funnel reports (pure, server and browser).
 * Every rate is shown with its counts ("350 of 1,000 · 35.0 %"); a rate with a zero
 * denominator is null and shows as "—" (docs/funnel-semantics.md). The locale is the
 * shop's, passed in explicitly so server render and hydration print the same text.
 */
import type { BreakdownKey, FunnelUnit } from "../../core/types";
import { MIN_SETTLED_FOR_LEAK } from "../../core/funnel/report";

export const DASH = "—";

/** A breakdown value as a merchant reads it: the logged-in flag as "Logged in" / "Guest" rather than true / false. */
export function breakdownValueLabel(key: BreakdownKey, value: string): string {
  if (key === "loggedIn" && (value === "true" || value === "false")) return value === "true" ? "Logged in" : "Guest";
  return value;
}

/** A locale Intl accepts, else "en" (a bad stored locale must not break a page). */
export function safeLocale(locale: string | null | undefined): string {
  if (!locale) return "en";
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? "en";
  } catch {
    return "en";
  }
}

export interface Formatter {
  locale: string;
  /** 1234 → "1,234". */
  count(n: number): string;
  /** 0.35 → "35.0 %", null → "—". */
  percent(rate: number | null): string;
  /** "350 of 1,000 · 35.0 %" (or "0 of 0 · —"). */
  ratio(numerator: number, denominator: number, rate?: number | null): string;
  /** Percentage-point change: 3.5 → "+3.5 pp", null → "—". */
  pp(value: number | null): string;
  /** Milliseconds as "3 min 20 s", "1 h 5 min", "2 d 4 h"; null → "—". */
  duration(ms: number | null): string;
  /** "YYYY-MM-DD" (a local calendar date) as "Jan 5, 2026" in the locale. */
  date(day: string): string;
}

const cache = new Map<string, Formatter>();

export function formatter(localeInput: string | null | undefined): Formatter {
  const locale = safeLocale(localeInput);
  const hit = cache.get(locale);
  if (hit) return hit;
  const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const one = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const signed = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" });
  // Calendar dates are zone-less: format them as UTC so no zone shifts the day.
  const dates = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  const percent = (rate: number | null) => (rate === null || !Number.isFinite(rate) ? DASH : `${one.format(rate * 100)} %`);
  const f: Formatter = {
    locale,
    count: (n) => int.format(n),
    percent,
    ratio: (num, den, r) => `${int.format(num)} of ${int.format(den)} · ${percent(r === undefined ? (den === 0 ? null : num / den) : r)}`,
    pp: (v) => (v === null || !Number.isFinite(v) ? DASH : `${signed.format(v)} pp`),
    duration: (ms) => humanDuration(ms, int),
    date: (day) => {
      const t = Date.parse(`${day}T00:00:00Z`);
      return Number.isNaN(t) ? day : dates.format(t);
    },
  };
  cache.set(locale, f);
  return f;
}

const UNITS: [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1000],
];

/** Two largest non-zero units, rounded down: precise enough to read, short enough for a table cell. */
function humanDuration(ms: number | null, int: Intl.NumberFormat): string {
  if (ms === null || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return ms <= 0 ? "0 s" : "< 1 s";
  const parts: string[] = [];
  let rest = Math.floor(ms);
  for (const [name, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${int.format(n)} ${name}`);
    if (parts.length === 2) break;
  }
  // "2 h 0 min" reads worse than "2 h".
  return parts.filter((p, i) => i === 0 || !p.startsWith("0 ")).join(" ");
}

/** "sessions" / "visitors" (plural; the UI always talks about groups). */
export function unitNoun(unit: FunnelUnit): string {
  return unit === "visitor" ? "visitors" : "sessions";
}

export interface LeakLike {
  fromLabel: string;
  toLabel: string;
  fromCount: number;
  toCount: number;
  dropOff: number;
  dropOffRate: number;
  /** Settled units at the step before (the rate's base); fromCount when absent. */
  settled?: number;
  waiting?: number;
}

/**
 * The headline: "65.0 % of sessions that reached “Viewed a product” never reached “Added to
 * cart” (650 of 1,000)." The base is the settled units: those waiting are said apart.
 */
export function leakSentence(leak: LeakLike, unit: FunnelUnit, f: Formatter): string {
  const settled = leak.settled ?? leak.fromCount;
  const waiting = leak.waiting ?? 0;
  return (
    `${f.percent(leak.dropOffRate)} of ${unitNoun(unit)} that reached “${leak.fromLabel}” never reached “${leak.toLabel}” ` +
    `(${f.count(leak.dropOff)} of ${f.count(settled)}` +
    (waiting > 0 ? `; ${f.count(waiting)} more still in progress are not counted` : "") +
    `).`
  );
}

/** "sessions" / "visitors" that can no longer advance (the leak rule's base). */
export function finishedNoun(unit: FunnelUnit): string {
  return unit === "visitor" ? "finished visitors" : "finished visits";
}

/**
 * Why no step is named as the leak, e.g. "No leak named: not enough finished visits yet: 5
 * (a step is named once 30 have finished there). …"
 */
export function noLeakSentence(
  noLeak: { reason: "too-few-settled" | "no-drop-off"; settled: number; finished: number },
  unit: FunnelUnit,
  f: Formatter,
): string {
  const waiting = "Those still in progress are shown as waiting, not as drop-offs.";
  if (noLeak.reason === "no-drop-off") {
    return `No leak to name: none of the ${unitNoun(unit)} that can no longer advance dropped off. ${waiting}`;
  }
  if (noLeak.finished < MIN_SETTLED_FOR_LEAK) {
    return `No leak named: not enough ${finishedNoun(unit)} yet: ${f.count(noLeak.finished)} (a step is named once ${MIN_SETTLED_FOR_LEAK} have finished there). ${waiting}`;
  }
  return `No leak named: not enough ${finishedNoun(unit)} yet at the steps that lose some: at most ${f.count(noLeak.settled)} (a step needs ${MIN_SETTLED_FOR_LEAK}). ${waiting}`;
}
