/**
 * The dashboard's numbers: sessions over the last 30 days (shop time zone), the key
 * micro-conversion rates per session with their change against the previous 30 days,
 * the main funnel's biggest leak and tracking status. One click from here (the leak
 * card) opens the report that shows where and how many.
 */
import { rateChange, type RateChange } from "../../core/stats/wilson";
import { KEY_EVENTS, type ActivityCounts, type KeyEvent } from "../../core/activity";
import { activityTotals } from "./activity.server";
import { previousRange, resolveDateRange, safeTimeZone, type ResolvedRange } from "./date-range";
import { ensureDefaultFunnels, getMainFunnel } from "./funnels.server";
import { funnelReport, reportQuery, DEFAULT_RANGE, type FunnelReportView, type ReportDeps } from "./funnel-report.server";
import { trackingStatus } from "./tracking.server";
import { dataSince } from "./insights/insights.server";
import { previousPeriod, type PreviousPeriod } from "../../core/first-run";

const LABELS: Record<KeyEvent, string> = { addToCart: "Add-to-cart rate", checkoutStart: "Checkout start rate", purchase: "Purchase rate" };

/** Session-level micro-conversions shown as rates: sessions with the event / all sessions. */
export const KEY_RATES = KEY_EVENTS.map((k) => ({ ...k, label: LABELS[k.key] }));

export interface KeyRate {
  key: KeyEvent;
  label: string;
  event: string;
  /** Sessions in the range with at least one such event. */
  sessions: number;
  /** All sessions in the range. */
  of: number;
  rate: number | null;
  previous: { sessions: number; of: number; rate: number | null };
  /** rate − previous rate, in percentage points; null when either is undefined. */
  changePp: number | null;
  /** The same change with Wilson intervals and how it may be shown ("too-few" under 30 sessions a side, "neutral" when its interval holds 0). */
  change: RateChange;
}

export interface DashboardView {
  shopName: string;
  pixelStatus: string;
  locale: string | null;
  tracking: Awaited<ReturnType<typeof trackingStatus>>;
  range: ResolvedRange;
  previousRange: ResolvedRange;
  sessions: { current: number; previous: number };
  rates: KeyRate[];
  /** When the shop's data starts (install or first event), epoch ms. */
  dataSince: number | null;
  installedAt: number | null;
  /** Whether the previous 30 days hold data to compare with (not days before the install). */
  previousPeriod: PreviousPeriod;
  mainFunnel: {
    id: string;
    name: string;
    /** Link to the report for the same range: click 1 of 2. */
    reportUrl: string;
    report: Pick<
      FunnelReportView,
      | "unit"
      | "totalUnits"
      | "inProgressUnits"
      | "steps"
      | "biggestLeak"
      | "leakSentence"
      | "noLeak"
      | "noLeakSentence"
      | "resultsFrom"
      | "asOf"
      | "build"
      | "now"
      | "locale"
    >;
  } | null;
}

type ShopRow = { id: number; name: string; timeZone: string; locale?: string | null; pixelStatus: string; installedAt?: Date | null };

export async function dashboard(deps: ReportDeps, shop: ShopRow): Promise<DashboardView> {
  const now = Date.now();
  const timeZone = safeTimeZone(shop.timeZone);
  const range = resolveDateRange({ preset: DEFAULT_RANGE }, timeZone, now);
  const prev = previousRange(range);
  const tracking = await trackingStatus(deps.db, shop.id);
  const since = await dataSince(deps.db, shop);

  const [current, previous] = await Promise.all([activityTotals(deps.db, shop.id, range), activityTotals(deps.db, shop.id, prev)]);
  const rates = KEY_RATES.map((k): KeyRate => {
    const cur = { sessions: current[sessionsWith(k.key)], of: current.sessions };
    const old = { sessions: previous[sessionsWith(k.key)], of: previous.sessions };
    const rate = cur.of === 0 ? null : cur.sessions / cur.of;
    const prevRate = old.of === 0 ? null : old.sessions / old.of;
    return {
      key: k.key,
      label: k.label,
      event: k.event,
      ...cur,
      rate,
      previous: { ...old, rate: prevRate },
      changePp: rate === null || prevRate === null ? null : (rate - prevRate) * 100,
      change: rateChange({ converted: cur.sessions, total: cur.of }, { converted: old.sessions, total: old.of }),
    };
  });

  let mainFunnel: DashboardView["mainFunnel"] = null;
  if (tracking.events > 0) {
    await ensureDefaultFunnels(deps.db, shop.id);
    const main = await getMainFunnel(deps.db, shop.id);
    if (main) {
      const params = { range: DEFAULT_RANGE, from: null, to: null, compare: false, breakdown: null, trend: "day" } as const;
      // The card shows counts and the biggest leak, no step times.
      const r = await funnelReport(deps, shop, main.id, params, { stepTimes: false });
      mainFunnel = {
        id: main.id,
        name: main.name,
        reportUrl: `/app/funnels/${encodeURIComponent(main.id)}?${reportQuery(params)}`,
        report: {
          unit: r.unit,
          totalUnits: r.totalUnits,
          inProgressUnits: r.inProgressUnits,
          steps: r.steps,
          biggestLeak: r.biggestLeak,
          leakSentence: r.leakSentence,
          noLeak: r.noLeak,
          noLeakSentence: r.noLeakSentence,
          resultsFrom: r.resultsFrom,
          asOf: r.asOf,
          build: r.build,
          now: r.now,
          locale: r.locale,
        },
      };
    }
  }

  return {
    shopName: shop.name,
    pixelStatus: shop.pixelStatus,
    locale: shop.locale ?? null,
    tracking,
    range,
    previousRange: prev,
    sessions: { current: current.sessions, previous: previous.sessions },
    rates,
    mainFunnel,
    dataSince: since,
    installedAt: shop.installedAt?.getTime() ?? null,
    previousPeriod: previousPeriod(prev, since),
  };
}

/**
 * The bucket count of sessions holding a key event. Sessions count in the range where
 * they start, bots excluded, like funnel units (core/activity).
 */
const sessionsWith = (key: KeyEvent): keyof ActivityCounts => `${key}Sessions`;
