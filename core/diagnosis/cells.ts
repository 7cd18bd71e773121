/**
 * The segments a step is scanned over — single values of each dimension and pairs of
 * values of two dimensions — from the units themselves (docs/diagnosis.md). Pure: unit
 * results in, segment counts out; scanSegments (segments.ts) tests them.
 *
 * Each unit is counted once per combination of its dimension values ("cells"); singles
 * and pairs are sums of cells, so every segment and its rest come from the same units.
 */
import { BREAKDOWN_TOP_VALUES, NONE_VALUE, breakdownValue, type UnitResult } from "../funnel/engine";
import type { BreakdownKey, FunnelDefinition } from "../types";
import type { ParentCounts, SegmentCounts } from "./segments";

/** Every entry attribute the app keeps, plus the entry's product for product funnels. */
export type DiagnosisDimension = BreakdownKey | "product";

/** Pairs tested at most per scan: the largest (most settled units) first. */
export const MAX_PAIRS = 200;

/**
 * Stands for the values of a dimension that a read folded together because none of them
 * can be among its top values (diagnosis-reads.server.ts folds products so): never ranked,
 * never a segment. Stored product ids are numeric, so no real value is this.
 */
export const FOLDED_VALUE = "(folded)";

/**
 * A dimension's top values, as the report's breakdowns rank them: most units first, ties
 * by value; FOLDED_VALUE never ranks.
 */
export function topValuesOf(units: ReadonlyMap<string, number>, top: number = BREAKDOWN_TOP_VALUES): string[] {
  return [...units]
    .filter(([v]) => v !== FOLDED_VALUE)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, top)
    .map(([v]) => v);
}

/** Units of one combination of dimension values at the step. */
export interface SegmentCell {
  /** One value per dimension, in the dimensions' order. */
  values: string[];
  /** Units that reached step 1 (ranks values as the report's breakdowns do). */
  units: number;
  settled: number;
  dropped: number;
}

/** Events whose `productId` is the product the visitor looked at or put in the cart. */
const PRODUCT_EVENTS = new Set(["product_viewed", "product_added_to_cart", "product_removed_from_cart"]);

/** The funnel's entry step carries a product: a product event, or any alternative filtered on a product. */
export function entryCarriesProducts(def: FunnelDefinition): boolean {
  return (def.steps[0]?.anyOf ?? []).some((m) => PRODUCT_EVENTS.has(m.event) || m.filters.some((f) => f.field === "productId"));
}

/** The unit's value of one dimension as text ("(none)" for null). */
export function dimensionValue(u: UnitResult, d: DiagnosisDimension): string {
  return d === "product" ? (u.entry.productId ?? NONE_VALUE) : breakdownValue(u.entry, d);
}

/**
 * k ≥ 2: one cell per unit result (a result of grouped rows stands for `count` units):
 * its dimension values, units (reached step 1), settled at k−1 (reached it and no longer in
 * progress there, semantics v2) and dropped (of those, never reached k). Cells need not be
 * distinct combinations: segmentsFromCells sums them.
 */
export function cellsAtStep(units: Iterable<UnitResult>, step: number, dimensions: readonly DiagnosisDimension[]): SegmentCell[] {
  const cells: SegmentCell[] = [];
  for (const u of units) {
    const n = u.count ?? 1;
    const reached = u.furthest >= step - 1 && !(u.furthest === step - 1 && u.inProgress);
    cells.push({
      values: dimensions.map((d) => dimensionValue(u, d)),
      units: n,
      settled: reached ? n : 0,
      dropped: reached && u.furthest === step - 1 ? n : 0,
    });
  }
  return cells;
}

type Tally = { units: number; settled: number; dropped: number };

export interface SegmentsFromCells {
  /** Every single value to test (or report as too small), dimension by dimension. */
  singles: SegmentCounts[];
  /** Pairs to test: both sides ≥ minUnits settled, at most maxPairs, largest first. */
  pairs: SegmentCounts[];
  /** Pairs that were eligible but beyond the cap (not tested). */
  pairsOverCap: number;
  /** Overall settled and dropped units (sum of the cells). */
  total: { settled: number; dropped: number };
}

/**
 * Singles as the report's breakdowns show them: per dimension its top 10 values by units
 * ("(other)", the mix of the rest, is not a segment; nor is FOLDED_VALUE); a dimension with exactly two values
 * asks one question twice, so only the value that drops more is kept.
 * Pairs: for every two dimensions, every pair of their top values whose cell and rest both
 * have ≥ `minUnits` settled units, except a pair with as many settled units as one of its
 * parents (the same units: it restates that single). The `maxPairs` largest are kept.
 */
export function segmentsFromCells(
  dimensions: readonly string[],
  cells: readonly SegmentCell[],
  opts: { minUnits?: number; maxPairs?: number; topValues?: number } = {},
): SegmentsFromCells {
  const minUnits = opts.minUnits ?? 30;
  const maxPairs = opts.maxPairs ?? MAX_PAIRS;
  const top = opts.topValues ?? BREAKDOWN_TOP_VALUES;
  const total = { settled: 0, dropped: 0 };
  for (const c of cells) {
    total.settled += c.settled;
    total.dropped += c.dropped;
  }
  const restOf = (t: Tally) => ({ settled: total.settled - t.settled, dropped: total.dropped - t.dropped });
  // Each cell's value per dimension as a small number (its index among the dimension's
  // values), so that singles and pairs add up in numeric tables, not maps of strings.
  const ids = dimensions.map(() => new Int32Array(cells.length));
  const byValue = dimensions.map((_, i) => {
    const index = new Map<string, number>();
    const tallies: (Tally & { value: string })[] = [];
    for (let k = 0; k < cells.length; k++) {
      const c = cells[k];
      const v = c.values[i];
      let id = index.get(v);
      if (id === undefined) {
        id = tallies.push({ value: v, units: 0, settled: 0, dropped: 0 }) - 1;
        index.set(v, id);
      }
      ids[i][k] = id;
      const t = tallies[id];
      t.units += c.units;
      t.settled += c.settled;
      t.dropped += c.dropped;
    }
    return new Map(tallies.map((t) => [t.value, t]));
  });
  const topValues = byValue.map((m) => topValuesOf(new Map([...m].map(([v, t]) => [v, t.units])), top));

  const singles: SegmentCounts[] = [];
  dimensions.forEach((dimension, i) => {
    let kept = topValues[i];
    if (byValue[i].size - (byValue[i].has(FOLDED_VALUE) ? 1 : 0) === 2) {
      const rate = (v: string) => {
        const t = byValue[i].get(v)!;
        return t.settled === 0 ? -1 : t.dropped / t.settled;
      };
      kept = [rate(kept[1]) > rate(kept[0]) ? kept[1] : kept[0]];
    }
    for (const value of kept) {
      const t = byValue[i].get(value)!;
      singles.push({ dimension, value, settled: t.settled, dropped: t.dropped, rest: restOf(t) });
    }
  });

  const parent = (i: number, v: string): ParentCounts => {
    const t = byValue[i].get(v)!;
    return { settled: t.settled, dropped: t.dropped };
  };
  const eligible: (SegmentCounts & { order: number })[] = [];
  // Each cell's value as its rank among the dimension's top values (−1 beyond them): the
  // pairs then add up in small numeric tables, one pass over the cells per two dimensions.
  const cellSettled = new Float64Array(cells.length);
  const cellDropped = new Float64Array(cells.length);
  for (let c = 0; c < cells.length; c++) {
    cellSettled[c] = cells[c].settled;
    cellDropped[c] = cells[c].dropped;
  }
  const ranks = topValues.map((vs, i) => {
    const rankOf = new Map(vs.map((v, k) => [v, k]));
    const byId = Int32Array.from(byValue[i].keys(), (v) => rankOf.get(v) ?? -1);
    const own = ids[i];
    const out = new Int32Array(own.length);
    for (let c = 0; c < own.length; c++) out[c] = byId[own[c]];
    return out;
  });
  for (let i = 0; i < dimensions.length; i++) {
    for (let j = i + 1; j < dimensions.length; j++) {
      const width = topValues[j].length;
      const settled = new Float64Array(topValues[i].length * width);
      const dropped = new Float64Array(settled.length);
      const ri = ranks[i];
      const rj = ranks[j];
      for (let c = 0; c < cellSettled.length; c++) {
        const a = ri[c];
        const b = rj[c];
        if (a < 0 || b < 0) continue;
        settled[a * width + b] += cellSettled[c];
        dropped[a * width + b] += cellDropped[c];
      }
      for (let k = 0; k < settled.length; k++) {
        const t = { units: 0, settled: settled[k], dropped: dropped[k] };
        const rest = restOf(t);
        if (t.settled < minUnits || rest.settled < minUnits) continue;
        const [a, b] = [topValues[i][Math.floor(k / width)], topValues[j][k % width]];
        const parents = [parent(i, a), parent(j, b)] as const;
        if (parents.some((p) => p.settled === t.settled)) continue;
        eligible.push({
          order: i * dimensions.length + j,
          dimension: `${dimensions[i]} × ${dimensions[j]}`,
          value: `${a} × ${b}`,
          settled: t.settled,
          dropped: t.dropped,
          rest,
          pair: { dimensions: [dimensions[i], dimensions[j]], values: [a, b], parents },
        });
      }
    }
  }
  // Largest first; ties in the dimensions' order (device × source before device × campaign), then by value.
  eligible.sort((x, y) => y.settled - x.settled || x.order - y.order || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
  const pairs = eligible.slice(0, maxPairs).map(({ order: _order, ...p }) => p);
  return { singles, pairs, pairsOverCap: Math.max(0, eligible.length - maxPairs), total };
}
