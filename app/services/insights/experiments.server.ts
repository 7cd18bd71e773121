/**
 * Experiment readout for one shop: exposures (`mc:experiment_view` {experiment, variant})
 * in a date range and, per variant, a funnel counted after exposure: the one chosen
 * (`?funnel=<id>` or `template`), else the main funnel, else the Purchase template.
 * Also whether exposures are arriving at all (last 24 h, last seen).
 */
import { z } from "zod";
import type { Db } from "../../../db/prisma";
import { loadReportEvents } from "../events.server";
import { EXPERIMENT_EVENT, exposureOf, experimentReadouts, TEMPLATE_CHOICE, type ExperimentReadout } from "../../../core/insights";
import type { CoreEvent, FunnelStepDef, StepMatcher } from "../../../core/types";
import { parseAll, resolveInsightRange, type InsightRange } from "./range.server";
import { parsePlannerSettings, type PlannerSettingsView } from "./insights.server";
import { DAY_MS } from "../../../core/time";
import { RequestError } from "../request-error";

/** The Purchase template's steps: the readout's funnel when the shop has no main funnel. */
export const PURCHASE_STEPS: FunnelStepDef[] = [
  { label: "Viewed a product", anyOf: [{ event: "product_viewed", filters: [] }] },
  { label: "Added to cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
  { label: "Started checkout", anyOf: [{ event: "checkout_started", filters: [] }] },
  { label: "Purchased", anyOf: [{ event: "checkout_completed", filters: [] }] },
];

const filterSchema = z.discriminatedUnion("field", [
  z.object({ field: z.literal("path"), op: z.enum(["equals", "startsWith", "contains"]), value: z.string() }),
  z.object({ field: z.literal("productId"), op: z.literal("equals"), value: z.string() }),
  z.object({ field: z.literal("prop"), key: z.string(), op: z.literal("equals"), value: z.string() }),
]);
/** A stored StepMatcher ({ event, filters[] }). */
export const storedMatcherSchema = z.object({ event: z.string().min(1).max(64), filters: z.array(filterSchema).default([]) });
const storedMatchers = z.array(storedMatcherSchema).min(1);

export interface StepSource {
  kind: "main-funnel" | "chosen-funnel" | "purchase-template";
  name: string;
  /** The funnel's id; null for the Purchase template. */
  id: string | null;
}

/**
 * Steps of the chosen funnel, else the shop's main funnel (Funnel.isMain), else the
 * Purchase template (also when the funnel's steps cannot be read). A chosen id that is
 * not this shop's funnel is a 400.
 */
export async function readoutSteps(db: Db, shopId: number, choice: string | null = null): Promise<{ steps: FunnelStepDef[]; source: StepSource }> {
  const template = { steps: PURCHASE_STEPS, source: { kind: "purchase-template" as const, name: "Purchase", id: null } };
  if (choice === TEMPLATE_CHOICE) return template;
  const main = await db.funnel.findFirst({
    where: choice ? { shopId, id: choice } : { shopId, isMain: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { steps: { orderBy: { position: "asc" } } },
  });
  if (choice && !main) throw new RequestError({ funnel: "no funnel with this id in this shop" });
  if (main && main.steps.length >= 2) {
    const steps: FunnelStepDef[] = [];
    for (const s of main.steps) {
      let json: unknown;
      try {
        json = JSON.parse(s.matchers);
      } catch {
        json = null;
      }
      const parsed = storedMatchers.safeParse(json);
      if (!parsed.success) break;
      steps.push({ label: s.label, anyOf: parsed.data as StepMatcher[] });
    }
    if (steps.length === main.steps.length) return { steps, source: { kind: choice ? "chosen-funnel" : "main-funnel", name: main.name, id: main.id } };
  }
  return template;
}

const funnelChoice = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w-]+$/, "funnel must be a funnel id or template");

function parseFunnelChoice(search: URLSearchParams): string | null {
  const raw = search.get("funnel");
  if (!raw) return null;
  const parsed = funnelChoice.safeParse(raw);
  if (!parsed.success) throw new RequestError({ funnel: parsed.error.issues[0].message });
  return parsed.data;
}

/** Whether experiment views are arriving: the last 24 h and the last one seen (30 days back at most). */
export interface ExposureArrivals {
  last24h: number;
  /** Of those, how many lack `experiment` or `variant` (ignored by the readout). */
  last24hIncomplete: number;
  lastSeen: number | null;
  checkedAt: number;
}

export const ARRIVALS_LOOKBACK_DAYS = 30;

export async function exposureArrivals(db: Db, shopId: number, now = Date.now()): Promise<ExposureArrivals> {
  const recent = await db.event.findMany({
    where: { shopId, name: EXPERIMENT_EVENT, ts: { gte: BigInt(now - DAY_MS) } },
    select: { ts: true, props: true },
  });
  let incomplete = 0;
  for (const r of recent) {
    let props: Record<string, unknown> = {};
    try {
      props = r.props ? JSON.parse(r.props) : {};
    } catch {
      /* unreadable props count as incomplete */
    }
    if (!exposureOf({ name: EXPERIMENT_EVENT, props: props as CoreEvent["props"] })) incomplete++;
  }
  const last = await db.event.findFirst({
    where: { shopId, name: EXPERIMENT_EVENT, ts: { gte: BigInt(now - ARRIVALS_LOOKBACK_DAYS * DAY_MS) } },
    orderBy: { ts: "desc" },
    select: { ts: true },
  });
  return { last24h: recent.length, last24hIncomplete: incomplete, lastSeen: last ? Number(last.ts) : null, checkedAt: now };
}

/** The funnels the readout can use, main first. */
export async function readoutFunnelChoices(db: Db, shopId: number): Promise<{ id: string; name: string; isMain: boolean }[]> {
  return db.funnel.findMany({
    where: { shopId },
    select: { id: true, name: true, isMain: true },
    orderBy: [{ isMain: "desc" }, { createdAt: "asc" }, { id: "asc" }],
  });
}

export interface ExperimentsView {
  range: InsightRange;
  settings: PlannerSettingsView;
  source: StepSource;
  experiments: ExperimentReadout[];
}

/**
 * `?range=…&funnel=&mde=&alpha=&power=`: every experiment with exposures in the range.
 * Every bad parameter is reported at once.
 */
export async function experimentsReport(db: Db, shop: { id: number; timeZone: string }, search: URLSearchParams, now = Date.now()): Promise<ExperimentsView> {
  const { range, settings, choice } = parseAll({
    range: () => resolveInsightRange(search, shop.timeZone, now),
    settings: () => parsePlannerSettings(search),
    choice: () => parseFunnelChoice(search),
  });
  const { steps, source } = await readoutSteps(db, shop.id, choice);
  const events = await loadReportEvents(db, shop.id, { from: range.from, to: range.to, unit: "visitor", windowMs: 0 });
  const experiments = experimentReadouts(events, {
    from: range.from,
    to: range.to,
    steps,
    mde: settings.mde / 100,
    alpha: settings.alpha,
    power: settings.power,
  });
  return { range, settings, source, experiments };
}
