/**
 * A funnel report's request: query parameters → validated ReportParams (zod), the CSV
 * route's ?table=, and the errors a report answers with (400, 404).
 */
import { z } from "zod";
import { BREAKDOWN_KEYS, type ReportParams } from "../../lib/funnel-query";
import { RANGE_PRESETS, type RangePreset } from "../date-range";
import { RequestError } from "../request-error";

export const funnelNotFound = () => new RequestError("No funnel with this id in this shop", 404);

export const REPORT_TABLES = ["steps", "breakdown", "trend", "diagnosis", "paths"] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateParam = (field: string) => z.string().regex(DATE, `${field}: expected a date as YYYY-MM-DD`).optional();

const reportParamsSchema = z.object({
  range: z.enum(RANGE_PRESETS, { error: `range must be one of ${RANGE_PRESETS.join(", ")}` }).optional(),
  from: dateParam("from"),
  to: dateParam("to"),
  compare: z.enum(["on", "off", "1", "0", "true", "false"], { error: "compare must be on or off" }).optional(),
  breakdown: z.enum([...BREAKDOWN_KEYS, "none"], { error: `breakdown must be one of ${BREAKDOWN_KEYS.join(", ")} (or none)` }).optional(),
  trend: z.enum(["day", "week"], { error: "trend must be day or week" }).optional(),
  diagnose: z
    .string()
    .regex(/^\d{1,3}$/, "diagnose must be a step number (2 or more)")
    .transform(Number)
    .refine((n) => n >= 2, "diagnose must be a step number (2 or more)")
    .optional(),
});

export const DEFAULT_RANGE: RangePreset = "last30";

/**
 * Reads report parameters from a query string. Unknown keys are ignored (embedded admin
 * URLs carry shop, host, id_token…); an empty value counts as absent (GET forms send
 * empty fields). from/to without a range mean a custom range; with a preset they are
 * checked but unused.
 */
export function parseReportParams(search: URLSearchParams): ReportParams {
  const pick = (k: string) => {
    const v = search.get(k);
    return v === null || v === "" ? undefined : v;
  };
  const parsed = reportParamsSchema.safeParse({
    range: pick("range"),
    from: pick("from"),
    to: pick("to"),
    compare: pick("compare"),
    breakdown: pick("breakdown"),
    trend: pick("trend"),
    diagnose: pick("diagnose"),
  });
  if (!parsed.success) throw new RequestError(parsed.error.issues[0].message, 400);
  const p = parsed.data;
  const range = p.range ?? (p.from || p.to ? "custom" : DEFAULT_RANGE);
  return {
    range,
    from: p.from ?? null,
    to: p.to ?? null,
    compare: p.compare === "on" || p.compare === "1" || p.compare === "true",
    breakdown: !p.breakdown || p.breakdown === "none" ? null : p.breakdown,
    trend: p.trend ?? "day",
    ...(p.diagnose ? { diagnose: p.diagnose } : {}),
  };
}

/** Reads ?table= for the CSV route. */
export function parseReportTable(search: URLSearchParams): ReportTable {
  const t = search.get("table");
  const parsed = z.enum(REPORT_TABLES).safeParse(t);
  if (!parsed.success) throw new RequestError(`table must be one of ${REPORT_TABLES.join(", ")}`, 400);
  return parsed.data;
}
