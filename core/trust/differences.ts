/**
 * Why our numbers differ from Shopify's, for one shop and range (pure parts).
 *
 * Our session rule: one visitor's events with no gap over 30 minutes. Shopify's analytics
 * uses the same idle rule but also ends every session at midnight UTC, so each of our
 * sessions that spans a UTC midnight is two (or more) sessions in Shopify's count.
 */
import { DAY_MS } from "../time";

/** UTC midnights strictly inside a session (start and end in epoch ms): Shopify counts 1 + this many sessions. */
export function utcMidnightsCrossed(startTs: number, endTs: number): number {
  return Math.max(0, Math.floor(endTs / DAY_MS) - Math.floor(startTs / DAY_MS));
}

export interface DifferenceCounts {
  /** Our sessions starting in the range, bots excluded. */
  sessions: number;
  /** Of those, sessions that span at least one UTC midnight. */
  sessionsCrossingUtcMidnight: number;
  /** Sessions Shopify's midnight cut adds (a session spanning two midnights adds two). */
  extraShopifySessions: number;
  /** Bot-flagged sessions starting in the range and bot events in it: stored, never counted. */
  botSessions: number;
  botEvents: number;
  /** Visitors with a (non-bot) purchase in the range. */
  purchasingVisitors: number;
  /**
   * Of those, visitors whose purchase session has no product view while they viewed a
   * product in an earlier session within the 7 days before: they convert in visitor
   * reports but not in session reports.
   */
  purchasedInLaterSession: number;
}

export interface ConsentEstimate {
  onlineOrders: number;
  seen: number;
  missed: number;
  rate: number | null;
}

export interface DifferencesView extends DifferenceCounts {
  range: { fromDate: string; toDate: string; timeZone: string; days: number };
  /** What Shopify's midnight cut makes of our session count: sessions + extraShopifySessions. */
  sessionsByShopifyRule: number;
  /** Coverage of the range: the share of online-store orders the pixel saw, our estimate of what consent and blockers hide. */
  consent: ConsentEstimate;
  /** Query string of the range, for links to the coverage page. */
  query: string;
}

export function differencesView(counts: DifferenceCounts, consent: ConsentEstimate, range: DifferencesView["range"], query: string): DifferencesView {
  return { ...counts, range, sessionsByShopifyRule: counts.sessions + counts.extraShopifySessions, consent, query };
}
