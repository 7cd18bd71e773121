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
 * The statements: db/queries/paths-*.ts.
 */
import { comparePaths, DEFAULT_MAX_UNITS_PER_SIDE, inSample, sampledPaths, sampleRate, unitPathsAtStep, type StepPaths } from "../../core/diagnosis/paths";
import { localDayNumber } from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import type { SqlReader } from "../../db/executor";
import { readRows } from "../../db/query";
import pathsEvents from "../../db/queries/paths-events";
import visitorsFromSessions from "../../db/queries/paths-visitors-from-sessions";
import visitorsFromUnitDays from "../../db/queries/paths-visitors-from-unit-days";
import { listParams } from "../../db/sql";
import { toCoreEvent } from "./events.server";

/** Visitors per events statement (bound parameters stay far below either database's limit). */
const VISITORS_PER_READ = 400;

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
  // A visitor is read when it is in the sample of a side it may have units on (the events
  // path does not know the sides: the larger rate).
  const candidates = input.fromUnitDays
    ? await readRows(reads, visitorsFromUnitDays, {
        shopId: input.shopId,
        funnelId: input.funnelId,
        fromDay: localDayNumber(params.from, params.timeZone),
        toDay: localDayNumber(params.to, params.timeZone),
        step: step - 1,
      })
    : (await readRows(reads, visitorsFromSessions, { shopId: input.shopId, from: params.from, to: params.to })).map((r) => ({ ...r, d: 1, a: 1 }));
  const visitors = candidates
    .filter((r) => (Number(r.d) === 1 && inSample(r.clientId, rates.dropped)) || (Number(r.a) === 1 && inSample(r.clientId, rates.advanced)))
    .map((r) => r.clientId);
  const until = def.unit === "session" ? params.to : params.to + def.windowMs;
  const chunks: string[][] = [];
  for (let i = 0; i < visitors.length; i += VISITORS_PER_READ) chunks.push(visitors.slice(i, i + VISITORS_PER_READ));
  const rows = (
    await Promise.all(
      chunks.map((ids) => readRows(reads, pathsEvents(def.unit, ids.length), { shopId: input.shopId, from: params.from, until, ...listParams("c", ids) })),
    )
  ).flat();
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
