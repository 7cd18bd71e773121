/**
 * The units a step diagnosis scans, from the funnel's precomputed rows: units with rows on
 * several days row by row (and, for a product funnel, the units per product, which rank the
 * products kept apart), then single-day units grouped by every entry attribute at once;
 * each unit's result built in memory, so every dimension and pair sees the same units.
 * Products outside the top values read as FOLDED_VALUE (the scan tests top values only).
 * Same rows, same rules as the report's own read
 * (funnel-results/read.server.ts, without step times); call it only after a report of the
 * same range and `now` came from these rows (whole or partial: the rows as of the
 * refresher's progress).
 */
import {
  NONE_VALUE,
  localDayNumber,
  unitDayGroupRows,
  unitDayMultiRow,
  unitResultsFromUnitDays,
  type FunnelParams,
  type UnitDayRow,
  type UnitResult,
} from "../../core/funnel";
import { attrsFromColumns } from "../../core/funnel/breakdown-attrs";
import type { FunnelDefinition } from "../../core/types";
import { SESSION_GAP_MS } from "../../core/types";
import type { SqlReader } from "../../db/executor";
import { readRows } from "../../db/query";
import { listParams } from "../../db/sql";
import { FOLDED_VALUE, topValuesOf } from "../../core/diagnosis/cells";
import diagnosisProductUnits from "../../db/queries/diagnosis-product-units";
import diagnosisUnitGroups, { KEPT_PRODUCTS } from "../../db/queries/diagnosis-unit-groups";
import diagnosisUnitMulti from "../../db/queries/diagnosis-unit-multi";

/** Every unit entering over [params.from, params.to) (whole local days of params.timeZone), as of params.now; `product`: read the entry's product too. */
export async function unitDayUnits(
  reads: SqlReader,
  shopId: number,
  funnelId: string,
  def: FunnelDefinition,
  params: Pick<FunnelParams, "from" | "to" | "now" | "timeZone">,
  opts: { product: boolean },
): Promise<UnitResult[]> {
  const shape = { unit: def.unit, steps: def.steps.length, product: opts.product };
  const range = { shopId, funnelId, fromDay: localDayNumber(params.from, params.timeZone), toDay: localDayNumber(params.to, params.timeZone) };
  const [multiRows, productUnits] = await Promise.all([
    readRows(reads, diagnosisUnitMulti(shape), range),
    opts.product ? readRows(reads, diagnosisProductUnits(shape.steps), range) : Promise.resolve([]),
  ]);
  const multi = unitResultsFromUnitDays(
    multiRows.map((r) => unitDayMultiRow(r, attrsFromColumns(r), r.productId ?? null)),
    def,
    params.now,
  );
  // The products kept apart: the top values by units, as the scan ranks them; the rest fold.
  let kept: Set<string> | null = null;
  if (opts.product) {
    const units = new Map<string, number>();
    const add = (productId: string | null, n: number) => units.set(productId ?? NONE_VALUE, (units.get(productId ?? NONE_VALUE) ?? 0) + n);
    for (const p of productUnits) add(p.productId, Number(p.n));
    for (const u of multi) add(u.entry.productId, u.count ?? 1);
    kept = new Set(topValuesOf(units, KEPT_PRODUCTS).filter((v) => v !== NONE_VALUE));
  }
  // Could the unit still advance at `now`: the report read's rule.
  const bound = Math.floor(def.unit === "visitor" ? params.now - def.windowMs : params.now - SESSION_GAP_MS);
  // Exactly KEPT_PRODUCTS parameters, padded with nulls (which match no product).
  const keep = kept ? { ...listParams("keep", [...kept, ...Array<null>(KEPT_PRODUCTS - kept.size).fill(null)]), folded: FOLDED_VALUE } : {};
  const groups = await readRows(reads, diagnosisUnitGroups(shape), { ...range, bound, ...keep });
  const steps = def.steps.length;
  const rows: UnitDayRow[] = [];
  for (const g of groups) rows.push(...unitDayGroupRows(g, steps, attrsFromColumns(g), { productId: g.productId ?? null }));
  const results = unitResultsFromUnitDays(rows, def, params.now);
  for (const u of multi) {
    const p = u.entry.productId;
    results.push(kept && p !== null && !kept.has(p) ? { ...u, entry: { ...u.entry, productId: FOLDED_VALUE } } : u);
  }
  return results;
}
