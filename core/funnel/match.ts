/**
 * Step matching: an event matches a step when any alternative (anyOf) matches, and an
 * alternative matches when the event name is equal and every filter holds.
 * Comparisons are exact and case-sensitive.
 */
import type { CoreEvent, FunnelStepDef, StepFilter, StepMatcher } from "../types";

/** Whether one filter holds for the event. A missing field (null / absent prop) never matches. */
export function matchesFilter(e: CoreEvent, f: StepFilter): boolean {
  switch (f.field) {
    case "path":
      return e.path !== null && compare(e.path, f.op, f.value);
    case "productId":
      return e.productId !== null && e.productId === f.value;
    case "prop":
      // Own properties only, so "constructor" etc. never match via the prototype.
      return Object.prototype.hasOwnProperty.call(e.props, f.key) && String(e.props[f.key]) === f.value;
  }
}

function compare(actual: string, op: StepFilter["op"], expected: string): boolean {
  switch (op) {
    case "equals":
      return actual === expected;
    case "startsWith":
      return actual.startsWith(expected);
    case "contains":
      return actual.includes(expected);
  }
}

/** Whether the event matches one alternative: same name and all filters AND'ed. */
export function matchesAlternative(e: CoreEvent, alt: StepMatcher): boolean {
  return e.name === alt.event && alt.filters.every((f) => matchesFilter(e, f));
}

/** Whether the event matches the step: any alternative OR'ed. */
export function matchesStep(e: CoreEvent, step: FunnelStepDef): boolean {
  return step.anyOf.some((alt) => matchesAlternative(e, alt));
}

/**
 * Builds a function returning the bitmask of steps an event matches (bit k-1 for step
 * k). Alternatives are indexed by event name so unrelated events cost one map lookup.
 * At most 31 steps fit the mask; funnels have at most 20.
 */
export function compileStepMask(steps: readonly FunnelStepDef[]): (e: CoreEvent) => number {
  if (steps.length > 31) throw new RangeError("at most 31 steps fit a step mask");
  const byName = new Map<string, { bit: number; alt: StepMatcher }[]>();
  steps.forEach((step, i) => {
    for (const alt of step.anyOf) {
      const list = byName.get(alt.event) ?? [];
      list.push({ bit: 1 << i, alt });
      byName.set(alt.event, list);
    }
  });
  return (e) => {
    const candidates = byName.get(e.name);
    if (!candidates) return 0;
    let mask = 0;
    for (const { bit, alt } of candidates) {
      if ((mask & bit) === 0 && alt.filters.every((f) => matchesFilter(e, f))) mask |= bit;
    }
    return mask;
  };
}
