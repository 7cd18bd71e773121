/**
 * Calendar helpers for the shop's IANA time zone, built on Intl only (no libraries,
 * never the process TZ). Days are handled as "day numbers" (days since 1970-01-01 of
 * the local calendar date) so calendar arithmetic never touches DST.
 */
import { DAY_MS, HOUR_MS } from "../time";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what we want.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Exact UTC offset of `timeZone` at instant `ts`, in ms: local wall clock = ts + offset.
 * Slow (formatToParts), so callers go through the cached variant.
 */
export function zoneOffsetMs(ts: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(ts);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - (ts - mod(ts, 1000));
}

/** Per zone: hour block → offset valid for the whole block, or NaN when it changes inside. */
const offsetCache = new Map<string, Map<number, number>>();
const MAX_CACHED_BLOCKS = 200_000;

/**
 * Offset at `ts`, cached per UTC hour block. A block is cached only when its first and
 * last second have the same offset (zones never change offset twice within an hour),
 * so transitions at any minute stay exact.
 */
export function cachedZoneOffsetMs(ts: number, timeZone: string): number {
  let cache = offsetCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timeZone, cache);
  }
  const block = Math.floor(ts / HOUR_MS);
  let offset = cache.get(block);
  if (offset === undefined) {
    const start = block * HOUR_MS;
    const a = zoneOffsetMs(start, timeZone);
    const b = zoneOffsetMs(start + HOUR_MS - 1, timeZone);
    offset = a === b ? a : Number.NaN;
    if (cache.size >= MAX_CACHED_BLOCKS) cache.clear(); // bound memory in long-lived servers
    cache.set(block, offset);
  }
  return Number.isNaN(offset) ? zoneOffsetMs(ts, timeZone) : offset;
}

/** Local calendar date of `ts` in `timeZone`, as days since 1970-01-01. */
export function localDayNumber(ts: number, timeZone: string): number {
  return Math.floor((ts + cachedZoneOffsetMs(ts, timeZone)) / DAY_MS);
}

/** Day number of the Monday starting the ISO week that contains `day`. */
export function isoWeekStartDay(day: number): number {
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  return day - mod(day + 3, 7);
}

/** "YYYY-MM-DD" for a day number. */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Instant at which the wall clock of `timeZone` shows `wallMs` (wall time encoded as if
 * UTC). In a spring-forward gap the instant just after the gap is returned; in a
 * fall-back overlap, the first occurrence.
 */
export function wallClockToEpoch(wallMs: number, timeZone: string): number {
  const o1 = zoneOffsetMs(wallMs - zoneOffsetMs(wallMs, timeZone), timeZone);
  const o2 = zoneOffsetMs(wallMs - o1, timeZone);
  const candidates = [wallMs - o1, wallMs - o2].filter((c) => c + zoneOffsetMs(c, timeZone) === wallMs);
  if (candidates.length > 0) return Math.min(...candidates);
  return Math.max(wallMs - o1, wallMs - o2);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
