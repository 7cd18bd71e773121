/**
 * What the Setup and Coverage pages load, in one call each so the routes stay thin.
 * The clock is read here, never in core/.
 */
import type { AdminGraphql } from "../admin-graphql.server";
import type { Db } from "../../../db/prisma";
import { safeTimeZone } from "../date-range";
import { dataSince } from "../insights/insights.server";
import { daysSince } from "../../../core/first-run";
import { setupChecklist, type ChecklistShop } from "./checklist.server";
import { coverageLists, coverageReport } from "./coverage.server";
import { whyNumbersDiffer } from "./differences.server";
import { parseTrustRange } from "./range";
import type { SetupChecklistView } from "../../../core/trust/checklist";
import type { CoverageLists, CoverageSummary, CoverageView } from "../../../core/trust/coverage";
import type { DifferencesView } from "../../../core/trust/differences";

/** Coverage for the range without its days (cards show the range's total). */
const summaryOf = (c: CoverageView): CoverageSummary => ({ range: c.range, query: c.query, total: c.total });

export interface SetupPageData {
  checklist: SetupChecklistView;
  /** Coverage over the default range (last 30 days): the pixel sees purchases, or how many it misses. */
  coverage: CoverageSummary;
}

export async function setupPageData(db: Db, shop: ChecklistShop, admin: AdminGraphql | null): Promise<SetupPageData> {
  const now = Date.now();
  const range = parseTrustRange(new URLSearchParams(), safeTimeZone(shop.timeZone), now);
  const [checklist, coverage] = await Promise.all([setupChecklist(db, shop, { admin, now }), coverageReport(db, shop.id, range, now)]);
  return { checklist, coverage: summaryOf(coverage) };
}

export interface CoveragePageData {
  now: number;
  /** The range's days from the shop's data start on (earlier days hold nothing and are left out). */
  coverage: CoverageView;
  /** When the shop's data starts: the install, or its first event or order when earlier. */
  dataSince: number | null;
  /** How many days of the range before the data start were left out of `coverage.days`. */
  hiddenDays: number;
  differences: DifferencesView;
  /** Which purchases have no order and which orders the pixel missed (coverage page only). */
  lists: CoverageLists | null;
}

/** Throws RequestError (400) for a range the merchant got wrong. */
export async function coveragePageData(
  db: Db,
  shop: { id: number; timeZone: string; installedAt?: Date | null },
  search: URLSearchParams,
  opts: { lists?: boolean } = {},
): Promise<CoveragePageData> {
  const now = Date.now();
  const range = parseTrustRange(search, safeTimeZone(shop.timeZone), now);
  const [full, since] = await Promise.all([coverageReport(db, shop.id, range, now), coverageDataSince(db, shop)]);
  const { days, hiddenBefore } = daysSince(full.days, since, range.timeZone);
  const coverage = { ...full, days };
  const differences = await whyNumbersDiffer(db, shop.id, range, coverage.total);
  const lists = opts.lists ? await coverageLists(db, shop.id, range, now) : null;
  return { now, coverage, dataSince: since, hiddenDays: hiddenBefore, differences, lists };
}

/** The earliest of the install, the first event and the first order: days before it have neither side of coverage. */
async function coverageDataSince(db: Db, shop: { id: number; installedAt?: Date | null }): Promise<number | null> {
  const [events, order] = await Promise.all([
    dataSince(db, shop),
    db.order.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
  ]);
  const times = [events, order ? Number(order.createdAt) : null].filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : null;
}

export interface DashboardTrustData {
  checklist: SetupChecklistView;
}

/**
 * What the dashboard needs from trust for its first paint: the setup checklist (shown
 * first until setup is complete). The pixel-settings check against Shopify is left to the
 * Setup page, so the dashboard makes no Admin API call.
 */
export async function dashboardTrustData(db: Db, shop: ChecklistShop): Promise<DashboardTrustData> {
  return { checklist: await setupChecklist(db, shop, { admin: null, now: Date.now() }) };
}

export interface DashboardTrustPanels {
  coverage: CoverageSummary;
  differences: DifferencesView;
}

/** The dashboard's coverage and "why numbers differ" cards, over the last 30 days. */
export async function dashboardTrustPanels(db: Db, shop: { id: number; timeZone: string }): Promise<DashboardTrustPanels> {
  const { coverage, differences } = await coveragePageData(db, shop, new URLSearchParams());
  return { coverage: summaryOf(coverage), differences };
}
