/**
 * The micro-conversions and macro goals the insights pages know by name, as step
 * matchers over what the web pixel and theme embed send (docs/event-schema.md;
 * theme embed: mc:scroll_depth {percent: 50|75|90}, mc:form_* {formType: customer|contact}).
 * Labels of single events come from the one event catalog (core/event-catalog.ts).
 * Pure data plus helpers; matching itself is core/funnel's `matchesAlternative`.
 */
import type { StepFilter, StepMatcher } from "../types";
import { eventLabel } from "../event-catalog";

/** A named metric: an event (or OR-alternatives of events) that a visitor either did or not. */
export interface InsightMetric {
  key: string;
  label: string;
  anyOf: StepMatcher[];
}

/** Exposure event of the experiment readout; never a micro-conversion itself. */
export const EXPERIMENT_EVENT = "mc:experiment_view";

const ev = (event: string, ...filters: StepFilter[]): StepMatcher => ({ event, filters });
const prop = (key: string, value: string): StepFilter => ({ field: "prop", key, op: "equals", value });
const pathContains = (value: string): StepFilter => ({ field: "path", op: "contains", value });

/**
 * Built-in micro-conversions, in the order the glossary lists them. "Scroll ≥ 75 %" is
 * the 75 and 90 marks (the embed sends 50/75/90, each once per page view).
 */
export const MICRO_CATALOG: readonly InsightMetric[] = [
  { key: "product_view", label: eventLabel("product_viewed"), anyOf: [ev("product_viewed")] },
  { key: "add_to_cart", label: eventLabel("product_added_to_cart"), anyOf: [ev("product_added_to_cart")] },
  { key: "wishlist_add", label: eventLabel("mc:wishlist_add"), anyOf: [ev("mc:wishlist_add")] },
  { key: "checkout_start", label: eventLabel("checkout_started"), anyOf: [ev("checkout_started")] },
  { key: "contact_info", label: eventLabel("checkout_contact_info_submitted"), anyOf: [ev("checkout_contact_info_submitted")] },
  {
    key: "scroll_75",
    label: "Scrolled ≥ 75 % of a page",
    anyOf: [ev("mc:scroll_depth", prop("percent", "75")), ev("mc:scroll_depth", prop("percent", "90"))],
  },
  { key: "video_play", label: eventLabel("mc:video_play"), anyOf: [ev("mc:video_play")] },
  { key: "file_download", label: eventLabel("mc:file_download"), anyOf: [ev("mc:file_download")] },
  { key: "form_start", label: eventLabel("mc:form_start"), anyOf: [ev("mc:form_start")] },
  { key: "email_signup", label: "Email signup (customer form)", anyOf: [ev("mc:form_submit", prop("formType", "customer"))] },
  {
    key: "pricing_view",
    label: "Viewed pricing or FAQ",
    anyOf: [ev("page_viewed", pathContains("/pricing")), ev("page_viewed", pathContains("/pages/faq"))],
  },
  { key: "outbound_click", label: eventLabel("mc:outbound_click"), anyOf: [ev("mc:outbound_click")] },
];

/** Macro goals the merchant can pick; purchase is the default. */
export const MACRO_GOALS: readonly InsightMetric[] = [
  { key: "purchase", label: "Purchase", anyOf: [ev("checkout_completed")] },
  { key: "demo_request", label: "Demo request (contact form sent)", anyOf: [ev("mc:form_submit", prop("formType", "contact"))] },
  { key: "newsletter", label: "Newsletter signup", anyOf: [ev("mc:form_submit", prop("formType", "customer"))] },
];

export const DEFAULT_GOAL = "purchase";
export const GOAL_KEYS = MACRO_GOALS.map((g) => g.key) as [string, ...string[]];

export function goalByKey(key: string): InsightMetric | null {
  return MACRO_GOALS.find((g) => g.key === key) ?? null;
}

export function microByKey(key: string): InsightMetric | null {
  return MICRO_CATALOG.find((m) => m.key === key) ?? null;
}

/** Canonical text of a matcher list, so "the same metric" can be detected whatever the key order. */
export function matchersKey(anyOf: readonly StepMatcher[]): string {
  const filterKey = (f: StepFilter) => JSON.stringify(f.field === "prop" ? [f.field, f.key, f.op, f.value] : [f.field, f.op, f.value]);
  return JSON.stringify(anyOf.map((m) => [m.event, m.filters.map(filterKey).sort()]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
}

/**
 * The micro-conversions to evaluate against `goal`: the catalog minus the goal itself
 * (newsletter signup is not a micro step of newsletter signup), plus one metric per
 * other `mc:*` event name the shop sent (its own custom events), experiment exposures
 * excluded. Custom names come sorted.
 */
export function microsFor(goal: InsightMetric, seenEventNames: readonly string[] = []): InsightMetric[] {
  const goalKey = matchersKey(goal.anyOf);
  const builtIn = MICRO_CATALOG.filter((m) => matchersKey(m.anyOf) !== goalKey);
  const known = new Set([...MICRO_CATALOG, ...MACRO_GOALS].flatMap((m) => m.anyOf.map((a) => a.event)));
  known.add(EXPERIMENT_EVENT);
  const custom = [...new Set(seenEventNames)]
    .filter((n) => n.startsWith("mc:") && !known.has(n))
    .sort()
    .map((n) => ({ key: `custom:${n}`, label: eventLabel(n), anyOf: [ev(n)] }));
  return [...builtIn, ...custom];
}
