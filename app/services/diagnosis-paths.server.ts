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
import {
  comparePaths,
  DEFAULT_MAX_UNITS_PER_SIDE,
  inSample,
  sampleBucketBound,
  sampledPaths,
  sampleRate,
  unitPathsAtStep,
  type StepPaths,
} from "../../core/diagnosis/paths";
import { localDayNumber } from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import type { SqlReader } from "../../db/executor";
import { readRows } from "../../db/query";
import pathsEvents from "../../db/queries/paths-events";
import visitorsFromSessions from "../../db/queries/paths-visitors-from-sessions";
import sampleVisitors from "../../db/queries/paths-sample-visitors";
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
  /** The report came from the precomputed rows (then they list the sampled visitors, by their stored bucket). */
  fromUnitDays: boolean;
  maxUnitsPerSide?: number;
}

/** Visitors in either side's sample with a row of that side in range (precomputed rows). */
async function sampledFromUnitDays(reads: SqlReader, input: PathsInput, rates: { dropped: number; advanced: number }): Promise<string[]> {
  const { params, step } = input;
  const range = {
    shopId: input.shopId,
    funnelId: input.funnelId,
    fromDay: localDayNumber(params.from, params.timeZone),
    toDay: localDayNumber(params.to, params.timeZone),
  };
  // dropped: furthest k−1; went on: furthest k … n.
  const sides = [
    { rate: rates.dropped, query: sampleVisitors(step - 1, step - 1) },
    { rate: rates.advanced, query: sampleVisitors(step, input.def.steps.length) },
  ];
  const lists = await Promise.all(
    sides.map(async ({ rate, query }) =>
      rate <= 0 ? [] : (await readRows(reads, query, { ...range, bound: sampleBucketBound(rate) })).map((r) => r.clientId).filter((id) => inSample(id, rate)),
    ),
  );
  return [...new Set(lists.flat())];
}

/** What the units that dropped at `step` did next, against those that went on (docs/diagnosis.md). */
export async function stepPaths(reads: SqlReader, input: PathsInput): Promise<StepPaths> {
  const { def, params, step } = input;
  const max = input.maxUnitsPerSide ?? DEFAULT_MAX_UNITS_PER_SIDE;
  const rates = { dropped: sampleRate(input.totals.dropped, max), advanced: sampleRate(input.totals.advanced, max) };
  // A visitor is read when it is in the sample of a side it may have units on. From the
  // precomputed rows each side is listed apart, only visitors whose stored bucket can be in
  // its sample (an index seek); the events path does not know the sides: every visitor of
  // the range, at the larger rate.
  const visitors = input.fromUnitDays
    ? await sampledFromUnitDays(reads, input, rates)
    : (await readRows(reads, visitorsFromSessions, { shopId: input.shopId, from: params.from, to: params.to }))
        .map((r) => r.clientId)
        .filter((id) => inSample(id, Math.max(rates.dropped, rates.advanced)));
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
