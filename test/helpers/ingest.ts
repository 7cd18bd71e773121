/** Helpers for talking to POST /collect the way the pixel does. */
import { hashString, visitorUuid } from "../../scripts/lib/simulation";
import { loadJourney, type PixelEvent } from "./pixel-harness";

/** A visitor id in the pixel's clientId shape (a UUID), the same for the same name. */
export const visitor = (name: string): string => visitorUuid(0x7e57, hashString(name));

/** The fixture journey moved so its last event is a minute ago (the server refuses days-old events). */
export function recentJourney(endAt = Date.now() - 60_000): PixelEvent[] {
  const events = loadJourney().events;
  const last = Date.parse(events[events.length - 1].timestamp);
  return events.map((e) => ({ ...e, timestamp: new Date(endAt - (last - Date.parse(e.timestamp))).toISOString() }));
}

export interface CompactLike {
  id: string;
  name: string;
  ts: string;
  seq: number;
  clientId: string;
  [key: string]: unknown;
}

let n = 0;
/** A minimal valid compact event. */
export function compact(overrides: Partial<CompactLike> = {}): CompactLike {
  n++;
  return {
    id: `ev-${process.pid}-${n}`,
    name: "page_viewed",
    ts: new Date(Date.now() - 60_000).toISOString(),
    seq: n,
    clientId: visitor("visitor-1"),
    path: "/",
    ...overrides,
  };
}

/** What the pixel sends when the visitor allowed analytics (it sends nothing otherwise). */
export const CONSENTED = { analytics: true } as const;

/**
 * Posts a body to /collect. An envelope object without a `consent` key gets the pixel's
 * consented state; tests about consent set the key themselves (`consent: undefined` to leave it out).
 */
export async function postBatch(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  const withConsent = typeof body === "object" && body !== null && "events" in body && !("consent" in body) ? { ...body, consent: CONSENTED } : body;
  const res = await fetch(`${baseUrl}/collect`, {
    method: "POST",
    headers: { "Content-Type": "text/plain", ...headers },
    body: typeof withConsent === "string" ? withConsent : JSON.stringify(withConsent),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, json, text };
}
