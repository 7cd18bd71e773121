/**
 * The breakdowns a step diagnosis scans, from the funnel's precomputed rows in one read:
 * grouped by every entry attribute at once instead of one report per attribute (six reads),
 * then each breakdown built in memory from the same rows, so all six see the same units.
 * Same rows, same rules as the report's own read (funnel-results/read.server.ts readRows,
 * without step times); call it only after a report of the same range and `now` came from
 * these rows (whole or partial: the rows as of the refresher's progress).
 */
import { localDayNumber, reportFromUnitDays, groupRows, type Breakdown, type FunnelParams, type UnitDayRow } from "../../core/funnel";
import type { BreakdownKey, EntryAttributes, FunnelDefinition } from "../../core/types";
import { SESSION_GAP_MS } from "../../core/types";
import type { SqlReader } from "../../db/executor";
import type { DbDialect } from "../../db/prisma";

type Num = number | bigint;
type Attrs = {
  device: string | null;
  source: string | null;
  campaign: string | null;
  landingPath: string | null;
  visitorType: string | null;
  loggedIn: boolean | number | bigint | null;
};
type RawGroup = Attrs & { ts: Num; furthest: Num; ipn: Num; n: Num };
type RawRow = Attrs & { unitId: string; day: Num; entryTs: Num; furthest: Num; latestStartTs: Num; lastTs: Num };

const ATTRS = `"device", "source", "campaign", "landingPath", "visitorType", "loggedIn"`;

/** The two statements, for shop $1, funnel $2 and local days [$3, $4). */
export function diagnosisReadsSql(dialect: DbDialect, def: FunnelDefinition, now: number) {
  const [no, yes] = dialect === "sqlite" ? ["0", "1"] : ["false", "true"];
  // Could the unit still advance at `now`: the report read's rule (a number, inlined there too).
  const bound = Math.floor(def.unit === "visitor" ? now - def.windowMs : now - SESSION_GAP_MS);
  const ipn = `SUM(CASE WHEN ${def.unit === "visitor" ? `"latestStartTs"` : `"lastTs"`} > ${bound} THEN 1 ELSE 0 END) AS ipn`;
  const steps = def.steps.map((_, i) => i + 1).join(", ");
  const range = `"shopId" = $1 AND "funnelId" = $2 AND "day" >= $3 AND "day" < $4`;
  return {
    // Not per day: without a trend or step times a breakdown reads only furthest steps,
    // in-progress counts and attributes, so far fewer groups.
    groups: `SELECT "furthest", MIN("entryTs") AS ts, ${ATTRS}, ${ipn}, COUNT(*) AS n FROM "FunnelUnitDay"
       WHERE ${range} AND "multi" = ${no} AND "furthest" IN (${steps}) GROUP BY "furthest", ${ATTRS}`,
    multi: `SELECT "unitId", "day", "entryTs", "furthest", "latestStartTs", "lastTs", ${ATTRS} FROM "FunnelUnitDay"
       WHERE ${range} AND "multi" = ${yes} AND "furthest" IN (${steps})`,
  };
}

const attrsOf = (r: Attrs): EntryAttributes => ({
  device: (r.device as EntryAttributes["device"]) ?? null,
  source: r.source ?? "direct",
  campaign: r.campaign ?? null,
  landingPath: r.landingPath ?? null,
  visitorType: r.visitorType === "returning" ? "returning" : "new",
  loggedIn: Boolean(Number(r.loggedIn)),
});

/** One breakdown per key over [params.from, params.to), whole local days of params.timeZone. */
export async function unitDayBreakdowns(
  reads: SqlReader,
  dialect: DbDialect,
  shopId: number,
  funnelId: string,
  def: FunnelDefinition,
  params: Pick<FunnelParams, "from" | "to" | "now" | "timeZone">,
  keys: readonly BreakdownKey[],
): Promise<Breakdown[]> {
  const sql = diagnosisReadsSql(dialect, def, params.now);
  const args = [shopId, funnelId, localDayNumber(params.from, params.timeZone), localDayNumber(params.to, params.timeZone)] as const;
  const [groups, multi] = await Promise.all([reads.query<RawGroup>(sql.groups, ...args), reads.query<RawRow>(sql.multi, ...args)]);
  const steps = def.steps.length;
  const rows: UnitDayRow[] = [];
  for (const g of groups) {
    const furthest = Number(g.furthest);
    const row = { unitId: "", day: 0, entryTs: Number(g.ts), furthest, msFromPrev: [], latestStartTs: 0, lastTs: 0, multi: false, attrs: attrsOf(g) };
    // A completed unit is never in progress.
    rows.push(...groupRows(row, Number(g.n), furthest < steps ? Number(g.ipn) : 0));
  }
  for (const r of multi) {
    rows.push({
      unitId: r.unitId,
      day: Number(r.day),
      entryTs: Number(r.entryTs),
      furthest: Number(r.furthest),
      msFromPrev: [],
      latestStartTs: Number(r.latestStartTs),
      lastTs: Number(r.lastTs),
      multi: true,
      attrs: attrsOf(r),
    });
  }
  return keys.map((key) => reportFromUnitDays(rows, def, { ...params, breakdown: key, stepTimes: false }).breakdown!);
}
