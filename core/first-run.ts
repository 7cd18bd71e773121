/**
 * A new shop's first days, pure (the clock and the zone are arguments): which days a
 * view should show and what a comparison may say when the shop's data starts inside or
 * after the period. Before the data start (the install, or an earlier first event) a
 * shop has no data, and zeros there would read as "nobody came".
 */
import { localClock } from "./trust/time";

/** What a previous period can be compared with, given when the shop's data starts. */
export type PreviousPeriod =
  /** Every day of it is after the data start: a fair comparison. */
  | { kind: "full" }
  /** It starts before the data start: only its days from `since` hold data. */
  | { kind: "partial"; since: number }
  /** It ends before the data start: there is nothing to compare with yet. */
  | { kind: "none"; since: number };

export function previousPeriod(prev: { from: number; to: number }, dataSince: number | null): PreviousPeriod {
  if (dataSince === null || dataSince <= prev.from) return { kind: "full" };
  if (dataSince >= prev.to) return { kind: "none", since: dataSince };
  return { kind: "partial", since: dataSince };
}

/** "YYYY-MM-DD" of `ts` in `timeZone`. */
export function localDate(ts: number, timeZone: string): string {
  return localClock(ts, timeZone).slice(0, 10);
}

/**
 * The days of a per-day table from the data start's local day on (keys "YYYY-MM-DD"),
 * and how many earlier days were left out. With no data start every day stays.
 */
export function daysSince<T extends { date: string }>(days: readonly T[], dataSince: number | null, timeZone: string): { days: T[]; hiddenBefore: number } {
  if (dataSince === null) return { days: [...days], hiddenBefore: 0 };
  const first = localDate(dataSince, timeZone);
  const kept = days.filter((d) => d.date >= first);
  return { days: kept, hiddenBefore: days.length - kept.length };
}

/** True when a shop that has no events at all was installed after `from` (a new shop, not a quiet one). */
export function newSinceRangeStart(installedAt: number | null, from: number): boolean {
  return installedAt !== null && installedAt > from;
}

/** "2026-12-06 00:41" in the shop's zone: when the app was installed, as the empty states say it. */
export function installMoment(installedAt: number, timeZone: string): string {
  return localClock(installedAt, timeZone);
}
