/**
 * Small time helpers for the trust views (pure: the clock and the zone are arguments).
 * Labels are built by hand from the zone offset instead of Intl date formatting, so the
 * server render and the browser's hydration print the very same characters.
 */
import { cachedZoneOffsetMs } from "../funnel/timezone";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../time";

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-11-20 14:05" on the wall clock of `timeZone`. */
export function localClock(ts: number, timeZone: string): string {
  const d = new Date(ts + cachedZoneOffsetMs(ts, timeZone));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A duration as people say it: "45 min", "3 h", "2 d 4 h" (rounded down; under a minute → "less than a minute"). */
export function humanSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < MINUTE_MS) return "less than a minute";
  if (ms < HOUR_MS) return `${Math.floor(ms / MINUTE_MS)} min`;
  if (ms < DAY_MS) {
    const h = Math.floor(ms / HOUR_MS);
    const m = Math.floor((ms % HOUR_MS) / MINUTE_MS);
    return m > 0 && h < 10 ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(ms / DAY_MS);
  const h = Math.floor((ms % DAY_MS) / HOUR_MS);
  return h > 0 && d < 10 ? `${d} d ${h} h` : `${d} d`;
}

/** "2026-11-20 14:05 (3 h ago)": a moment with how long ago it was at `now`. */
export function momentLabel(ts: number, now: number, timeZone: string): string {
  return `${localClock(ts, timeZone)} (${humanSpan(Math.max(0, now - ts))} ago)`;
}

export { count } from "./format";
