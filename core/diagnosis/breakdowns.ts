/**
 * The segments a step is scanned over, from the report's own breakdowns (one per entry
 * attribute the app keeps). Pure: breakdown figures in, segment counts out.
 */
import type { Breakdown } from "../funnel/report";
import type { SegmentCounts } from "./segments";

/**
 * Each breakdown group's settled units and drop-offs at `step` (k ≥ 2: units settled at
 * k−1, and those of them that never reached k), against the rest of its own breakdown.
 *
 * - "(other)" (every value beyond a breakdown's top 10) is a mix, not a segment: left out,
 *   though its units stay in the others' rest.
 * - A breakdown with exactly two groups tests one question twice (each is the other's
 *   rest, same p-value): only the group that drops more is kept, so the claim reads as
 *   where the step is worse and the FDR count is not inflated.
 */
export function segmentsAtStep(breakdowns: readonly Breakdown[], step: number): SegmentCounts[] {
  const out: SegmentCounts[] = [];
  for (const b of breakdowns) {
    const at = b.groups.map((g) => {
      const s = g.steps[step - 1];
      return { group: g, settled: s?.settled ?? 0, dropped: s?.dropOff ?? 0 };
    });
    const total = at.reduce((acc, x) => ({ settled: acc.settled + x.settled, dropped: acc.dropped + x.dropped }), { settled: 0, dropped: 0 });
    let kept = at.filter((x) => !x.group.isOther);
    if (at.length === 2 && kept.length === 2) {
      const rate = (x: (typeof at)[number]) => (x.settled === 0 ? -1 : x.dropped / x.settled);
      kept = [rate(kept[1]) > rate(kept[0]) ? kept[1] : kept[0]];
    }
    for (const x of kept) {
      out.push({
        dimension: b.key,
        value: x.group.value,
        settled: x.settled,
        dropped: x.dropped,
        rest: { settled: total.settled - x.settled, dropped: total.dropped - x.dropped },
      });
    }
  }
  return out;
}
