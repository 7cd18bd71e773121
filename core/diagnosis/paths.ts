/**
 * "What did they do instead?" — for one step transition (k−1 → k), what the units that
 * dropped there did after reaching step k−1, side by side with the units that went on
 * (docs/diagnosis.md). Pure: events in, paths and comparisons out.
 *
 * Follows funnel semantics v2: only settled units count. "Dropped" = furthest step k−1
 * and no longer in progress; "advanced" = reached step k. Units still waiting at k−1 are
 * in neither side.
 *
 * A unit's path is the next PATH_LENGTH distinct steps (merchant labels of the events
 * that followed the moment it reached step k−1, inside the unit; for visitor units inside
 * the deciding attempt's window), ending in "left the site" when fewer followed.
 */
import { groupByVisitor, sessionize } from "../sessionize";
import { diffWilsonInterval, MIN_UNITS_TO_COMPARE } from "../stats/wilson";
import { SESSION_GAP_MS, type CoreEvent, type FunnelDefinition, type FunnelUnit } from "../types";
import { dedupeEvents } from "../funnel/dedupe";
import { bestAttempt } from "../funnel/engine";
import { compileStepMask } from "../funnel/match";

/** Distinct steps kept per path. */
export const PATH_LENGTH = 3;
/** Paths (and first next steps) listed by name; the rest are one "other" row. */
export const TOP_PATHS = 10;
/** Units read per side at most (about: each visitor is kept with probability maxUnits / side total). */
export const DEFAULT_MAX_UNITS_PER_SIDE = 2000;
/** Family-wise confidence of each table's intervals (Bonferroni over its rows). */
export const FAMILY_CONFIDENCE = 0.95;
export const LEFT_THE_SITE = "left the site";
export const OTHER_PATH = "(other)";

// ------------------------------------------------------------------------------ labels

const ID_SEGMENT = /^(\d+|[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Long tokens mixing letters and digits (checkout tokens, cart keys): ids, not pages. */
const TOKEN_SEGMENT = /^(?=.*\d)[a-z0-9_-]{16,}$/i;
const LOCALE = "(?:/[a-z]{2}(?:-[a-z]{2})?)?";
const PRODUCT = new RegExp(`^${LOCALE}/products(?:/|$)`);
const COLLECTION = new RegExp(`^${LOCALE}/collections(?:/|$)`);
const CART = new RegExp(`^${LOCALE}/cart(?:/|$)`);
const CHECKOUT = new RegExp(`^${LOCALE}/checkouts?(?:/|$)`);
const SEARCH = new RegExp(`^${LOCALE}/search(?:/|$)`);
const HOME = new RegExp(`^${LOCALE}/?$`);

/**
 * A page path as a merchant groups it: no query or fragment, lower case, no trailing
 * slash, id-like segments (numbers, hex, uuids, long tokens) as ":id", at most 100 chars.
 *
 * @example normalisePath("/Pages/Order/12345/?utm_source=x#top") // "/pages/order/:id"
 */
export function normalisePath(path: string): string {
  let p = path.split(/[?#]/, 1)[0].toLowerCase();
  try {
    p = decodeURI(p);
  } catch {
    // Malformed escapes stay as they are.
  }
  const segments = p
    .split("/")
    .filter((s) => s !== "")
    .map((s) => (ID_SEGMENT.test(s) || TOKEN_SEGMENT.test(s) ? ":id" : s));
  const out = `/${segments.join("/")}`;
  return out.length > 100 ? `${out.slice(0, 99)}…` : out;
}

const NAMED: Record<string, string> = {
  product_viewed: "viewed a product",
  collection_viewed: "viewed a collection",
  cart_viewed: "viewed the cart",
  search_submitted: "searched",
  product_added_to_cart: "added to cart",
  product_removed_from_cart: "removed from cart",
  checkout_started: "started checkout",
  checkout_contact_info_submitted: "entered contact details",
  checkout_address_info_submitted: "entered an address",
  checkout_shipping_info_submitted: "chose shipping",
  payment_info_submitted: "entered payment details",
  checkout_completed: "completed checkout",
};

/**
 * One event as a step of a path. Page views are labelled by page ("viewed
 * /policies/shipping-policy"), except the kinds a standard event already names the same
 * way (products, collections, the cart, checkout, search, the home page), so a product
 * page's page_viewed and product_viewed are one step.
 */
export function stepLabel(e: Pick<CoreEvent, "name" | "path">): string {
  const named = NAMED[e.name];
  if (named) return named;
  if (e.name !== "page_viewed") return e.name.replace(/^mc:/, "").replace(/_/g, " ");
  if (e.path === null || e.path === "") return "viewed a page";
  const p = normalisePath(e.path);
  if (PRODUCT.test(p)) return "viewed a product";
  if (COLLECTION.test(p)) return "viewed a collection";
  if (CART.test(p)) return "viewed the cart";
  if (CHECKOUT.test(p)) return "viewed checkout";
  if (SEARCH.test(p)) return "searched";
  if (HOME.test(p)) return "viewed the home page";
  return `viewed ${p}`;
}

/** The next `PATH_LENGTH` distinct labels of `after`, then "left the site" when fewer followed. */
export function pathOf(after: readonly Pick<CoreEvent, "name" | "path">[], length = PATH_LENGTH): string[] {
  const out: string[] = [];
  for (const e of after) {
    const label = stepLabel(e);
    if (!out.includes(label)) out.push(label);
    if (out.length === length) return out;
  }
  out.push(LEFT_THE_SITE);
  return out;
}

// ------------------------------------------------------------------------------- units

/** One settled unit at the step and what it did after reaching step k−1. */
export interface UnitPath {
  /** The engine's unit id: `${visitorId}:${session start}` or the visitor id. */
  unitId: string;
  visitorId: string;
  side: "dropped" | "advanced";
  path: string[];
}

export interface UnitPaths {
  /** Settled units at step k−1 that never reached k (the report's dropOff[k]). */
  dropped: number;
  /** Units that reached step k (settled − dropped). */
  advanced: number;
  units: UnitPath[];
}

/**
 * Every settled unit at `step` (k ≥ 2) in [from, to) with its path, decided exactly as
 * the funnel engine decides them (same deduplication, units, deciding attempt and
 * in-progress rule), so `dropped` and `advanced` equal the report's dropOff[k] and
 * count[k]. The path starts after step k−1's event in the deciding attempt (among
 * events of the same time, after the last that matches step k−1).
 */
export function unitPathsAtStep(
  events: readonly CoreEvent[],
  def: FunnelDefinition,
  params: { from: number; to: number; now: number },
  step: number,
): UnitPaths {
  if (!Number.isInteger(step) || step < 2 || step > def.steps.length) throw new RangeError(`step must be 2..${def.steps.length}, got ${step}`);
  const clean = dedupeEvents(events);
  const units: [string, CoreEvent[]][] = def.unit === "session" ? sessionize(clean).map((s) => [s.id, s.events]) : [...groupByVisitor(clean)];
  const maskOf = compileStepMask(def.steps);
  const windowMs = def.unit === "session" ? Number.POSITIVE_INFINITY : def.windowMs;
  const ctx = { steps: def.steps.length, from: params.from, to: params.to, windowMs };
  const from = step - 1; // 1-based step the path starts after
  const out: UnitPaths = { dropped: 0, advanced: 0, units: [] };
  for (const [unitId, list] of units) {
    const masks = list.map(maskOf);
    const a = bestAttempt(list, masks, ctx);
    if (!a || a.reach.length < from) continue;
    const furthest = a.reach.length;
    const lastTs = list[list.length - 1].ts;
    // The engine's in-progress rule (core/funnel/engine.ts evaluateUnit).
    const couldAdvance = def.unit === "visitor" ? a.latestStart + windowMs > params.now : params.now - lastTs < SESSION_GAP_MS;
    const side = furthest >= step ? "advanced" : couldAdvance ? null : "dropped";
    if (side === null) continue; // waiting at k−1: neither side
    let at = a.index;
    if (from > 1) {
      const t = a.reach[from - 1];
      const bit = 1 << (from - 1);
      for (let i = a.index; i < list.length && list[i].ts <= t; i++) if (list[i].ts === t && masks[i] & bit) at = i;
    }
    const until = list[a.index].ts + windowMs;
    const after: CoreEvent[] = [];
    for (let i = at + 1; i < list.length && list[i].ts <= until; i++) after.push(list[i]);
    out[side]++;
    out.units.push({ unitId, visitorId: list[0].visitorId, side, path: pathOf(after) });
  }
  return out;
}

// ---------------------------------------------------------------------------- sampling

/**
 * The share of a side's units read: maxUnits / total, at most 1.
 * @example sampleRate(8000, 2000) // 0.25
 */
export function sampleRate(total: number, maxUnits: number): number {
  return total <= maxUnits ? 1 : maxUnits / total;
}

/**
 * FNV-1a (32 bits) of the visitor id, then MurmurHash3's finaliser (FNV alone barely moves
 * its high bits when ids differ only at the end), as a number in [0, 1): the same visitors
 * are kept on every read.
 */
export function visitorHash(visitorId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < visitorId.length; i++) {
    h ^= visitorId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** Whether a visitor is in a sample read at `rate` (a visitor's units are all in or all out). */
export function inSample(visitorId: string, rate: number): boolean {
  return rate >= 1 || visitorHash(visitorId) < rate;
}

/** Distinct values of `visitorBucket`: 0 … VISITOR_BUCKETS − 1. */
export const VISITOR_BUCKETS = 65_536;

/**
 * The visitor's sample bucket, floor(visitorHash × VISITOR_BUCKETS): stored with each
 * precomputed row (FunnelUnitDay.visitorBucket, written by the refresher) and indexed, so a
 * sampled read seeks the few visitors that can be in a sample instead of hashing every
 * visitor of the range (SQL cannot compute the hash).
 *
 * @example visitorBucket("a") // 6784 (visitorHash("a") = 0x1a80b1b3 / 2³²)
 */
export function visitorBucket(visitorId: string): number {
  return Math.floor(visitorHash(visitorId) * VISITOR_BUCKETS);
}

/**
 * Buckets below this bound hold every visitor in the sample of `rate` (and a few more:
 * filter them with inSample). ceil(rate × VISITOR_BUCKETS), at most VISITOR_BUCKETS: if
 * hash < rate then floor(hash × B) ≤ hash × B < rate × B ≤ ceil(rate × B) (both products
 * exact in binary floating point, B being a power of two).
 *
 * @example sampleBucketBound(0.25) // 16384
 */
export function sampleBucketBound(rate: number): number {
  return rate >= 1 ? VISITOR_BUCKETS : Math.max(0, Math.ceil(rate * VISITOR_BUCKETS));
}

// -------------------------------------------------------------------------- comparison

export interface Share {
  count: number;
  total: number;
  /** count / total; null when total is 0. */
  share: number | null;
}

export type PathVerdict = "more" | "less" | "neutral" | "too-few" | "not-tested";

export interface PathRow {
  /** Steps joined with " → " ("(other)" for the rest). */
  key: string;
  steps: string[];
  isOther: boolean;
  dropped: Share;
  advanced: Share;
  /** dropped share − advanced share (fraction); null when a side is empty. */
  diff: number | null;
  /** Newcombe hybrid score interval of diff at 1 − (1 − FAMILY_CONFIDENCE)/m, m the table's rows tested. */
  diffCi: [number, number] | null;
  /**
   * more / less: the interval is wholly above / below 0 (those who dropped did it more /
   * less often); neutral: it includes 0; too-few: a side has fewer than MIN_UNITS_TO_COMPARE
   * units; not-tested: the "(other)" row (a mix), and "left the site" at once (a unit that
   * went on reached step k after k−1, so it cannot have left at once: 0 % by construction,
   * not a finding).
   */
  verdict: PathVerdict;
  /** The row in words, counts included. */
  sentence: string;
}

export interface PathTable {
  rows: PathRow[];
  /** Rows tested (the m of the Bonferroni correction). */
  tested: number;
  /** Confidence of each interval: 1 − (1 − FAMILY_CONFIDENCE)/m. */
  confidence: number;
  /** Rows whose interval is wholly above 0, largest difference first. */
  standOut: PathRow[];
}

export interface StepPaths {
  /** k ≥ 2: the transition from step k−1 to k. */
  step: number;
  fromLabel: string;
  toLabel: string;
  unit: FunnelUnit;
  /** total: settled units of the side in the report; sampled: those read; rate: the share of visitors read. */
  dropped: { total: number; sampled: number; rate: number };
  advanced: { total: number; sampled: number; rate: number };
  maxUnitsPerSide: number;
  /** A side read fewer than minUnits units: nothing is compared, nothing coloured. */
  tooFew: boolean;
  minUnits: number;
  familyConfidence: number;
  pathLength: number;
  /** The single next step (what a merchant reads first). */
  firstSteps: PathTable;
  /** The next PATH_LENGTH distinct steps. */
  paths: PathTable;
  /** Units that dropped and did nothing after step k−1 (shown, never compared: see PathVerdict). */
  leftAtOnce: Share;
  /** The first next step that stands out most, in words; null when none does. */
  headline: string | null;
  /** Why nothing is claimed (too few, or nothing stands out); null when a row stands out. */
  noClaimSentence: string | null;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const count = (n: number) => n.toLocaleString("en-US");

function sentenceOf(row: Omit<PathRow, "sentence">, ctx: SentenceContext): string {
  const did = row.isOther
    ? "did something else"
    : row.steps.length === 1 && row.steps[0] === LEFT_THE_SITE
      ? "left the site right away"
      : ctx.first
        ? `${row.steps[0]} next`
        : `then ${row.steps.join(", then ")}`;
  const d = row.dropped;
  const a = row.advanced;
  if (d.share === null) return `None of the ${ctx.noun} that dropped after “${ctx.fromLabel}” were read.`;
  const against = a.share === null ? "" : `, against ${pct(a.share)} of those that went on to “${ctx.toLabel}”`;
  return `${pct(d.share)} of the ${ctx.noun} that dropped after “${ctx.fromLabel}” ${did}${against} (${count(d.count)} of ${count(d.total)} vs ${count(a.count)} of ${count(a.total)})`;
}

interface SentenceContext {
  noun: string;
  fromLabel: string;
  toLabel: string;
  first: boolean;
}

/**
 * Top TOP_PATHS keys among dropped units (by count, then advanced count, then key), plus
 * "(other)", each with both sides' counts and the difference of shares with a
 * Bonferroni-adjusted Newcombe interval.
 */
export function comparePathTable(
  dropped: readonly (readonly string[])[],
  advanced: readonly (readonly string[])[],
  ctx: SentenceContext,
  minUnits = MIN_UNITS_TO_COMPARE,
): PathTable {
  const keyOf = (p: readonly string[]) => p.join(" → ");
  const tally = (paths: readonly (readonly string[])[]) => {
    const m = new Map<string, number>();
    for (const p of paths) m.set(keyOf(p), (m.get(keyOf(p)) ?? 0) + 1);
    return m;
  };
  const d = tally(dropped);
  const a = tally(advanced);
  const steps = new Map<string, string[]>();
  for (const p of dropped) steps.set(keyOf(p), [...p]);
  const top = [...d.keys()].sort((x, y) => d.get(y)! - d.get(x)! || (a.get(y) ?? 0) - (a.get(x) ?? 0) || (x < y ? -1 : x > y ? 1 : 0)).slice(0, TOP_PATHS);
  const share = (c: number, total: number): Share => ({ count: c, total, share: total === 0 ? null : c / total });
  const compared = dropped.length >= minUnits && advanced.length >= minUnits;
  const testable = (key: string) => key !== LEFT_THE_SITE;
  const tested = compared ? top.filter(testable).length : 0;
  const confidence = 1 - (1 - FAMILY_CONFIDENCE) / Math.max(1, tested);
  const row = (key: string, rowSteps: string[], isOther: boolean, dc: number, ac: number): PathRow => {
    const ds = share(dc, dropped.length);
    const as = share(ac, advanced.length);
    const diff = ds.share === null || as.share === null ? null : ds.share - as.share;
    const diffCi = diffWilsonInterval({ converted: ac, total: advanced.length }, { converted: dc, total: dropped.length }, confidence);
    let verdict: PathVerdict = "not-tested";
    if (!isOther && testable(key)) {
      if (!compared || diffCi === null) verdict = "too-few";
      else verdict = diffCi[0] > 0 ? "more" : diffCi[1] < 0 ? "less" : "neutral";
    }
    const r = { key, steps: rowSteps, isOther, dropped: ds, advanced: as, diff, diffCi, verdict };
    return { ...r, sentence: sentenceOf(r, ctx) };
  };
  const rows = top.map((k) => row(k, steps.get(k)!, false, d.get(k)!, a.get(k) ?? 0));
  const otherD = dropped.length - rows.reduce((s, r) => s + r.dropped.count, 0);
  const otherA = advanced.length - rows.reduce((s, r) => s + r.advanced.count, 0);
  if (otherD > 0 || otherA > 0) rows.push(row(OTHER_PATH, [], true, otherD, otherA));
  const standOut = rows.filter((r) => r.verdict === "more").sort((x, y) => y.diff! - x.diff! || x.key.localeCompare(y.key));
  return { rows, tested, confidence, standOut };
}

/** The comparison from the sampled units' paths (both tables, headline, small-numbers rule). */
export function comparePaths(
  input: {
    step: number;
    fromLabel: string;
    toLabel: string;
    unit: FunnelUnit;
    dropped: { total: number; rate: number; paths: readonly (readonly string[])[] };
    advanced: { total: number; rate: number; paths: readonly (readonly string[])[] };
    maxUnitsPerSide: number;
  },
  minUnits = MIN_UNITS_TO_COMPARE,
): StepPaths {
  const noun = input.unit === "visitor" ? "visitors" : "sessions";
  const ctx = { noun, fromLabel: input.fromLabel, toLabel: input.toLabel };
  const dp = input.dropped.paths;
  const ap = input.advanced.paths;
  const firstSteps = comparePathTable(
    dp.map((p) => [p[0]]),
    ap.map((p) => [p[0]]),
    { ...ctx, first: true },
    minUnits,
  );
  const paths = comparePathTable(dp, ap, { ...ctx, first: false }, minUnits);
  const tooFew = dp.length < minUnits || ap.length < minUnits;
  const leftAtOnce = dp.filter((x) => x.length === 1 && x[0] === LEFT_THE_SITE).length;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const lead = firstSteps.standOut[0] ?? null;
  let noClaimSentence: string | null = null;
  if (tooFew) {
    noClaimSentence = `Too few finished ${noun} to compare what they did next: ${count(dp.length)} dropped and ${count(ap.length)} went on (each side needs ${minUnits}).`;
  } else if (!lead && paths.standOut.length === 0) {
    noClaimSentence = `Nothing the ${noun} that dropped did next stands out against those that went on (${plural(firstSteps.tested, "next step", "next steps")} and ${plural(paths.tested, "path", "paths")} compared).`;
  }
  return {
    step: input.step,
    fromLabel: input.fromLabel,
    toLabel: input.toLabel,
    unit: input.unit,
    dropped: { total: input.dropped.total, sampled: dp.length, rate: input.dropped.rate },
    advanced: { total: input.advanced.total, sampled: ap.length, rate: input.advanced.rate },
    maxUnitsPerSide: input.maxUnitsPerSide,
    tooFew,
    minUnits,
    familyConfidence: FAMILY_CONFIDENCE,
    pathLength: PATH_LENGTH,
    leftAtOnce: { count: leftAtOnce, total: dp.length, share: dp.length === 0 ? null : leftAtOnce / dp.length },
    firstSteps,
    paths,
    headline: lead ? lead.sentence : (paths.standOut[0]?.sentence ?? null),
    noClaimSentence,
  };
}

/** Keeps each side's units whose visitor is in that side's sample. */
export function sampledPaths(units: readonly UnitPath[], rates: { dropped: number; advanced: number }) {
  const dropped: string[][] = [];
  const advanced: string[][] = [];
  for (const u of units) {
    if (!inSample(u.visitorId, rates[u.side])) continue;
    (u.side === "dropped" ? dropped : advanced).push(u.path);
  }
  return { dropped, advanced };
}

/**
 * The whole method over a set of events (the reference the service must equal): settled
 * units at `step`, each side sampled to about `maxUnitsPerSide` units by visitor hash,
 * then both tables.
 */
export function pathsAtStep(
  events: readonly CoreEvent[],
  def: FunnelDefinition,
  params: { from: number; to: number; now: number },
  step: number,
  options: { maxUnitsPerSide?: number; minUnits?: number } = {},
): StepPaths {
  const max = options.maxUnitsPerSide ?? DEFAULT_MAX_UNITS_PER_SIDE;
  const all = unitPathsAtStep(events, def, params, step);
  const rates = { dropped: sampleRate(all.dropped, max), advanced: sampleRate(all.advanced, max) };
  const s = sampledPaths(all.units, rates);
  return comparePaths(
    {
      step,
      fromLabel: def.steps[step - 2].label,
      toLabel: def.steps[step - 1].label,
      unit: def.unit,
      dropped: { total: all.dropped, rate: rates.dropped, paths: s.dropped },
      advanced: { total: all.advanced, rate: rates.advanced, paths: s.advanced },
      maxUnitsPerSide: max,
    },
    options.minUnits,
  );
}
