/**
 * An alert in a merchant's words: what fell, from what to what, for whom, since when, with
 * the counts behind both rates. Pure (server and browser).
 */
import { STEP_WITHIN_MS } from "../../core/diagnosis/watch-run";
import type { Formatter } from "./funnel-format";

/** The page listing every alert of the shop, open and cleared. */
export const ALERT_HISTORY_URL = "/app/alerts";

export interface AlertLike {
  fromLabel: string;
  toLabel: string;
  segment: string;
  granularity: "hour" | "day";
  status: "open" | "cleared";
  since: string;
  clearedAt: string | null;
  expectedRate: number;
  expectedLow: number;
  expectedHigh: number;
  baselineSettled: number;
  baselineConverted: number;
  settled: number;
  converted: number;
  observedRate: number;
  unit: "session" | "visitor";
}

/** "for all visitors", "on mobile". */
export function segmentWords(segment: string): string {
  return segment === "overall" ? "for all visitors" : `on ${segment}`;
}

/** "Tue, Dec 8, 14:00" in the shop's zone. */
export function alertTime(iso: string, locale: string, timeZone: string): string {
  const fmt = new Intl.DateTimeFormat(locale, {
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
  });
  return fmt.format(new Date(iso));
}

const whole = (rate: number) => `${Math.round(rate * 100)}`;

/**
 * "Viewed a product → Added to cart fell from 50 % (expected 44–56 %) to 6 % on mobile since
 * Tue, Dec 8, 14:00: 12 of 190 sessions went on within 20 minutes (same hours of the previous
 * 4 weeks: 1,020 of 2,010)." The alarm's outcome is "within STEP_WITHIN_MS" (core/diagnosis/watch-run.ts).
 */
export function alertSentence(a: AlertLike, f: Formatter, timeZone: string): string {
  const noun = a.unit === "visitor" ? "visitors" : "sessions";
  const slots = a.granularity === "day" ? "same days" : "same hours";
  return (
    `${a.fromLabel} → ${a.toLabel} fell from ${f.percent(a.expectedRate)} ` +
    `(expected ${whole(a.expectedLow)}–${whole(a.expectedHigh)} %) to ${f.percent(a.observedRate)} ${segmentWords(a.segment)} ` +
    `since ${alertTime(a.since, f.locale, timeZone)}: ${f.count(a.converted)} of ${f.count(a.settled)} ${noun} went on within ${STEP_WITHIN_MS / 60_000} minutes ` +
    `(${slots} of the previous 4 weeks: ${f.count(a.baselineConverted)} of ${f.count(a.baselineSettled)}).`
  );
}

/** "Back to normal since Wed, Dec 9, 02:10." / "Still low (checked … )." */
export function alertStatusWords(a: AlertLike & { lastCheckedAt: string }, f: Formatter, timeZone: string): string {
  return a.status === "cleared" && a.clearedAt
    ? `Back to normal at the check of ${alertTime(a.clearedAt, f.locale, timeZone)}.`
    : `Still low at the check of ${alertTime(a.lastCheckedAt, f.locale, timeZone)}.`;
}
