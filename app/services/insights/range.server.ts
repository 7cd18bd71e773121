/**
 * Date ranges of the insights pages: whole local days in the shop's time zone, resolved
 * by services/date-range like every other report's. "Last N days" ends today (the
 * still-moving day is included). Query parameters are validated with zod; every bad
 * field is reported at once, as a 400.
 */
import { z } from "zod";
import { localDayNumber } from "../../../core/funnel";
import { INSIGHT_RANGE_DAYS, INSIGHT_RANGES, type InsightRangePreset } from "../../../core/insights/ranges";
import { MAX_RANGE_DAYS, parseDay, rangeOfDays, safeTimeZone, type ResolvedRange } from "../date-range";
import { RequestError, type FieldErrors } from "../request-error";

export { INSIGHT_RANGES, INSIGHT_RANGE_LABELS, type InsightRangePreset } from "../../../core/insights/ranges";

export type InsightRange = ResolvedRange<InsightRangePreset>;

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
      if (!(e instanceof RequestError)) throw e;
      Object.assign(errors, Object.keys(e.fieldErrors).length ? e.fieldErrors : { [key]: e.message });
    }
  }
  if (Object.keys(errors).length) throw new RequestError(errors);
  return out as { [K in keyof T]: ReturnType<T[K]> };
}

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");
const rangeQuery = z.object({
  range: z.enum(INSIGHT_RANGES, { error: `range must be one of ${INSIGHT_RANGES.join(", ")}` }).default("last30"),
  from: date.optional(),
  to: date.optional(),
});

/** Resolves `?range=…[&from=&to=]` at instant `now` in the shop's zone. */
export function resolveInsightRange(search: URLSearchParams, timeZone: string, now: number): InsightRange {
  const parsed = rangeQuery.safeParse({
    range: search.get("range") || undefined,
    from: search.get("from") || undefined,
    to: search.get("to") || undefined,
  });
  if (!parsed.success) throw new RequestError(zodFieldErrors(parsed.error));
  const zone = safeTimeZone(timeZone);
  const { range, from, to } = parsed.data;
  if (range !== "custom") {
    const last = localDayNumber(now, zone);
    return rangeOfDays(range, last - INSIGHT_RANGE_DAYS[range] + 1, last, zone);
  }
  const errors: FieldErrors = {};
  const day = (field: "from" | "to", value: string | undefined, missing: string): number | null => {
    if (!value) {
      errors[field] = missing;
      return null;
    }
    try {
      return parseDay(value, field);
    } catch (e) {
      if (!(e instanceof RequestError)) throw e;
      Object.assign(errors, e.fieldErrors);
      return null;
    }
  };
  const first = day("from", from, "a custom range needs a start date (YYYY-MM-DD)");
  const last = day("to", to, "a custom range needs an end date (YYYY-MM-DD)");
  if (first !== null && last !== null) {
    if (first > last) errors.to = `from (${from}) must be on or before to (${to})`;
    else if (last - first + 1 > MAX_RANGE_DAYS) errors.to = `a range covers at most ${MAX_RANGE_DAYS} days`;
  }
  if (first === null || last === null || Object.keys(errors).length) throw new RequestError(errors);
  return rangeOfDays("custom", first, last, zone);
}
