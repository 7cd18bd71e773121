/**
 * Report reads of the precomputed rows, "as of" the refresher's progress: a read never
 * builds or refreshes (the background refresher does, refresher.server.ts). A ready funnel
 * answers from its rows whatever is still waiting, with the time they are current to
 * (resultsAsOf). While a new funnel builds, a range with few events is answered from the
 * events (exact, events-sql.server.ts) and a larger one from the rows computed so far
 * (partial) with the build's progress, so the first report after creating a funnel never
 * waits on its build.
 */
import {
  isWholeDays,
  localDayNumber,
  reportFromUnitDays,
  unitDayGroupRows,
  unitDayMultiRow,
  type FunnelParams,
  type FunnelReport,
  type UnitDayRow,
} from "../../../core/funnel";
import type { FunnelDefinition } from "../../../core/types";
import { SESSION_GAP_MS } from "../../../core/types";
import type { SqlReader } from "../../../db/executor";
import type { Db, DbDialect } from "../../../db/prisma";
import { attrsOf } from "../../../core/funnel/breakdown-attrs";
import { readRows } from "../../../db/query";
import eventsAtMostQuery from "../../../db/queries/report-events-at-most";
import unitDayGroups from "../../../db/queries/report-unit-day-groups";
import unitDayMulti from "../../../db/queries/report-unit-day-multi";
import unitDayTimed from "../../../db/queries/report-unit-day-timed";
import { buildProgress, resultsAsOf, type BuildProgress } from "./state.server";

/**
 * Most events a range may hold to be answered from the events while the funnel builds:
 * the events path costs about 6 µs an event on SQLite and 2 µs on PostgreSQL
 * (docs/benchmarks.md) and the report page reads it twice (the report, then the step
 * diagnosis's breakdowns), so this keeps such a report well under a second while the
 * build competes for the machine.
 */
export const EVENTS_ANSWER_MAX_EVENTS = 25_000;

/** A report's reads run on `reads` (createSqlReader): its queries at the same time, beside the writers. */
export interface ReadDeps {
  db: Db;
  dialect: DbDialect;
  reads: SqlReader;
}

/** Who answers a report: the rows (whole or partial), or the events (the caller reads them). */
export type ResultsAnswer =
  | { from: "unit-days"; report: FunnelReport; asOf: number }
  | { from: "partial"; report: FunnelReport; asOf: number; build: BuildProgress }
  | { from: "events"; build: BuildProgress | null };

/**
 * The funnel's report from its precomputed rows as they are now. "unit-days": the funnel
 * is ready; the report equals computeFunnel over the events stored before `asOf`.
 * "partial": its build is running and the range holds too many events to answer from
 * them; the report covers the visitors computed so far (`build`). "events": the rows
 * cannot answer this range (not whole local days of the shop's zone) or the build is
 * running and the range is small: the caller computes from the events.
 */
export async function unitDayReport(
  deps: ReadDeps,
  shopId: number,
  funnelId: string,
  def: FunnelDefinition,
  params: FunnelParams,
  opts: { eventsAnswerMax?: number } = {},
): Promise<ResultsAnswer> {
  if (!isWholeDays(params.from, params.to, params.timeZone)) return { from: "events", build: null };
  const [shop, funnel] = await Promise.all([
    deps.db.shop.findUnique({ where: { id: shopId }, select: { timeZone: true } }),
    deps.db.funnel.findFirst({ where: { id: funnelId, shopId }, select: { resultsState: true, resultsMark: true } }),
  ]);
  // Rows are keyed by the shop's local days: other zones' days are other ranges.
  if (!shop || !funnel || shop.timeZone !== params.timeZone) return { from: "events", build: null };
  let build: BuildProgress | null = null;
  if (funnel.resultsState !== "ready") {
    const [progress, few] = await Promise.all([
      buildProgress(deps.reads, shopId, funnel),
      eventsAtMost(deps.reads, shopId, params, opts.eventsAnswerMax ?? EVENTS_ANSWER_MAX_EVENTS),
    ]);
    build = progress;
    if (few) return { from: "events", build };
  }
  // Before the rows: a marking cleared in between only makes the rows newer than said.
  const asOf = await resultsAsOf(deps.reads, shopId, Date.now());
  const report = reportFromUnitDays(await unitDayRows(deps, shopId, funnelId, def, params), def, params);
  return build ? { from: "partial", report, asOf, build } : { from: "unit-days", report, asOf };
}

/** Whether the shop stored at most `max` events in [from, to): reads at most max + 1 index entries. */
async function eventsAtMost(reads: SqlReader, shopId: number, params: Pick<FunnelParams, "from" | "to">, max: number): Promise<boolean> {
  const [{ n }] = await readRows(reads, eventsAtMostQuery, { shopId, from: params.from, to: params.to, limit: max + 1 });
  return Number(n) <= max;
}

/**
 * unitDayRows' three statements for the funnel's shape. `timed` is null without step times
 * (params.stepTimes false): every single-day unit is only counted.
 */
export function reportReads(def: FunnelDefinition, params: Pick<FunnelParams, "breakdown" | "stepTimes">) {
  const shape = { unit: def.unit, steps: def.steps.length, breakdown: params.breakdown, stepTimes: params.stepTimes };
  return {
    groups: unitDayGroups(shape),
    timed: params.stepTimes === false ? null : unitDayTimed(shape),
    multi: unitDayMulti(shape),
  };
}

/**
 * Three reads, each as narrow as the figures allow: units that stopped at step 1 on
 * their only day, counted per (furthest step, day, breakdown value) with how many are in
 * progress — most units, few rows; the other single-day units the same way plus their step
 * times — which feed medians; and units with rows on several days, whole, to combine.
 * Groups follow the covering index's order (multi, furthest, day), so SQLite aggregates
 * while it scans instead of sorting the rows first.
 */
async function unitDayRows(deps: ReadDeps, shopId: number, funnelId: string, def: FunnelDefinition, params: FunnelParams): Promise<UnitDayRow[]> {
  const queries = reportReads(def, params);
  const range = { shopId, funnelId, fromDay: localDayNumber(params.from, params.timeZone), toDay: localDayNumber(params.to, params.timeZone) };
  // Could a unit still advance at `now` (a completed one is never in progress: see below).
  const bound = Math.floor(def.unit === "visitor" ? params.now - def.windowMs : params.now - SESSION_GAP_MS);
  const [groups, timed, multi] = await Promise.all([
    readRows(deps.reads, queries.groups, { ...range, bound }),
    queries.timed === null ? Promise.resolve([]) : readRows(deps.reads, queries.timed, { ...range, bound }),
    readRows(deps.reads, queries.multi, range),
  ]);
  const steps = def.steps.length;
  const out: UnitDayRow[] = [];
  for (const g of groups) out.push(...unitDayGroupRows(g, steps, attrsOf(params.breakdown, g.attr)));
  for (const g of timed) out.push(...unitDayGroupRows(g, steps, attrsOf(params.breakdown, g.attr), { ms: g.ms }));
  for (const r of multi) out.push(unitDayMultiRow(r, attrsOf(params.breakdown, r.attr)));
  return out;
}
