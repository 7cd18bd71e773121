/**
 * Experiment readout (docs/insights.md, "Experiment readout"). Exposures are
 * `mc:experiment_view` events with props {experiment, variant}:
 * - a visitor's first exposure in the range assigns its variant and its exposure time;
 * - a visitor exposed to two or more variants of one experiment is excluded (counted);
 * - per variant, the funnel counts visitors who reached each step with events at or
 *   after their exposure (and before the range ends), steps in order, by core/funnel's
 *   engine with the visitor as unit;
 * - every non-control variant is compared with control step by step: difference with
 *   95 % CI and p-value (compareProportions) and a plain-language verdict (verdict());
 *   sample-ratio mismatch over all arms (sampleRatioMismatch, equal split planned).
 */
import { computeUnitResults } from "../funnel";
import { compareProportions, sampleRatioMismatch, verdict, type Counts, type ProportionComparison, type SrmCheck, type Verdict } from "../stats";
import { MAX_WINDOW_MS, type CoreEvent, type FunnelStepDef } from "../types";
import { EXPERIMENT_EVENT } from "./catalog";
import { visitorsInWindow, type Window } from "./visitors";

export interface ExperimentOptions extends Window {
  steps: FunnelStepDef[];
  /** Planned minimum detectable effect (relative), for the verdict's sample size. */
  mde: number;
  alpha?: number;
  power?: number;
}

export interface VariantFunnel {
  variant: string;
  isControl: boolean;
  /** Visitors assigned to this variant (first exposure, not excluded). */
  visitors: number;
  /** Visitors who reached each step after exposure (index i ↔ step i+1). */
  reached: number[];
}

export interface StepComparison {
  step: number;
  label: string;
  control: Counts;
  variant: Counts;
  comparison: ProportionComparison;
  verdict: Verdict;
}

export interface VariantComparison {
  variant: string;
  steps: StepComparison[];
  /** The verdict on the last step (the funnel's goal): the headline. */
  headline: Verdict;
}

export interface ExperimentReadout {
  experiment: string;
  control: string;
  stepLabels: string[];
  variants: VariantFunnel[];
  /** Visitors exposed to more than one variant: left out of every figure. */
  excludedVisitors: number;
  /** Assigned visitors (sum over variants). */
  assignedVisitors: number;
  /** First and last exposure event of the experiment in the range (epoch ms). */
  firstExposure: number;
  lastExposure: number;
  /** Chi-square test of the arms' sizes against an equal split; `{ ok: false }` with one arm. */
  srm: SrmCheck;
  comparisons: VariantComparison[];
}

interface Assignment {
  variant: string | null; // null = seen in several variants
  exposedAt: number;
  variants: Set<string>;
}

/** The experiment and variant of an exposure event, or null when either is missing. */
export function exposureOf(e: Pick<CoreEvent, "name" | "props">): { experiment: string; variant: string } | null {
  if (e.name !== EXPERIMENT_EVENT) return null;
  const experiment = e.props.experiment;
  const variant = e.props.variant;
  if (experiment === null || experiment === undefined || variant === null || variant === undefined) return null;
  const x = String(experiment).trim();
  const v = String(variant).trim();
  return x && v ? { experiment: x, variant: v } : null;
}

/** Control is the variant named "control" (any case), else the first by name. */
export function pickControl(variants: readonly string[]): string {
  return variants.find((v) => v.toLowerCase() === "control") ?? [...variants].sort()[0];
}

/** Readouts of every experiment with exposures in [from, to), most recently exposed first. */
export function experimentReadouts(events: readonly CoreEvent[], opts: ExperimentOptions): ExperimentReadout[] {
  const byVisitor = visitorsInWindow(events, opts);
  // experiment → visitor → assignment, and the span of its exposure events
  const experiments = new Map<string, { visitors: Map<string, Assignment>; first: number; last: number }>();
  for (const [visitorId, list] of byVisitor) {
    for (const e of list) {
      const x = exposureOf(e);
      if (!x) continue;
      let exp = experiments.get(x.experiment);
      if (!exp) experiments.set(x.experiment, (exp = { visitors: new Map(), first: e.ts, last: e.ts }));
      exp.first = Math.min(exp.first, e.ts);
      exp.last = Math.max(exp.last, e.ts);
      const visitors = exp.visitors;
      const a = visitors.get(visitorId);
      if (!a) visitors.set(visitorId, { variant: x.variant, exposedAt: e.ts, variants: new Set([x.variant]) });
      else {
        a.variants.add(x.variant);
        if (a.variants.size > 1) a.variant = null;
      }
    }
  }
  const readouts = [...experiments].map(([name, x]) => ({ ...readout(name, x.visitors, byVisitor, opts), firstExposure: x.first, lastExposure: x.last }));
  return readouts.sort((a, b) => b.lastExposure - a.lastExposure || (a.experiment < b.experiment ? -1 : 1));
}

function readout(experiment: string, assignments: Map<string, Assignment>, byVisitor: Map<string, CoreEvent[]>, opts: ExperimentOptions): ExperimentReadout {
  let excluded = 0;
  const members = new Map<string, string[]>(); // variant → visitors
  for (const [visitorId, a] of assignments) {
    if (a.variant === null) {
      excluded++;
      continue;
    }
    const list = members.get(a.variant);
    if (list) list.push(visitorId);
    else members.set(a.variant, [visitorId]);
  }
  const names = [...members.keys()];
  const control = names.length > 0 ? pickControl(names) : "";
  const ordered = [control, ...names.filter((n) => n !== control).sort()].filter((n) => members.has(n));
  const labels = opts.steps.map((s) => s.label);

  const variants: VariantFunnel[] = ordered.map((variant) => {
    const visitorIds = members.get(variant)!;
    // Each visitor's events from its exposure on (exposures themselves are not steps).
    const after: CoreEvent[] = [];
    for (const id of visitorIds) {
      const exposedAt = assignments.get(id)!.exposedAt;
      for (const e of byVisitor.get(id) ?? []) if (e.ts >= exposedAt && e.name !== EXPERIMENT_EVENT) after.push(e);
    }
    const results = computeUnitResults(
      after,
      { steps: opts.steps, unit: "visitor", windowMs: MAX_WINDOW_MS },
      { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER, now: opts.to, timeZone: "UTC" },
    );
    const reached = labels.map((_, i) => results.filter((r) => r.furthest >= i + 1).length);
    return { variant, isControl: variant === control, visitors: visitorIds.length, reached };
  });

  const controlArm = variants[0];
  const comparisons: VariantComparison[] = variants.slice(1).map((arm) => {
    const steps = labels.map((label, i): StepComparison => {
      const c = { converted: controlArm.reached[i], total: controlArm.visitors };
      const v = { converted: arm.reached[i], total: arm.visitors };
      return {
        step: i + 1,
        label,
        control: c,
        variant: v,
        comparison: compareProportions(c, v, { alpha: opts.alpha }),
        verdict: verdict({ control: c, variant: v, mde: opts.mde, alpha: opts.alpha, power: opts.power }),
      };
    });
    return { variant: arm.variant, steps, headline: steps[steps.length - 1].verdict };
  });

  const assigned = variants.reduce((s, v) => s + v.visitors, 0);
  return {
    experiment,
    control,
    stepLabels: labels,
    variants,
    excludedVisitors: excluded,
    assignedVisitors: assigned,
    firstExposure: 0,
    lastExposure: 0,
    srm: sampleRatioMismatch(variants.map((v) => v.visitors)),
    comparisons,
  };
}
