/**
 * "Has this shop gone quiet?" A shop's pixel normally sends in a rhythm (busy days, quiet
 * nights). We learn that rhythm from the hours in which events arrived and warn only when
 * the current silence is longer than what is usual *for this shop*, so a small store's
 * ordinary night is not an alarm and a busy store's 3-hour gap is.
 *
 * Usual gap = the 95th percentile (nearest rank) of the gaps between consecutive hourly
 * buckets that had events, over the 14 days up to the latest event — not up to now, so a
 * shop that has been silent for weeks is still compared with how it behaved while it was
 * sending — and never less than 2 hours (one empty hour is noise, not an outage).
 */
import { HOUR_MS } from "../time";

export const RHYTHM_DAYS = 14;
export const MIN_USUAL_GAP_MS = 2 * HOUR_MS;
/** Fewer gaps than this (4 active hours in 14 days) say nothing about a rhythm. */
export const MIN_GAPS_FOR_RHYTHM = 3;

/** Nearest-rank percentile of an ascending list (p in (0, 1]); null for an empty list. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * The usual gap (ms) between active hours, from the hour numbers (floor(ts / 1 h)) that
 * had at least one event. Null when there are too few active hours to tell.
 */
export function usualGapMs(hourBuckets: readonly number[]): number | null {
  const hours = [...new Set(hourBuckets)].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < hours.length; i++) gaps.push((hours[i] - hours[i - 1]) * HOUR_MS);
  if (gaps.length < MIN_GAPS_FOR_RHYTHM) return null;
  gaps.sort((a, b) => a - b);
  return Math.max(MIN_USUAL_GAP_MS, percentile(gaps, 0.95)!);
}

export type QuietState = "no-events" | "sending" | "quiet" | "unknown-rhythm";

export interface QuietVerdict {
  state: QuietState;
  /** now − latest event (ms), null without events. */
  silentForMs: number | null;
  /** The shop's usual gap between active hours, null when unknown. */
  usualGapMs: number | null;
  /** Active hours the rhythm was learned from. */
  activeHours: number;
}

/**
 * Quiet when the hours elapsed since the latest event's hour exceed the usual gap. Both
 * sides are measured in whole hour buckets, like the gaps the rhythm is made of, so an
 * hour that is still under way is not counted as silent yet.
 */
export function quietVerdict(input: { latestTs: number | null; hourBuckets: readonly number[]; now: number }): QuietVerdict {
  const activeHours = new Set(input.hourBuckets).size;
  if (input.latestTs === null) return { state: "no-events", silentForMs: null, usualGapMs: null, activeHours };
  const usual = usualGapMs(input.hourBuckets);
  const silentForMs = Math.max(0, input.now - input.latestTs);
  if (usual === null) return { state: "unknown-rhythm", silentForMs, usualGapMs: null, activeHours };
  const elapsedHours = Math.floor(input.now / HOUR_MS) - Math.floor(input.latestTs / HOUR_MS);
  return { state: elapsedHours * HOUR_MS > usual ? "quiet" : "sending", silentForMs, usualGapMs: usual, activeHours };
}
