/**
 * A deliberately naive reference of docs/funnel-semantics.md for small inputs: no
 * greedy, no matching theory — it enumerates every ordered tuple of distinct events.
 * Shares nothing with the engine except the input types and constants.
 */
import { SESSION_GAP_MS, type CoreEvent, type FunnelDefinition, type StepFilter } from "../../../core/types";

export interface NaiveUnit {
  unitId: string;
  furthest: number;
  inProgress: boolean;
  /** ms from step k to k+1 of the deciding attempt, componentwise-earliest over its full chains. */
  msFromPrev: number[];
  entryTs: number;
}

export interface NaiveParams {
  from: number;
  to: number;
  now: number;
}

function before(a: CoreEvent, b: CoreEvent): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.id < b.id;
}

function sortEvents(events: CoreEvent[]): CoreEvent[] {
  // Insertion sort: slow and obviously right.
  const out: CoreEvent[] = [];
  for (const e of events) {
    let i = out.length;
    while (i > 0 && before(e, out[i - 1])) i--;
    out.splice(i, 0, e);
  }
  return out;
}

/** Drop an event if an earlier one (in sorted order) has the same key under the rule. */
function naiveDedupe(events: CoreEvent[]): CoreEvent[] {
  const sorted = sortEvents(events);
  const byId = sorted.filter((e, i) => !sorted.slice(0, i).some((f) => f.id === e.id));
  return byId.filter(
    (e, i) =>
      !byId
        .slice(0, i)
        .some(
          (f) =>
            (e.name === "checkout_started" && f.name === "checkout_started" && e.checkoutToken !== null && f.checkoutToken === e.checkoutToken) ||
            (e.name === "checkout_completed" && f.name === "checkout_completed" && e.orderId !== null && f.orderId === e.orderId),
        ),
  );
}

function filterHolds(e: CoreEvent, f: StepFilter): boolean {
  if (f.field === "path") {
    if (e.path === null) return false;
    if (f.op === "equals") return e.path === f.value;
    if (f.op === "startsWith") return e.path.slice(0, f.value.length) === f.value;
    return e.path.indexOf(f.value) >= 0;
  }
  if (f.field === "productId") return e.productId === f.value;
  return Object.keys(e.props).includes(f.key) && String(e.props[f.key]) === f.value;
}

function matches(e: CoreEvent, def: FunnelDefinition, k: number): boolean {
  return def.steps[k].anyOf.some((alt) => alt.event === e.name && alt.filters.every((f) => filterHolds(e, f)));
}

/** Units as [id, sorted events]. A session id is `${visitorId}:${first ts}`. */
function naiveUnits(events: CoreEvent[], def: FunnelDefinition): [string, CoreEvent[]][] {
  const visitors = [...new Set(events.map((e) => e.visitorId))];
  const units: [string, CoreEvent[]][] = [];
  for (const v of visitors) {
    const mine = events.filter((e) => e.visitorId === v);
    if (def.unit === "visitor") {
      units.push([v, mine]);
      continue;
    }
    // Each event's session starts at the nearest preceding event that follows a gap > 30 min.
    const startOf = (i: number): number => {
      let j = i;
      while (j > 0 && mine[j].ts - mine[j - 1].ts <= SESSION_GAP_MS) j--;
      return mine[j].ts;
    };
    const starts = [...new Set(mine.map((_, i) => startOf(i)))];
    for (const s of starts) units.push([`${v}:${s}`, mine.filter((_, i) => startOf(i) === s)]);
  }
  return units;
}

/** Every chain (list of event indexes) from attempt `i`, of any length ≥ 1. */
function allChains(events: CoreEvent[], def: FunnelDefinition, i: number, windowMs: number): number[][] {
  const chains: number[][] = [];
  const extend = (chain: number[]): void => {
    chains.push(chain);
    const k = chain.length;
    if (k === def.steps.length) return;
    const last = events[chain[k - 1]];
    for (let j = 0; j < events.length; j++) {
      const e = events[j];
      if (chain.includes(j) || !matches(e, def, k)) continue;
      if (e.ts < last.ts || e.ts - events[i].ts > windowMs) continue;
      extend([...chain, j]);
    }
  };
  extend([i]);
  return chains;
}

/** Per-unit results of the reference. */
export function naiveUnitResults(input: CoreEvent[], def: FunnelDefinition, p: NaiveParams): NaiveUnit[] {
  const events = naiveDedupe(input);
  const windowMs = def.unit === "session" ? Infinity : def.windowMs;
  const out: NaiveUnit[] = [];
  for (const [unitId, ev] of naiveUnits(events, def)) {
    const attempts = ev.map((e, i) => i).filter((i) => matches(ev[i], def, 0) && ev[i].ts >= p.from && ev[i].ts < p.to);
    if (attempts.length === 0) continue;
    let best: { furthest: number; chains: number[][]; start: number } | null = null;
    for (const i of attempts) {
      const chains = allChains(ev, def, i, windowMs);
      const furthest = Math.max(...chains.map((c) => c.length));
      if (best === null || furthest > best.furthest) best = { furthest, chains: chains.filter((c) => c.length === furthest), start: i };
    }
    const b = best as { furthest: number; chains: number[][]; start: number };
    const times = Array.from({ length: b.furthest }, (_, k) => Math.min(...b.chains.map((c) => ev[c[k]].ts)));
    const completed = b.furthest === def.steps.length;
    const lastStart = Math.max(...attempts.map((i) => ev[i].ts));
    const lastEvent = Math.max(...ev.map((e) => e.ts));
    const couldAdvance = def.unit === "visitor" ? lastStart + def.windowMs > p.now : p.now - lastEvent < SESSION_GAP_MS;
    out.push({
      unitId,
      furthest: b.furthest,
      inProgress: !completed && couldAdvance,
      msFromPrev: times.slice(1).map((t, k) => t - times[k]),
      entryTs: ev[b.start].ts,
    });
  }
  return out;
}

/** Lower median / nearest-rank percentile, computed the long way. */
export function naivePercentile(values: number[], percent: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // Smallest value with at least `percent` % of values ≤ it.
  for (const v of sorted) {
    if (sorted.filter((x) => x <= v).length * 100 >= percent * sorted.length) return v;
  }
  return sorted[sorted.length - 1];
}

/** Aggregated figures of the reference: counts, in-progress per step, median / p90 per step, v2 drop-offs and leak. */
export function naiveFigures(input: CoreEvent[], def: FunnelDefinition, p: NaiveParams) {
  const units = naiveUnitResults(input, def, p);
  return { units, ...naiveFiguresOfUnits(units, def.steps.length) };
}

/** A unit as the leak rule sees it. */
export type NaiveOutcome = Pick<NaiveUnit, "furthest" | "inProgress"> & Partial<Pick<NaiveUnit, "msFromPrev">>;

/**
 * Figures from per-unit outcomes, each counted the long way from the units themselves
 * (docs/funnel-semantics.md, "Report figures"):
 * - waiting[k]: units in progress whose furthest step is k;
 * - dropOff[k]: units whose furthest step is k−1 and that are not in progress;
 * - settled[k]: units that reached k−1 except those waiting there;
 * - leak: of the steps with settled ≥ 30 and a drop-off, the highest dropOff/settled
 *   (compared as fractions, by cross-multiplying), the earliest on ties; else null.
 */
export function naiveFiguresOfUnits(units: NaiveOutcome[], n: number) {
  const counts = Array.from({ length: n }, (_, k) => units.filter((u) => u.furthest >= k + 1).length);
  const inProgress = Array.from({ length: n }, (_, k) => (k === 0 ? 0 : units.filter((u) => u.inProgress && u.furthest === k).length));
  const waiting = Array.from({ length: n }, (_, k) => units.filter((u) => u.inProgress && u.furthest === k + 1).length);
  const dropOff = Array.from({ length: n }, (_, k) => (k === 0 ? null : units.filter((u) => u.furthest === k && !u.inProgress).length));
  const settled = Array.from({ length: n }, (_, k) => (k === 0 ? null : units.filter((u) => u.furthest >= k && !(u.inProgress && u.furthest === k)).length));
  const dropOffRate = dropOff.map((d, k) => (d === null || settled[k] === 0 ? null : d / (settled[k] as number)));
  let leakStep: number | null = null;
  for (let k = 1; k < n; k++) {
    const d = dropOff[k] as number;
    const s = settled[k] as number;
    if (s < 30 || d === 0) continue;
    if (leakStep === null) {
      leakStep = k + 1;
      continue;
    }
    const bd = dropOff[leakStep - 1] as number;
    const bs = settled[leakStep - 1] as number;
    if (d * bs > bd * s) leakStep = k + 1;
  }
  const durations = (k: number) => units.filter((u) => u.furthest >= k + 1).map((u) => (u.msFromPrev ?? [])[k - 1]);
  const median = Array.from({ length: n }, (_, k) => (k === 0 ? null : naivePercentile(durations(k), 50)));
  const p90 = Array.from({ length: n }, (_, k) => (k === 0 ? null : naivePercentile(durations(k), 90)));
  return { counts, inProgress, waiting, dropOff, settled, dropOffRate, leakStep, median, p90 };
}
