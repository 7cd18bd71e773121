/**
 * Date ranges of the insights pages: whole local days in the shop's time zone,
 * resolved to [from, to) epoch ms. "Last N days" ends today (the still-moving day is
 * included). Query parameters are validated with zod; errors are 400s with the reason.
 */
import { z } from "zod";
import { dayKey, localDayNumber, wallClockToEpoch } from "../../../core/funnel";
import { INSIGHT_RANGE_DAYS, INSIGHT_RANGES, type InsightRangePreset } from "../../../core/insights/ranges";

const DAY_MS = 24 * 60 * 60 * 1000;

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

/** A request the insights pages cannot answer; `status` is the HTTP status to send. */
export class InsightsRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
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

function dayNumber(value: string, field: string): number {
  const [y, m, d] = value.split("-").map(Number);
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d || y < 2000 || y > 2100) {
    throw new InsightsRequestError(`${field}: ${value} is not a calendar date between 2000 and 2100`);
  }
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
  if (!parsed.success) throw new InsightsRequestError(zodMessage(parsed.error));
  const zone = safeZone(timeZone);
  const { range } = parsed.data;
  let first: number;
  let last: number;
  if (range === "custom") {
    if (!parsed.data.from || !parsed.data.to) throw new InsightsRequestError("a custom range needs both from and to (YYYY-MM-DD)");
    first = dayNumber(parsed.data.from, "from");
    last = dayNumber(parsed.data.to, "to");
    if (first > last) throw new InsightsRequestError(`from (${parsed.data.from}) must be on or before to (${parsed.data.to})`);
    if (last - first + 1 > MAX_INSIGHT_RANGE_DAYS) throw new InsightsRequestError(`a range covers at most ${MAX_INSIGHT_RANGE_DAYS} days`);
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
