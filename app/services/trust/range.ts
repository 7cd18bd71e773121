/**
 * Date range of the trust views (coverage, "why numbers differ"): the same presets and
 * shop-time-zone days as the funnel reports (services/date-range), read from the query
 * string with zod. Pure: `now` is an argument.
 */
import { z } from "zod";
import { resolveDateRange, type ResolvedRange } from "../date-range";
import { RequestError } from "../request-error";

export const TRUST_PRESETS = ["last7", "last30", "last90", "custom"] as const;
export type TrustPreset = (typeof TRUST_PRESETS)[number];
export const DEFAULT_TRUST_PRESET: TrustPreset = "last30";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const schema = z.object({
  range: z.enum(TRUST_PRESETS, { error: `range must be one of ${TRUST_PRESETS.join(", ")}` }).optional(),
  from: z.string().regex(DATE, "from: expected a date as YYYY-MM-DD").optional(),
  to: z.string().regex(DATE, "to: expected a date as YYYY-MM-DD").optional(),
});

export interface TrustRange extends ResolvedRange {
  /** Canonical query string of this range ("range=last30" or "range=custom&from=…&to=…"). */
  query: string;
}

/**
 * Reads ?range=&from=&to=. Other keys are ignored (embedded admin URLs carry shop, host,
 * id_token…); empty values count as absent; from/to without a preset mean a custom range.
 */
export function parseTrustRange(search: URLSearchParams, timeZone: string, now: number): TrustRange {
  const pick = (k: string) => {
    const v = search.get(k);
    return v === null || v === "" ? undefined : v;
  };
  const parsed = schema.safeParse({ range: pick("range"), from: pick("from"), to: pick("to") });
  if (!parsed.success) throw new RequestError(parsed.error.issues[0].message);
  const preset = parsed.data.range ?? (parsed.data.from || parsed.data.to ? "custom" : DEFAULT_TRUST_PRESET);
  const range = resolveDateRange({ preset, from: parsed.data.from, to: parsed.data.to }, timeZone, now);
  const q = new URLSearchParams({ range: preset });
  if (preset === "custom") {
    q.set("from", range.fromDate);
    q.set("to", range.toDate);
  }
  return { ...range, query: q.toString() };
}
