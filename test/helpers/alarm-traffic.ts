/**
 * Steady shop traffic for the step alarm's tests: five weeks of Purchase-funnel sessions
 * up to `end`, with an optional break on one device from a given time (and a recovery).
 * Every hour gets about `perDay / 24` sessions, each starting in the hour's first 15
 * minutes and lasting at most 12, so one visitor per slot and day has one session an hour
 * (fewer visitors for the refresher to compute, sessions still 30 minutes apart).
 */
import { seededRandom, type SeedEvent, type SeedJourney } from "./funnel-seed";

const MIN = 60_000;
const HOUR = 60 * MIN;

export interface AlarmTrafficOptions {
  prefix: string;
  seed: number;
  /** Sessions a day (on average). */
  perDay: number;
  /** Last session start (exclusive); traffic starts 35 days before. */
  end: number;
  /** From this time on, `device` sessions go from product view to cart at `brokenRate`… */
  breakAt?: number;
  /** …until this time (then back to normal). */
  recoverAt?: number;
  device?: "mobile" | "desktop";
  brokenRate?: number;
}

/** Normal step conversions: view → cart 50 %, cart → checkout 40 %, checkout → purchase 50 %. */
export const RATES = [0.5, 0.4, 0.5] as const;

export function alarmTraffic(o: AlarmTrafficOptions): SeedJourney[] {
  const rnd = seededRandom(o.seed);
  const start = Math.floor(o.end / HOUR) * HOUR - 35 * 24 * HOUR;
  const byVisitor = new Map<string, SeedEvent[]>();
  const perHour = o.perDay / 24;
  let orders = 0;
  for (let h = start; h < o.end; h += HOUR) {
    // Poisson-like count: perHour ± 20 %.
    const n = Math.round(perHour * (0.8 + 0.4 * rnd()));
    const day = Math.floor((h - start) / (24 * HOUR));
    for (let i = 0; i < n; i++) {
      let at = h + Math.floor(rnd() * 15 * MIN);
      if (at >= o.end) continue;
      const device = rnd() < 0.6 ? "mobile" : "desktop";
      const broken = o.breakAt !== undefined && device === (o.device ?? "mobile") && at >= o.breakAt && (o.recoverAt === undefined || at < o.recoverAt);
      const product = `p${1 + Math.floor(rnd() * 5)}`;
      const events: SeedEvent[] = [{ name: "product_viewed", ts: at, path: `/products/${product}`, productId: product, device }];
      const next = () => (at += MIN + Math.floor(rnd() * 3 * MIN));
      if (rnd() < (broken ? (o.brokenRate ?? 0.05) : RATES[0])) {
        events.push({ name: "product_added_to_cart", ts: next(), path: `/products/${product}`, productId: product });
        if (rnd() < RATES[1]) {
          const token = `${o.prefix}-c${++orders}`;
          events.push({ name: "checkout_started", ts: next(), path: "/checkouts/c", checkoutToken: token });
          if (rnd() < RATES[2])
            events.push({ name: "checkout_completed", ts: next(), path: "/checkouts/c/thank-you", checkoutToken: token, orderId: `o-${token}` });
        }
      }
      const clientId = `${o.prefix}-${day}-${i}`;
      const list = byVisitor.get(clientId) ?? [];
      list.push(...events);
      byVisitor.set(clientId, list);
    }
  }
  return [...byVisitor].map(([clientId, events]) => ({ clientId, events }));
}
