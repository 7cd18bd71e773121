/**
 * Test data for funnel reports without going through /collect: simple visitor journeys
 * become Event rows plus the VisitorSession rows ingestion would derive, using the same
 * pure sessionizing (ingest/sessions.ts `sessionsFor`) and dedupe keys (ingest/normalize).
 *
 *   await seedJourneys(db, shop.id, [
 *     { clientId: "v1", device: "mobile", events: [{ name: "product_viewed", ts }, { name: "product_added_to_cart", ts: ts + 60_000 }] },
 *   ]);
 *
 * Each clientId must be new to the shop (its first session is "new", later ones "returning").
 */
import type { Db } from "../../db/prisma";
import { rebuildActivity } from "../../app/services/activity.server";
import type { CoreEvent } from "../../core/types";
import { dedupeKeyOf } from "../../ingest/normalize";
import { sessionIdChanges, sessionsFor, type SessionEventRow } from "../../ingest/sessions";
import type { SimulatedVisitor } from "../../scripts/lib/simulation";
import { simulatedEventRows } from "../../scripts/lib/simulation-events";

export interface SeedEvent {
  name: string;
  ts: number;
  path?: string;
  props?: Record<string, string | number | boolean>;
  productId?: string;
  checkoutToken?: string;
  orderId?: string;
  /** Defaults to a unique id per seeded event. */
  id?: string;
  seq?: number;
  /** Entry attributes: the session takes them from its first event (defaults from the journey). */
  device?: "mobile" | "tablet" | "desktop";
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  referrer?: string;
  customerId?: string;
}

export interface SeedJourney {
  clientId: string;
  device?: "mobile" | "tablet" | "desktop";
  utmSource?: string;
  utmCampaign?: string;
  referrer?: string;
  customerId?: string;
  isBot?: boolean;
  events: SeedEvent[];
}

let counter = 0;

/**
 * Inserts the journeys. Returns how many events and sessions were stored, and the stored
 * non-bot events as the engine sees them (entry attributes from their session), so tests
 * can compute expected reports without reading the database back.
 */
export async function seedJourneys(db: Db, shopId: number, journeys: SeedJourney[]): Promise<{ events: number; sessions: number; coreEvents: CoreEvent[] }> {
  const eventRows: Record<string, unknown>[] = [];
  const sessionRows: Record<string, unknown>[] = [];
  const coreEvents: CoreEvent[] = [];
  const dedupeKeys = new Set<string>();
  for (const j of journeys) {
    const sorted = [...j.events].sort((a, b) => a.ts - b.ts);
    const rows = sorted.map((e, i) => {
      counter++;
      const path = e.path ?? "/";
      return {
        eventId: e.id ?? `seed-${process.pid}-${counter}`,
        name: e.name,
        ts: e.ts,
        seq: e.seq ?? i,
        clientId: j.clientId,
        sessionId: "",
        path,
        url: `https://seed-shop.example${path}`,
        referrer: e.referrer ?? (i === 0 ? (j.referrer ?? null) : null),
        utmSource: e.utmSource ?? (i === 0 ? (j.utmSource ?? null) : null),
        utmMedium: e.utmMedium ?? null,
        utmCampaign: e.utmCampaign ?? (i === 0 ? (j.utmCampaign ?? null) : null),
        device: e.device ?? j.device ?? "desktop",
        productId: e.productId ?? null,
        checkoutToken: e.checkoutToken ?? null,
        orderId: e.orderId ?? null,
        customerId: e.customerId ?? j.customerId ?? null,
        props: e.props ? JSON.stringify(e.props) : null,
        isBot: j.isBot ?? false,
      };
    });
    const sessions = sessionsFor(rows as SessionEventRow[], false);
    for (const [sessionId, ids] of sessionIdChanges(rows as SessionEventRow[], sessions)) {
      for (const r of rows) if (ids.includes(r.eventId)) r.sessionId = sessionId;
    }
    for (const r of rows) {
      // Like ingestion: a checkout / order stored once (the unique index would refuse a second).
      const dedupeKey = dedupeKeyOf(r);
      if (dedupeKey && dedupeKeys.has(dedupeKey)) continue;
      if (dedupeKey) dedupeKeys.add(dedupeKey);
      eventRows.push({ ...r, shopId, ts: BigInt(r.ts), dedupeKey, receivedAt: BigInt(r.ts) });
      const session = sessions.find((x) => x.id === r.sessionId)!;
      if (!r.isBot && !session.isBot) {
        coreEvents.push({
          id: r.eventId,
          name: r.name,
          ts: r.ts,
          seq: r.seq,
          visitorId: r.clientId,
          path: r.path,
          productId: r.productId,
          checkoutToken: r.checkoutToken,
          orderId: r.orderId,
          customerId: r.customerId,
          props: r.props ? JSON.parse(r.props) : {},
          attrs: {
            device: (session.device as CoreEvent["attrs"]["device"]) ?? null,
            source: session.source,
            medium: session.medium,
            campaign: session.campaign,
            landingPath: session.landingPath,
            visitorType: session.visitorType,
            loggedIn: session.loggedIn,
          },
        });
      }
    }
    for (const s of sessions) {
      sessionRows.push({ ...s, shopId, startTs: BigInt(s.startTs), endTs: BigInt(s.endTs) });
    }
  }
  for (let i = 0; i < eventRows.length; i += 500) {
    await db.event.createMany({ data: eventRows.slice(i, i + 500) as never });
  }
  for (let i = 0; i < sessionRows.length; i += 500) {
    await db.visitorSession.createMany({ data: sessionRows.slice(i, i + 500) as never });
  }
  // Written around the ingestion writer: count them as it would have.
  await rebuildActivity(db, shopId);
  return { events: eventRows.length, sessions: sessionRows.length, coreEvents };
}

/** A deterministic pseudo-random generator (mulberry32) for reproducible traffic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIN = 60_000;

/**
 * Shop-like traffic for report tests: `visitors` visitors with one or two sessions in
 * [from, to), each walking the purchase funnel with drop-offs, plus newsletter/lead
 * micro-conversions, varied devices and sources. Deterministic for a given seed.
 */
export function shopTraffic(opts: { visitors: number; from: number; to: number; seed?: number; prefix?: string }): SeedJourney[] {
  const rnd = seededRandom(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const journeys: SeedJourney[] = [];
  for (let v = 0; v < opts.visitors; v++) {
    const clientId = `${opts.prefix ?? "seed"}-${v}`;
    const events: SeedEvent[] = [];
    const sessions = rnd() < 0.25 ? 2 : 1;
    for (let s = 0; s < sessions; s++) {
      let t = opts.from + Math.floor(rnd() * (opts.to - opts.from - 3 * 60 * MIN));
      const step = () => (t += Math.floor(MIN / 2 + rnd() * 8 * MIN));
      const source = pick(["google", "facebook", "newsletter", null, null] as const);
      const first: SeedEvent = { name: "page_viewed", ts: t, path: pick(["/", "/collections/all", "/blogs/news/spring", "/pages/pricing"]) };
      if (source) first.utmSource = source;
      if (source === "facebook") first.utmCampaign = pick(["spring", '=HYPERLINK("http://x")', "retarget"]);
      first.device = pick(["mobile", "mobile", "desktop", "tablet"] as const);
      events.push(first);
      if (first.path?.startsWith("/blogs")) {
        events.push({ name: "mc:scroll_depth", ts: step(), path: first.path, props: { percent: 75 } });
        if (rnd() < 0.4) events.push({ name: "mc:form_start", ts: step(), path: first.path, props: { formType: "customer" } });
        if (rnd() < 0.5) events.push({ name: "mc:form_submit", ts: step(), path: first.path, props: { formType: "customer" } });
      }
      if (rnd() < 0.8) {
        const product = `p${1 + Math.floor(rnd() * 20)}`;
        events.push({ name: "product_viewed", ts: step(), path: `/products/${product}`, productId: product });
        if (rnd() < 0.35) {
          events.push({ name: "product_added_to_cart", ts: step(), path: `/products/${product}`, productId: product });
          if (rnd() < 0.55) {
            const token = `${clientId}-${s}`;
            events.push({ name: "checkout_started", ts: step(), path: "/checkouts/c", checkoutToken: token });
            if (rnd() < 0.5)
              events.push({ name: "checkout_completed", ts: step(), path: "/checkouts/c/thank-you", checkoutToken: token, orderId: `o-${token}` });
          }
        }
      }
    }
    journeys.push({ clientId, events });
  }
  return journeys;
}

/** The simulator's visitors as journeys: the rows ingestion would store from the pixel's events (scripts/lib/simulation-events.ts). */
export function simulatedJourneys(visitors: readonly SimulatedVisitor[]): SeedJourney[] {
  const journeys: SeedJourney[] = [];
  for (const v of visitors) {
    const events: SeedEvent[] = simulatedEventRows(v).map((r) => ({
      id: r.eventId,
      name: r.name,
      ts: r.ts,
      seq: r.seq,
      ...(r.path !== null ? { path: r.path } : {}),
      ...(r.productId !== null ? { productId: r.productId } : {}),
      ...(r.checkoutToken !== null ? { checkoutToken: r.checkoutToken } : {}),
      ...(r.orderId !== null ? { orderId: r.orderId } : {}),
      ...(r.device !== null ? { device: r.device as SeedEvent["device"] } : {}),
      ...(r.utmSource !== null ? { utmSource: r.utmSource } : {}),
      ...(r.utmMedium !== null ? { utmMedium: r.utmMedium } : {}),
      ...(r.utmCampaign !== null ? { utmCampaign: r.utmCampaign } : {}),
      ...(r.referrer !== null ? { referrer: r.referrer } : {}),
      ...(r.customerId !== null ? { customerId: r.customerId } : {}),
      ...(r.props ? { props: (typeof r.props === "string" ? JSON.parse(r.props) : r.props) as SeedEvent["props"] } : {}),
    }));
    if (events.length > 0) journeys.push({ clientId: v.clientId, events });
  }
  return journeys;
}
