/**
 * "What did they do instead?" for the funnel report: reads the events of a sample of the
 * visitors behind a step's settled units, then core/diagnosis/paths (the same function a
 * test runs over every event: `pathsAtStep`).
 *
 * Bounded: each side (dropped, went on) is read at rate min(1, maxUnits / side total),
 * decided per visitor by a hash of its id, so about maxUnits units per side are read
 * whatever the shop's size. The side totals are the report's own figures (dropOff[k],
 * count[k]); the units of the visitors read are decided by the same engine rules, so the
 * sample is exactly the units `pathsAtStep` would keep over all events.
 *
 * Raw SQL lives in `pathReadsSql` alone (to move into db/queries with the other reads).
 */
import { comparePaths, DEFAULT_MAX_UNITS_PER_SIDE, inSample, sampledPaths, sampleRate, unitPathsAtStep, type StepPaths } from "../../core/diagnosis/paths";
import { localDayNumber } from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import type { SqlReader } from "../../db/executor";
import { CORE_EVENT_COLUMNS, toCoreEvent, type EventRow } from "./events.server";

type Num = number | bigint;

/** Visitors per events statement (bound parameters stay far below either database's limit). */
const VISITORS_PER_READ = 400;

/**
 * The statements, all on shop $1:
 * - `visitorsFromUnitDays`: visitors with a unit reaching step $5 (= k−1) in local days
 *   [$3, $4) of funnel $2 (precomputed rows), with whether one of their rows stops at $5
 *   (`d`: the visitor may have a dropped unit) or goes further (`a`: an advanced one). A
 *   unit's furthest step is its best day row's, so every dropped unit's visitor has d = 1
 *   and every advanced unit's a = 1 (a superset: enough to pick each side's sample);
 * - `visitorsFromSessions`: visitors with a session overlapping [$2, $3) (every visitor
 *   that can have an attempt in range);
 * - `events(n)`: loadReportEvents' rows (events.server.ts) for n visitors $4…: session
 *   units — events from $2 on of sessions overlapping [$2, $3); visitor units — events in
 *   [$2, $3] with $3 = to + window.
 */
export function pathReadsSql(unit: FunnelDefinition["unit"]) {
  return {
    visitorsFromUnitDays: `SELECT "clientId", MAX(CASE WHEN "furthest" = $5 THEN 1 ELSE 0 END) AS d, MAX(CASE WHEN "furthest" > $5 THEN 1 ELSE 0 END) AS a
      FROM "FunnelUnitDay" WHERE "shopId" = $1 AND "funnelId" = $2 AND "day" >= $3 AND "day" < $4 AND "furthest" >= $5 GROUP BY "clientId"`,
    visitorsFromSessions: `SELECT DISTINCT "clientId" FROM "VisitorSession" WHERE "shopId" = $1 AND "startTs" < $3 AND "endTs" >= $2`,
    events: (n: number) => {
      const ids = Array.from({ length: n }, (_, i) => `$${i + 4}`).join(", ");
      const range = unit === "session" ? `s."startTs" < $3 AND s."endTs" >= $2` : `e."ts" <= $3`;
      // Driven by the visitors' sessions (clientId index), then their events by session
      // (sessionId index). CROSS JOIN keeps that order in SQLite and the unary + keeps it off
      // the (shopId, ts) index; PostgreSQL plans it as any inner join. Left to itself SQLite
      // walks every event or session in range and probes the id list for each (minutes on
      // 100 k sessions).
      return `SELECT ${CORE_EVENT_COLUMNS}
        FROM "VisitorSession" s CROSS JOIN "Event" e
        WHERE s."shopId" = $1 AND s."clientId" IN (${ids}) AND ${range}
          AND e."shopId" = s."shopId" AND e."sessionId" = s."id" AND e."isBot" = false AND +e."ts" >= $2`;
    },
  };
}

export interface PathsInput {
  shopId: number;
  funnelId: string;
  def: FunnelDefinition;
  /** The report's range, clock and zone. */
  params: { from: number; to: number; now: number; timeZone: string };
  /** k ≥ 2. */
  step: number;
  /** The report's figures at step k: settled drop-offs (dropOff[k]) and units that went on (count[k]). */
  totals: { dropped: number; advanced: number };
  /** The report came from the precomputed rows (then they list the candidate visitors). */
  fromUnitDays: boolean;
  maxUnitsPerSide?: number;
}

/** What the units that dropped at `step` did next, against those that went on (docs/diagnosis.md). */
export async function stepPaths(reads: SqlReader, input: PathsInput): Promise<StepPaths> {
  const { def, params, step } = input;
  const max = input.maxUnitsPerSide ?? DEFAULT_MAX_UNITS_PER_SIDE;
  const rates = { dropped: sampleRate(input.totals.dropped, max), advanced: sampleRate(input.totals.advanced, max) };
  const sql = pathReadsSql(def.unit);
  // A visitor is read when it is in the sample of a side it may have units on (the events
  // path does not know the sides: the larger rate).
  const candidates = input.fromUnitDays
    ? await reads.query<{ clientId: string; d: Num; a: Num }>(
        sql.visitorsFromUnitDays,
        input.shopId,
        input.funnelId,
        localDayNumber(params.from, params.timeZone),
        localDayNumber(params.to, params.timeZone),
        step - 1,
      )
    : (await reads.query<{ clientId: string }>(sql.visitorsFromSessions, input.shopId, params.from, params.to)).map((r) => ({ ...r, d: 1, a: 1 }));
  const visitors = candidates
    .filter((r) => (Number(r.d) === 1 && inSample(r.clientId, rates.dropped)) || (Number(r.a) === 1 && inSample(r.clientId, rates.advanced)))
    .map((r) => r.clientId);
  const until = def.unit === "session" ? params.to : params.to + def.windowMs;
  const chunks: string[][] = [];
  for (let i = 0; i < visitors.length; i += VISITORS_PER_READ) chunks.push(visitors.slice(i, i + VISITORS_PER_READ));
  const rows = (await Promise.all(chunks.map((ids) => reads.query<EventRow>(sql.events(ids.length), input.shopId, params.from, until, ...ids)))).flat();
  const units = unitPathsAtStep(rows.map(toCoreEvent), def, params, step);
  const sample = sampledPaths(units.units, rates);
  return comparePaths({
    step,
    fromLabel: def.steps[step - 2].label,
    toLabel: def.steps[step - 1].label,
    unit: def.unit,
    dropped: { total: input.totals.dropped, rate: rates.dropped, paths: sample.dropped },
    advanced: { total: input.totals.advanced, rate: rates.advanced, paths: sample.advanced },
    maxUnitsPerSide: max,
  });
}
