/**
 * "For whom is this step worst?" for the funnel report: the report's breakdowns at one
 * step → core/diagnosis scanSegments → a JSON-safe view with each claim in plain words.
 * Pure (the reads happen in funnel-report.server.ts, through the same path as every
 * report figure).
 */
import { NONE_VALUE as NONE, type Breakdown, type StepFigures } from "../../core/funnel";
import type { BreakdownKey } from "../../core/types";
import { segmentsAtStep } from "../../core/diagnosis/breakdowns";
import { describeClaim, scanSegments, type SegmentClaim, type SegmentResult } from "../../core/diagnosis/segments";

/** Every entry attribute the precomputed results keep: the dimensions a step is scanned over. */
export const DIAGNOSIS_DIMENSIONS = ["device", "source", "campaign", "landingPath", "visitorType", "loggedIn"] as const satisfies readonly BreakdownKey[];

const DEVICES: Record<string, string> = { mobile: "Mobile", desktop: "Desktop", tablet: "Tablet" };

/** A segment as a merchant reads it: "Mobile", "From instagram", "Landing page /products/x", "Returning visitors", "Logged in". */
export function segmentLabel(dimension: string, value: string): string {
  switch (dimension) {
    case "device":
      return DEVICES[value] ?? (value === NONE ? "Unknown device" : `Device ${value}`);
    case "source":
      return value === "direct" || value === NONE ? "Direct visits (no referrer)" : `From ${value}`;
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
  dimensions: BreakdownKey[];
  /** Segments compared (≥ minUnits settled units on both sides). */
  tested: number;
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
 * Scans `step` over the breakdowns (one per dimension, all from the same range and now).
 * `steps` are the overall report's figures.
 */
export function diagnoseStep(steps: readonly StepFigures[], step: number, isBiggestLeak: boolean, breakdowns: readonly Breakdown[]): StepDiagnosis {
  const at = steps[step - 1];
  const overall = { settled: at.settled ?? 0, dropped: at.dropOff ?? 0 };
  const scan = scanSegments(overall, segmentsAtStep(breakdowns, step));
  const claim = (c: SegmentClaim): DiagnosisClaim => {
    const label = segmentLabel(c.dimension, c.value);
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
        : `No group of visitors stands out (${scan.tested} segment${scan.tested === 1 ? "" : "s"} tested; the data could have shown a difference of ${ppUp(scan.minDetectableDiff ?? 1)} pp or more).`;
  }
  return {
    step,
    fromLabel: steps[step - 2].label,
    toLabel: at.label,
    isBiggestLeak,
    settled: overall.settled,
    dropOff: overall.dropped,
    dimensions: breakdowns.map((b) => b.key),
    tested: scan.tested,
    tooSmall: scan.tooSmall,
    worse,
    better,
    minDetectableDiff: none ? scan.minDetectableDiff : null,
    noClaimSentence,
    segments: scan.segments.map((s) => ({ ...s, label: segmentLabel(s.dimension, s.value) })),
    q: scan.q,
    minUnits: scan.minUnits,
  };
}
