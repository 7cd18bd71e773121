import { describe, expect, it } from "vitest";
import { affectedSpan, sessionIdChanges, sessionsFor, trafficSource, type SessionEventRow } from "../../../ingest/sessions";

const MIN = 60_000;
const row = (id: string, ts: number, extra: Partial<SessionEventRow> = {}): SessionEventRow => ({
  eventId: id,
  name: "page_viewed",
  ts,
  seq: 0,
  clientId: "v",
  sessionId: "",
  path: "/",
  url: "https://s.myshopify.com/",
  referrer: null,
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  device: "desktop",
  customerId: null,
  isBot: false,
  ...extra,
});

describe("ingest sessions", () => {
  it("splits at gaps over 30 minutes and marks only the first session new", () => {
    const s = sessionsFor([row("a", 0), row("b", 30 * MIN), row("c", 60 * MIN + 1)], false);
    expect(s.map((x) => [x.startTs, x.endTs, x.eventCount, x.visitorType])).toEqual([
      [0, 30 * MIN, 2, "new"],
      [60 * MIN + 1, 60 * MIN + 1, 1, "returning"],
    ]);
    expect(sessionsFor([row("a", 0)], true)[0].visitorType).toBe("returning");
  });

  it("flags the key events and product views each session holds", () => {
    const s = sessionsFor(
      [row("a", 0, { name: "product_viewed" }), row("b", MIN, { name: "checkout_completed" }), row("c", 90 * MIN, { name: "checkout_completed" })],
      false,
    );
    expect(s.map((x) => [x.productView, x.addToCart, x.purchase])).toEqual([
      [true, false, true],
      [false, false, true],
    ]);
  });

  it("takes the source from utm, else an external referrer, else direct", () => {
    expect(trafficSource({ utmSource: "Instagram", referrer: "https://google.com/", url: "https://s.myshopify.com/" }).source).toBe("instagram");
    expect(trafficSource({ utmSource: null, referrer: "https://www.google.com/search", url: "https://s.myshopify.com/" })).toEqual({
      source: "google.com",
      referrerHost: "google.com",
    });
    expect(trafficSource({ utmSource: null, referrer: "https://s.myshopify.com/products/x", url: "https://s.myshopify.com/cart" }).source).toBe("direct");
    expect(trafficSource({ utmSource: null, referrer: "not a url", url: null }).source).toBe("direct");
  });

  it("widens the recomputed span to whole sessions it touches", () => {
    expect(affectedSpan(100 * MIN, 110 * MIN, [])).toEqual({ from: 70 * MIN, to: 140 * MIN });
    expect(affectedSpan(100 * MIN, 110 * MIN, [{ startTs: 0, endTs: 75 * MIN }])).toEqual({ from: 0, to: 140 * MIN });
  });

  it("lists only events whose session id changes", () => {
    const events = [row("a", 0, { sessionId: "v:0" }), row("b", 10 * MIN, { sessionId: "v:600000" })];
    const sessions = sessionsFor(events, false);
    expect([...sessionIdChanges(events, sessions)]).toEqual([["v:0", ["b"]]]);
  });
});
