/**
 * "For whom is this step worst?" for the funnel report: the units' results at one step →
 * core/diagnosis (cells → singles and pairs → scanSegments) → a JSON-safe view with each
 * claim in plain words. Pure (the reads happen in funnel-report.server.ts, from the same
 * rows or events as the report).
 */
import { NONE_VALUE as NONE, type StepFigures, type UnitResult } from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import { cellsAtStep, entryCarriesProducts, segmentsFromCells, MAX_PAIRS, type DiagnosisDimension } from "../../core/diagnosis/cells";
import { BREAKDOWN_KEYS } from "../lib/funnel-query";
import { describeClaim, scanSegments, type SegmentClaim, type SegmentResult } from "../../core/diagnosis/segments";

/** Every entry attribute the precomputed results keep (the report's breakdowns): the dimensions a step is scanned over. */
export const DIAGNOSIS_DIMENSIONS = BREAKDOWN_KEYS;

/**
 * The dimensions scanned for `def`: every entry attribute, plus the entry's product when the
 * funnel's first step carries one and the units know it (`withProduct`: read from the
 * precomputed rows; the events path does not carry products).
 */
export function diagnosisDimensions(def: FunnelDefinition, withProduct: boolean): DiagnosisDimension[] {
  return [...DIAGNOSIS_DIMENSIONS, ...(withProduct && entryCarriesProducts(def) ? (["product"] as const) : [])];
}

/** Product titles the app knows: those the merchant picked in the funnel's product filters (the resource picker's titles). */
export function productTitles(def: FunnelDefinition): Map<string, string> {
  const titles = new Map<string, string>();
  for (const s of def.steps) for (const m of s.anyOf) for (const f of m.filters) if (f.field === "productId" && f.title) titles.set(f.value, f.title);
  return titles;
}

const DEVICES: Record<string, string> = { mobile: "Mobile", desktop: "Desktop", tablet: "Tablet" };

/**
 * A segment as a merchant reads it: "Mobile", "From instagram", "Medium cpc", "Landing page
 * /products/x", "Returning visitors", "Logged in", "Product “Linen Throw”" (else its id).
 */
export function segmentLabel(dimension: string, value: string, titles: ReadonlyMap<string, string> = new Map()): string {
  switch (dimension) {
    case "device":
      return DEVICES[value] ?? (value === NONE ? "Unknown device" : `Device ${value}`);
    case "source":
      return value === "direct" || value === NONE ? "Direct visits (no referrer)" : `From ${value}`;
    case "medium":
      return value === NONE ? "No UTM medium" : `Medium ${value}`;
    case "product": {
      if (value === NONE) return "No product";
      const title = titles.get(value);
      return title ? `Product “${title}”` : `Product ${value}`;
    }
    case "campaign":
      return value === NONE ? "No campaign" : `Campaign “${value}”`;
    case "landingPath":
      return value === NONE ? "Unknown landing page" : `Landing page ${value}`;
    case "visitorType":
      return value === "returning" ? "Returning visitors" : "New visitors";
    case "loggedIn":
      return value === "true" ? "Logged in" : "Not logged in";
    default:
      return `${dimension}: ${value}`;
  }
}

/** A pair as one phrase: "Mobile, from instagram". */
function pairLabel(dims: readonly string[], values: readonly string[], titles: ReadonlyMap<string, string>): string {
  const [a, b] = dims.map((d, i) => segmentLabel(d, values[i], titles));
  return `${a}, ${b.charAt(0).toLowerCase()}${b.slice(1)}`;
}

function labelOf(s: Pick<SegmentResult, "dimension" | "value" | "pair">, titles: ReadonlyMap<string, string>): string {
  return s.pair ? pairLabel(s.pair.dimensions, s.pair.values, titles) : segmentLabel(s.dimension, s.value, titles);
}

export type DiagnosisClaim = SegmentClaim & { label: string; sentence: string };
export type DiagnosisSegment = SegmentResult & { label: string };

/** The segment scan of one step transition (k−1 → k), as the report JSON carries it. */
export interface StepDiagnosis {
  /** k ≥ 2: units settled at step k−1, and those of them that never reached k. */
  step: number;
  fromLabel: string;
  toLabel: string;
  /** The step is the report's biggest leak (the default), not one the merchant picked. */
  isBiggestLeak: boolean;
  /** Overall settled units and drop-offs at the step. */
  settled: number;
  dropOff: number;
  dimensions: DiagnosisDimension[];
  /** Segments compared (≥ minUnits settled units on both sides), singles and pairs. */
  tested: number;
  /** Of them, pairs of two dimensions' values. */
  pairsTested: number;
  /** Pairs big enough to test but left out by the cap (maxPairs, the largest are kept). */
  pairsOverCap: number;
  maxPairs: number;
  /** Segments left out: fewer than minUnits settled units on one side. */
  tooSmall: number;
  /** Significantly worse than everyone else, largest difference first. */
  worse: DiagnosisClaim[];
  better: DiagnosisClaim[];
  /** Set only when nothing is significant: the smallest difference (fraction) the data could have shown. */
  minDetectableDiff: number | null;
  /** "No group of visitors stands out (…)" when there is no claim, else null. */
  noClaimSentence: string | null;
  /** Every segment, tested or not (the CSV table). */
  segments: DiagnosisSegment[];
  q: number;
  minUnits: number;
}

/** Percentage points, rounded up: "could have shown a difference of X pp or more" must not overstate the power. */
const ppUp = (x: number) => Math.ceil(x * 100);

/**
 * Scans `step` over the units' `dimensions`, singles and pairs (the units of the report's
 * range and `now`). `steps` are the overall report's figures.
 */
export function diagnoseStep(
  steps: readonly StepFigures[],
  step: number,
  isBiggestLeak: boolean,
  units: Iterable<UnitResult>,
  dimensions: readonly DiagnosisDimension[],
  titles: ReadonlyMap<string, string> = new Map(),
): StepDiagnosis {
  const at = steps[step - 1];
  const overall = { settled: at.settled ?? 0, dropped: at.dropOff ?? 0 };
  const found = segmentsFromCells(dimensions, cellsAtStep(units, step, dimensions));
  const scan = scanSegments(found.total, [...found.singles, ...found.pairs]);
  const claim = (c: SegmentClaim): DiagnosisClaim => {
    const label = labelOf(c, titles);
    return { ...c, label, sentence: describeClaim(c, label) };
  };
  const worse = scan.worse.map(claim);
  const better = scan.better.map(claim);
  const none = worse.length === 0 && better.length === 0;
  let noClaimSentence: string | null = null;
  if (none) {
    noClaimSentence =
      scan.tested === 0
        ? `No group of visitors could be compared yet: each needs ${scan.minUnits} finished units on both sides (${scan.tooSmall} too small).`
        : `No group of visitors stands out (${scan.tested} segment${scan.tested === 1 ? "" : "s"} tested${scan.pairsTested > 0 ? `, ${scan.pairsTested} of them pairs` : ""}; the data could have shown a difference of ${ppUp(scan.minDetectableDiff ?? 1)} pp or more).`;
  }
  return {
    step,
    fromLabel: steps[step - 2].label,
    toLabel: at.label,
    isBiggestLeak,
    settled: overall.settled,
    dropOff: overall.dropped,
    dimensions: [...dimensions],
    tested: scan.tested,
    pairsTested: scan.pairsTested,
    pairsOverCap: found.pairsOverCap,
    maxPairs: MAX_PAIRS,
    tooSmall: scan.tooSmall,
    worse,
    better,
    minDetectableDiff: none ? scan.minDetectableDiff : null,
    noClaimSentence,
    segments: scan.segments.map((s) => ({ ...s, label: labelOf(s, titles) })),
    q: scan.q,
    minUnits: scan.minUnits,
  };
}
