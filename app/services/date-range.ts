/**
 * Report date ranges in the shop's IANA time zone (pure: `now` and the zone are
 * arguments, so tests pin both). A range is a set of whole local calendar days,
 * resolved to epoch ms [from, to) — `from` is the local midnight starting the first day,
 * `to` the local midnight after the last day. Days are handled as day numbers (days
 * since 1970-01-01 of the local date) so calendar arithmetic never sees DST; only the
 * final day → instant step does, through core's wallClockToEpoch (a midnight skipped by
 * a DST jump resolves to the first instant after the gap).
 */
import { dayKey, localDayNumber, wallClockToEpoch } from "../../core/funnel/timezone";
import { DAY_MS } from "../../core/time";
import { RequestError } from "./request-error";

export const RANGE_PRESETS = ["today", "yesterday", "last7", "last30", "last90", "custom"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

/** Human names of the presets, for pickers and headings. */
export const RANGE_PRESET_LABELS: Record<RangePreset, string> = {
  today: "Today",
  yesterday: "Yesterday",
  last7: "Last 7 days",
  last30: "Last 30 days",
  last90: "Last 90 days",
  custom: "Custom range",
};

/** Longest custom range: keeps one report's in-memory event load bounded. */
export const MAX_RANGE_DAYS = 366;
/** Custom dates outside these years are typos, not reports. */
const MIN_YEAR = 2000;
const MAX_YEAR = 2100;

/** A range resolved in one time zone. Dates are local "YYYY-MM-DD"; `toDate` is the last day included. */
export interface ResolvedRange<P extends string = RangePreset> {
  preset: P;
  from: number;
  to: number;
  fromDate: string;
  toDate: string;
  days: number;
  timeZone: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a "YYYY-MM-DD" calendar date; throws RequestError (400, on `field`) for anything else (incl. 2026-02-30). */
export function parseDay(value: string, field: string): number {
  const m = DATE_RE.exec(value);
  if (!m) throw new RequestError({ [field]: `expected a date as YYYY-MM-DD, got "${clip(value)}"` });
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RequestError({ [field]: `${value} is not a calendar date` });
  }
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new RequestError({ [field]: `${value} is outside ${MIN_YEAR}–${MAX_YEAR}` });
  }
  return ms / DAY_MS;
}

/** The instant the local calendar day `day` starts in `timeZone`. */
export function dayStart(day: number, timeZone: string): number {
  return wallClockToEpoch(day * DAY_MS, timeZone);
}

/** The zone if Intl knows it, else "UTC" (a shop row with a bad zone must not break reports). */
export function safeTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

/** Local days [firstDay, lastDay] (inclusive day numbers) as a resolved range. */
export function rangeOfDays<P extends string>(preset: P, firstDay: number, lastDay: number, timeZone: string): ResolvedRange<P> {
  return {
    preset,
    from: dayStart(firstDay, timeZone),
    to: dayStart(lastDay + 1, timeZone),
    fromDate: dayKey(firstDay),
    toDate: dayKey(lastDay),
    days: lastDay - firstDay + 1,
    timeZone,
  };
}

/**
 * Resolves a preset (or custom from/to dates, both inclusive) at instant `now`.
 * "Last N days" ends today, so the newest, still-moving day is in the report — its
 * in-progress units are shown as such rather than hidden.
 */
export function resolveDateRange(input: { preset: RangePreset; from?: string; to?: string }, timeZone: string, now: number): ResolvedRange {
  const today = localDayNumber(now, timeZone);
  switch (input.preset) {
    case "today":
      return rangeOfDays("today", today, today, timeZone);
    case "yesterday":
      return rangeOfDays("yesterday", today - 1, today - 1, timeZone);
    case "last7":
      return rangeOfDays("last7", today - 6, today, timeZone);
    case "last30":
      return rangeOfDays("last30", today - 29, today, timeZone);
    case "last90":
      return rangeOfDays("last90", today - 89, today, timeZone);
    case "custom": {
      if (!input.from || !input.to) throw new RequestError("a custom range needs both from and to dates (YYYY-MM-DD)");
      const first = parseDay(input.from, "from");
      const last = parseDay(input.to, "to");
      if (first > last) throw new RequestError(`from (${input.from}) must be on or before to (${input.to})`);
      if (last - first + 1 > MAX_RANGE_DAYS) {
        throw new RequestError(`a range covers at most ${MAX_RANGE_DAYS} days, ${input.from} to ${input.to} is ${last - first + 1}`);
      }
      return rangeOfDays("custom", first, last, timeZone);
    }
  }
}

/** [from, to) given as instants (e.g. from core's previousPeriod) described in local days. */
export function describeRange(preset: RangePreset, from: number, to: number, timeZone: string): ResolvedRange {
  const first = localDayNumber(from, timeZone);
  const last = localDayNumber(to - 1, timeZone);
  return { preset, from, to, fromDate: dayKey(first), toDate: dayKey(last), days: last - first + 1, timeZone };
}

/**
 * The same number of local days just before `range` (what "compare to previous period"
 * means). Equal in days, not in ms: across a DST change the two differ by an hour,
 * like core's previousPeriod with a time zone.
 */
export function previousRange(range: ResolvedRange): ResolvedRange {
  const first = localDayNumber(range.from, range.timeZone);
  return rangeOfDays(range.preset, first - range.days, first - 1, range.timeZone);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
