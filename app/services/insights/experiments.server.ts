/**
 * Experiment readout for one shop: exposures (`mc:experiment_view` {experiment, variant})
 * in a date range and, per variant, the shop's main funnel counted after exposure.
 */
import { z } from "zod";
import prisma from "../../db.server";
import { loadReportEvents } from "../events.server";
import { experimentReadouts, type ExperimentReadout } from "../../../core/insights";
import type { FunnelStepDef, StepMatcher } from "../../../core/types";
import { resolveInsightRange, type InsightRange } from "./range.server";
import { parsePlannerSettings, type PlannerSettingsView } from "./insights.server";

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
  kind: "main-funnel" | "purchase-template";
  name: string;
}

/** Steps of the shop's main funnel (Funnel.isMain), or the Purchase template when there is none or it cannot be read. */
export async function readoutSteps(shopId: number): Promise<{ steps: FunnelStepDef[]; source: StepSource }> {
  const main = await prisma.funnel.findFirst({
    where: { shopId, isMain: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { steps: { orderBy: { position: "asc" } } },
  });
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
    if (steps.length === main.steps.length) return { steps, source: { kind: "main-funnel", name: main.name } };
  }
  return { steps: PURCHASE_STEPS, source: { kind: "purchase-template", name: "Purchase" } };
}

export interface ExperimentsView {
  range: InsightRange;
  settings: PlannerSettingsView;
  source: StepSource;
  experiments: ExperimentReadout[];
}

/** `?range=…&mde=&alpha=&power=`: every experiment with exposures in the range. */
export async function experimentsReport(shop: { id: number; timeZone: string }, search: URLSearchParams, now = Date.now()): Promise<ExperimentsView> {
  const range = resolveInsightRange(search, shop.timeZone, now);
  const settings = parsePlannerSettings(search);
  const { steps, source } = await readoutSteps(shop.id);
  const events = await loadReportEvents(prisma, shop.id, { from: range.from, to: range.to, unit: "visitor", windowMs: 0 });
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
