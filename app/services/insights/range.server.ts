/**
 * Date ranges of the insights pages: whole local days in the shop's time zone,
 * resolved to [from, to) epoch ms. "Last N days" ends today (the still-moving day is
 * included). Query parameters are validated with zod; errors are 400s with the reason.
 */
import { z } from "zod";
import { dayKey, localDayNumber, wallClockToEpoch } from "../../../core/funnel";
import { INSIGHT_RANGE_DAYS, INSIGHT_RANGES, type InsightRangePreset } from "../../../core/insights/ranges";
import { DAY_MS } from "../../../core/time";

export { INSIGHT_RANGES, INSIGHT_RANGE_LABELS, type InsightRangePreset } from "../../../core/insights/ranges";
const PRESET_DAYS = INSIGHT_RANGE_DAYS;
export const MAX_INSIGHT_RANGE_DAYS = 366;

export interface InsightRange {
  preset: InsightRangePreset;
  from: number;
  to: number;
  /** First and last local day included, "YYYY-MM-DD". */
  fromDate: string;
  toDate: string;
  days: number;
  timeZone: string;
}

/** Field → what is wrong with it, every bad field of a request (shown beside its control). */
export type FieldErrors = Record<string, string>;

/**
 * A request the insights pages cannot answer; `status` is the HTTP status to send and
 * `fieldErrors` every problem by query parameter. The message lists them all.
 */
export class InsightsRequestError extends Error {
  readonly fieldErrors: FieldErrors;
  constructor(message: string | FieldErrors, readonly status: 400 | 404 = 400) {
    super(typeof message === "string" ? message : Object.entries(message).map(([k, v]) => `${k}: ${v}`).join("; "));
    this.fieldErrors = typeof message === "string" ? {} : message;
  }
}

/** Every zod issue as field → message (the first per field). */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of error.issues) out[i.path.length ? i.path.join(".") : "_"] ??= i.message;
  return out;
}

/**
 * Runs each parser and gathers the field errors of all that fail, so one request reports
 * every bad setting at once; throws them together, or returns every parser's value.
 */
export function parseAll<T extends Record<string, () => unknown>>(parsers: T): { [K in keyof T]: ReturnType<T[K]> } {
  const errors: FieldErrors = {};
  const out: Record<string, unknown> = {};
  for (const [key, parse] of Object.entries(parsers)) {
    try {
      out[key] = parse();
    } catch (e) {
      if (!(e instanceof InsightsRequestError)) throw e;
      Object.assign(errors, Object.keys(e.fieldErrors).length ? e.fieldErrors : { [key]: e.message });
    }
  }
  if (Object.keys(errors).length) throw new InsightsRequestError(errors);
  return out as { [K in keyof T]: ReturnType<T[K]> };
}

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");
const rangeQuery = z.object({
  range: z.enum(INSIGHT_RANGES, { error: `range must be one of ${INSIGHT_RANGES.join(", ")}` }).default("last30"),
  from: date.optional(),
  to: date.optional(),
});

/** First zod issue as "field: message". */
export function zodMessage(error: z.ZodError): string {
  const i = error.issues[0];
  return `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`;
}

/** Day number of a YYYY-MM-DD calendar date, or null when it is not one (2000–2100). */
function dayNumber(value: string): number | null {
  const [y, m, d] = value.split("-").map(Number);
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d || y < 2000 || y > 2100) return null;
  return ms / DAY_MS;
}

/** The zone if Intl knows it, else UTC (a bad stored zone must not break the page). */
export function safeZone(timeZone: string | null | undefined): string {
  try {
    if (timeZone) {
      new Intl.DateTimeFormat("en-US", { timeZone });
      return timeZone;
    }
  } catch {
    /* fall through */
  }
  return "UTC";
}

/** Resolves `?range=…[&from=&to=]` at instant `now` in the shop's zone. */
export function resolveInsightRange(search: URLSearchParams, timeZone: string, now: number): InsightRange {
  const parsed = rangeQuery.safeParse({
    range: search.get("range") || undefined,
    from: search.get("from") || undefined,
    to: search.get("to") || undefined,
  });
  if (!parsed.success) throw new InsightsRequestError(zodFieldErrors(parsed.error));
  const zone = safeZone(timeZone);
  const { range } = parsed.data;
  let first: number;
  let last: number;
  if (range === "custom") {
    const errors: FieldErrors = {};
    const { from, to } = parsed.data;
    const a = from ? dayNumber(from) : null;
    const b = to ? dayNumber(to) : null;
    if (!from) errors.from = "a custom range needs a start date (YYYY-MM-DD)";
    else if (a === null) errors.from = `${from} is not a calendar date between 2000 and 2100`;
    if (!to) errors.to = "a custom range needs an end date (YYYY-MM-DD)";
    else if (b === null) errors.to = `${to} is not a calendar date between 2000 and 2100`;
    if (a !== null && b !== null) {
      if (a > b) errors.to = `from (${from}) must be on or before to (${to})`;
      else if (b - a + 1 > MAX_INSIGHT_RANGE_DAYS) errors.to = `a range covers at most ${MAX_INSIGHT_RANGE_DAYS} days`;
    }
    if (Object.keys(errors).length) throw new InsightsRequestError(errors);
    first = a!;
    last = b!;
  } else {
    last = localDayNumber(now, zone);
    first = last - PRESET_DAYS[range] + 1;
  }
  return {
    preset: range,
    from: wallClockToEpoch(first * DAY_MS, zone),
    to: wallClockToEpoch((last + 1) * DAY_MS, zone),
    fromDate: dayKey(first),
    toDate: dayKey(last),
    days: last - first + 1,
    timeZone: zone,
  };
}
