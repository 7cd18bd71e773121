/**
 * The units a step diagnosis scans, from the funnel's precomputed rows in one read (two
 * statements): single-day units grouped by every entry attribute at once, units with rows
 * on several days row by row, then each unit's result built in memory, so every dimension
 * and pair sees the same units. Same rows, same rules as the report's own read
 * (funnel-results/read.server.ts, without step times); call it only after a report of the
 * same range and `now` came from these rows (whole or partial: the rows as of the
 * refresher's progress).
 */
import {
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
import { bindQuery } from "../../db/query";
import diagnosisUnitGroups, { type DiagnosisGroupRow } from "../../db/queries/diagnosis-unit-groups";
import diagnosisUnitMulti, { type DiagnosisMultiRow } from "../../db/queries/diagnosis-unit-multi";

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
  // Could the unit still advance at `now`: the report read's rule.
  const bound = Math.floor(def.unit === "visitor" ? params.now - def.windowMs : params.now - SESSION_GAP_MS);
  const groupsQuery = bindQuery(diagnosisUnitGroups(shape), reads.dialect, { ...range, bound });
  const multiQuery = bindQuery(diagnosisUnitMulti(shape), reads.dialect, range);
  const [groups, multi] = await Promise.all([
    reads.query<DiagnosisGroupRow>(groupsQuery.text, ...groupsQuery.values),
    reads.query<DiagnosisMultiRow>(multiQuery.text, ...multiQuery.values),
  ]);
  const steps = def.steps.length;
  const rows: UnitDayRow[] = [];
  for (const g of groups) rows.push(...unitDayGroupRows(g, steps, attrsFromColumns(g), { productId: g.productId ?? null }));
  for (const r of multi) rows.push(unitDayMultiRow(r, attrsFromColumns(r), r.productId ?? null));
  return unitResultsFromUnitDays(rows, def, params.now);
}
