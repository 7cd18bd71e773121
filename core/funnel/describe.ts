/**
 * A funnel definition in the merchant's words: "Sessions that viewed a product, then added
 * it to the cart, then started checkout — in this order, within the same visit." Pure, so
 * the report page, the edit page and the tests say exactly the same thing.
 */
import { catalogEvent, choiceOf, eventLabel } from "../event-catalog";
import type { FunnelUnit, StepFilter, StepMatcher } from "../types";

export interface DescribableFunnel {
  unit: FunnelUnit;
  windowMinutes: number;
  steps: readonly { label: string; anyOf: readonly StepMatcher[] }[];
}

export interface FunnelInWords {
  /** The whole definition as one sentence. */
  sentence: string;
  /** Each step's condition, e.g. "scrolled at least 75 % down a page or viewed a page under /blogs". */
  steps: string[];
  /** How the steps are bounded in time. */
  window: string;
}

/** 10080 → "7 days", 90 → "90 minutes", 120 → "2 hours", 1 → "1 minute". */
export function windowInWords(minutes: number): string {
  const plural = (n: number, unit: string) => `${n.toLocaleString("en-US")} ${unit}${n === 1 ? "" : "s"}`;
  if (minutes >= 1440 && minutes % 1440 === 0) return plural(minutes / 1440, "day");
  if (minutes >= 60 && minutes % 60 === 0) return plural(minutes / 60, "hour");
  return plural(minutes, "minute");
}

const quote = (s: string) => `“${s}”`;

function filterInWords(f: StepFilter): string {
  if (f.field === "productId") return f.title ? `product ${quote(f.title)}` : `product id ${f.value}`;
  if (f.field === "prop") return `${f.key} is ${quote(f.value)}`;
  if (f.title) return `${f.value.startsWith("/collections/") ? "collection" : "page"} ${quote(f.title)}`;
  if (f.op === "equals") return `on the page ${f.value}`;
  if (f.op === "startsWith") return `on a page under ${f.value}`;
  return `on a page whose address contains ${quote(f.value)}`;
}

/** One alternative: the catalog's phrase (or the choice's, for scroll 75 %), then its other filters. */
export function matcherInWords(m: Pick<StepMatcher, "event" | "filters">): string {
  // A builder draft may not have its event yet.
  if (m.event.trim() === "" || m.event === "mc:") return "… (no event chosen yet)";
  const picked = choiceOf(m);
  const known = catalogEvent(m.event);
  const phrase = picked ? picked.option.phrase : known ? known.phrase : `sent the event ${eventLabel(m.event).replace(/^Custom event /, "")}`;
  const rest = m.filters.filter((f) => f !== picked?.filter).map(filterInWords);
  return rest.length ? `${phrase} (${rest.join(" and ")})` : phrase;
}

export function stepInWords(step: { anyOf: readonly StepMatcher[] }): string {
  if (step.anyOf.length === 0) return "matched nothing (no event chosen)";
  return step.anyOf.map(matcherInWords).join(" or ");
}

export function funnelInWords(f: DescribableFunnel): FunnelInWords {
  const steps = f.steps.map(stepInWords);
  const chain = steps.map((s, i) => (i === 0 ? s : `then ${s}`)).join(", ");
  if (f.unit === "session") {
    const window = "within the same visit (a visit ends after 30 minutes without activity)";
    return { sentence: `Sessions that ${chain}, in this order, ${window}.`, steps, window };
  }
  const window = `with the last step within ${windowInWords(f.windowMinutes)} of the first, across visits`;
  return { sentence: `Visitors who ${chain}, in this order, ${window}.`, steps, window };
}
