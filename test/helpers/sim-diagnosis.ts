/**
 * The diagnosis run in memory on simulated traffic: the Purchase funnel's units from the
 * pure engine, every segment scanned at a step as the report scans them
 * (cellsAtStep → segmentsFromCells → scanSegments: singles and pairs, plus the product of
 * the unit's entry), and the step
 * alarm (watchStep) over hourly or daily buckets with their baseline: the same slot of
 * the same weekday over the previous 4 weeks.
 */
import { cellsAtStep, segmentsFromCells, type DiagnosisDimension } from "../../core/diagnosis/cells";
import { scanSegments, type SegmentScan } from "../../core/diagnosis/segments";
import { watchStep, type WatchBucket, type WatchResult } from "../../core/diagnosis/watch";
import { computeUnitResults, reportFromUnitResults, type UnitResult } from "../../core/funnel/engine";
import type { BreakdownKey, CoreEvent, FunnelDefinition } from "../../core/types";
import { DIAGNOSIS_DIMENSIONS } from "../../app/services/diagnosis.server";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The shop's main funnel (app/services/funnels.server.ts template "purchase"). */
export const PURCHASE: FunnelDefinition = {
  unit: "session",
  windowMs: 0,
  steps: [
    { label: "Viewed a product", anyOf: [{ event: "product_viewed", filters: [] }] },
    { label: "Added to cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
    { label: "Started checkout", anyOf: [{ event: "checkout_started", filters: [] }] },
    { label: "Purchased", anyOf: [{ event: "checkout_completed", filters: [] }] },
  ],
};

/** The report's scanned dimensions, in its order. */
export const REPORT_DIMENSIONS: readonly BreakdownKey[] = DIAGNOSIS_DIMENSIONS;

/** Units entering in [from, to) as the engine sees them at `now` (later events are not known yet). */
export function unitsAt(events: readonly CoreEvent[], range: { from: number; to: number; now: number }): UnitResult[] {
  const known = events.filter((e) => e.ts < range.now);
  return computeUnitResults(known, PURCHASE, { ...range, timeZone: "UTC" });
}

/**
 * Every segment at `step` (k ≥ 2) scanned against the rest, over the report's dimensions
 * plus `product` (the product of the unit's first product view) when asked.
 */
export function scanAt(units: readonly UnitResult[], step: number, opts: { product?: boolean } = {}): SegmentScan {
  const dims: DiagnosisDimension[] = [...REPORT_DIMENSIONS, ...(opts.product ? (["product"] as const) : [])];
  const found = segmentsFromCells(dims, cellsAtStep(units, step, dims));
  return scanSegments(found.total, [...found.singles, ...found.pairs]);
}

/** The step the report diagnoses by default: its biggest leak, or null when it names none. */
export function biggestLeakStep(units: readonly UnitResult[]): number | null {
  const params = { from: 0, to: Number.MAX_SAFE_INTEGER, now: Number.MAX_SAFE_INTEGER, timeZone: "UTC" };
  return reportFromUnitResults(units, PURCHASE, params).biggestLeak?.step ?? null;
}

/** k ≥ 2: units settled at k−1 (reached it, not still in progress there) and those that reached k. */
function outcomeAt(u: UnitResult, step: number): { settled: number; converted: number } {
  if (u.furthest < step - 1 || (u.furthest === step - 1 && u.inProgress)) return { settled: 0, converted: 0 };
  return { settled: 1, converted: u.furthest >= step ? 1 : 0 };
}

export type Granularity = "hour" | "day";

/**
 * The alarm's buckets for one step and segment at check time `now`: the last `count`
 * whole hours (or UTC days), the one holding `now` last, each with the same slot of the
 * same weekday over the previous 4 weeks as its baseline. `units` must cover 5 weeks.
 */
export function watchBuckets(
  units: readonly UnitResult[],
  step: number,
  now: number,
  granularity: Granularity,
  segment: (u: UnitResult) => boolean,
  count = 8,
): WatchBucket[] {
  const size = granularity === "hour" ? HOUR : DAY;
  const current = Math.floor(now / size) * size;
  const starts = Array.from({ length: count }, (_, i) => current - (count - 1 - i) * size);
  const slots = new Map<number, { settled: number; converted: number }>();
  for (const u of units) {
    if (!segment(u)) continue;
    const o = outcomeAt(u, step);
    if (o.settled === 0) continue;
    const slot = Math.floor(u.entry.ts / size) * size;
    const acc = slots.get(slot) ?? { settled: 0, converted: 0 };
    acc.settled += o.settled;
    acc.converted += o.converted;
    slots.set(slot, acc);
  }
  return starts.map((start) => {
    const recent = slots.get(start) ?? { settled: 0, converted: 0 };
    const baseline = { settled: 0, converted: 0 };
    for (let w = 1; w <= 4; w++) {
      const b = slots.get(start - w * 7 * DAY);
      if (b) {
        baseline.settled += b.settled;
        baseline.converted += b.converted;
      }
    }
    return { start, ...recent, baseline };
  });
}

export const DEVICES = ["mobile", "desktop", "tablet"] as const;

export interface Alarm {
  step: number;
  /** "overall" or the device. */
  segment: string;
  result: WatchResult;
  buckets?: WatchBucket[];
}

/**
 * One check of every step transition, overall and per device (issue 22's alarm): every
 * series' result, alarm or not.
 */
export function checkAllSeries(units: readonly UnitResult[], now: number, granularity: Granularity): Alarm[] {
  const out: Alarm[] = [];
  for (let step = 2; step <= PURCHASE.steps.length; step++) {
    for (const segment of ["overall", ...DEVICES]) {
      const filter = segment === "overall" ? () => true : (u: UnitResult) => u.entry.attrs.device === segment;
      const buckets = watchBuckets(units, step, now, granularity, filter);
      out.push({ step, segment, result: watchStep(buckets), buckets });
    }
  }
  return out;
}

/** The series that alarm at this check. */
export function checkAll(units: readonly UnitResult[], now: number, granularity: Granularity): Alarm[] {
  return checkAllSeries(units, now, granularity).filter((a) => a.result.alarm);
}

/**
 * What an alert would say: the step of the most extreme alarm, and for whom — the device
 * that lost the most conversions against its own baseline since the alarm's change point
 * (overall often has the units to alarm before any one device does), else everyone.
 */
export function leadingAlarm(series: readonly Alarm[]): Alarm | null {
  const alarms = series.filter((a) => a.result.alarm);
  if (alarms.length === 0) return null;
  const lead = alarms.reduce((best, a) => (a.result.alarm!.pValue < best.result.alarm!.pValue ? a : best));
  const since = lead.result.alarm!.since;
  const shortfall = (a: Alarm) =>
    (a.buckets ?? [])
      .filter((b) => b.start >= since && b.baseline.settled > 0)
      .reduce((sum, b) => sum + (b.settled * b.baseline.converted) / b.baseline.settled - b.converted, 0);
  const devices = series.filter((a) => a.step === lead.step && a.segment !== "overall");
  const who = devices.reduce<Alarm | null>((best, a) => (shortfall(a) > 0 && (best === null || shortfall(a) > shortfall(best)) ? a : best), null);
  return { step: lead.step, segment: who?.segment ?? "overall", result: lead.result };
}

/** Checks per run: step transitions × (overall + devices). */
export const CHECKS_PER_RUN = (PURCHASE.steps.length - 1) * (1 + DEVICES.length);
