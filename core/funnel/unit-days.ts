/**
 * Precomputed funnel results ("unit days"): for each unit and each local day on which it
 * has a step-1 event, the best of the attempts starting that day. Maintained at
 * ingestion time (app/services/funnel-results/), they turn a report over
 * millions of events into a read of one row per unit.
 *
 * Why per day composes exactly (docs/funnel-semantics.md, "Counting a unit"):
 * - an attempt's reach depends only on its step-1 event and the events after it — not on
 *   the report range (steps after `to` count) — so the best attempt of a day is the
 *   same for every range containing that day;
 * - a report range is whole local days, so the unit's attempts in range are the union of
 *   its days in range; the engine keeps the furthest, earliest on ties: the furthest
 *   day row, earliest day on ties;
 * - in progress needs the unit's last event (session) or its latest attempt start in
 *   range (visitor): kept per row, combined at report time against `now`.
 * Units are the engine's: sessions of the visitor's events after deduplication, or the
 * visitor. Ranges not made of whole local days are not supported (callers fall back).
 *
 * test/unit/funnel/unit-days.test.ts proves reports from these rows equal computeFunnel.
 */
import { groupByVisitor, sessionize } from "../sessionize";
import { SESSION_GAP_MS, type CoreEvent, type EntryAttributes, type FunnelDefinition } from "../types";
import { dedupeEvents } from "./dedupe";
import { bestAttempt, reportFromUnitResults, type FunnelParams, type UnitResult } from "./engine";
import { compileStepMask } from "./match";
import type { FunnelReport, UnitOutcome } from "./report";
import { localDayNumber } from "./timezone";

/** The best attempt of one unit among those starting on one local day. */
export interface UnitDay {
  /** Session units: `${visitorId}:${session start}`; visitor units: the visitor id. */
  unitId: string;
  visitorId: string;
  /** Local day (days since 1970-01-01 in the shop's zone) of the day's attempts. */
  day: number;
  /** Step-1 event time of the day's deciding attempt. */
  entryTs: number;
  furthest: number;
  /** ms from step k to k+1 of the deciding attempt (length furthest − 1). */
  msFromPrev: number[];
  /** Start of the day's latest attempt. */
  latestStartTs: number;
  /** The unit's last event (session units' in-progress rule). */
  lastTs: number;
  /** Entry attributes of the deciding attempt's step-1 event. */
  attrs: EntryAttributes;
  /** That event's product (a product view's, an add to cart's), else null: the diagnosis's "product" dimension. */
  productId: string | null;
}

/**
 * Unit-day results of one or more visitors' complete event histories from `sinceTs` on
 * (bots excluded, any order). Session units need `sinceTs` at a session boundary; visitor
 * units give rows for days whose attempts can only use events ≥ sinceTs, i.e. callers
 * pass the start of a local day and keep rows from that day on.
 */
export function computeUnitDays(events: readonly CoreEvent[], def: FunnelDefinition, timeZone: string): UnitDay[] {
  const clean = dedupeEvents(events);
  const units: [string, CoreEvent[]][] = def.unit === "session" ? sessionize(clean).map((s) => [s.id, s.events]) : [...groupByVisitor(clean)];
  const maskOf = compileStepMask(def.steps);
  const steps = def.steps.length;
  const windowMs = def.unit === "session" ? Number.POSITIVE_INFINITY : def.windowMs;
  const out: UnitDay[] = [];
  for (const [unitId, list] of units) {
    const masks = list.map(maskOf);
    const lastTs = list[list.length - 1].ts;
    // Each day's step-1 events form one contiguous run of the sorted list: evaluating
    // [first, last] of the run is evaluating exactly that day's attempts.
    let i = 0;
    while (i < list.length) {
      if ((masks[i] & 1) === 0) {
        i++;
        continue;
      }
      const day = localDayNumber(list[i].ts, timeZone);
      const from = list[i].ts;
      let to = from + 1;
      let j = i;
      for (; j < list.length && localDayNumber(list[j].ts, timeZone) === day; j++) {
        if (masks[j] & 1) to = list[j].ts + 1;
      }
      const a = bestAttempt(list, masks, { steps, from, to, windowMs });
      if (a) {
        const entry = list[a.index];
        out.push({
          unitId,
          visitorId: entry.visitorId,
          day,
          entryTs: entry.ts,
          furthest: a.reach.length,
          msFromPrev: a.reach.slice(1).map((ts, k) => ts - a.reach[k]),
          latestStartTs: a.latestStart,
          lastTs,
          attrs: entry.attrs,
          productId: entry.productId,
        });
      }
      i = j;
    }
  }
  return out;
}

/**
 * A unit-day row as a report reads it. `multi`: the unit has other rows (on other days),
 * so rows are combined per unit. `count`: the row stands for that many single-row units
 * with the same figures (a database GROUP BY of the furthest = 1 rows, say); default 1.
 * `inProgress`: already decided for the report's `now` (such groups); else derived.
 * `times`: the step times of the `count` units, when they differ (see UnitOutcome).
 */
export type UnitDayRow = Omit<UnitDay, "visitorId" | "productId"> & {
  productId?: string | null;
  multi: boolean;
  count?: number;
  inProgress?: boolean;
  times?: UnitOutcome["times"];
};

/**
 * The report over [from, to) — whole local days of `params.timeZone` — from the unit-day
 * rows whose day lies in that range. Equal to computeFunnel over the same events.
 */
export function reportFromUnitDays(rows: Iterable<UnitDayRow>, def: FunnelDefinition, params: FunnelParams): FunnelReport {
  return reportFromUnitResults(unitResultsFromUnitDays(rows, def, params.now), def, params);
}

/** Each unit's result at `now` from its unit-day rows (rows of one unit on several days combined). */
export function unitResultsFromUnitDays(rows: Iterable<UnitDayRow>, def: FunnelDefinition, now: number): UnitResult[] {
  const results: UnitResult[] = [];
  const multi = new Map<string, UnitDayRow[]>();
  // Consecutive rows of one group share entry time and attributes: one entry object for
  // them all (hundreds of thousands of units otherwise each allocate a copy).
  let entry: CoreEvent | null = null;
  for (const r of rows) {
    if (r.multi) {
      const list = multi.get(r.unitId);
      if (list) list.push(r);
      else multi.set(r.unitId, [r]);
      continue;
    }
    if (!entry || entry.ts !== r.entryTs || entry.attrs !== r.attrs || entry.productId !== (r.productId ?? null)) entry = entryOf(r);
    const result = toResult(r, r.latestStartTs, def, now, entry);
    if (r.inProgress !== undefined) result.inProgress = r.inProgress;
    if (r.count !== undefined) result.count = r.count;
    if (r.times !== undefined) result.times = r.times;
    results.push(result);
  }
  for (const list of multi.values()) {
    // Furthest wins, earliest day on ties; in progress looks at the latest start in range.
    let best = list[0];
    let latestStart = list[0].latestStartTs;
    for (const r of list) {
      if (r.furthest > best.furthest || (r.furthest === best.furthest && r.day < best.day)) best = r;
      latestStart = Math.max(latestStart, r.latestStartTs);
    }
    results.push(toResult(best, latestStart, def, now));
  }
  return results;
}

const entryOf = (r: UnitDayRow): CoreEvent => ({ ...ENTRY, ts: r.entryTs, attrs: r.attrs, productId: r.productId ?? null });

function toResult(r: UnitDayRow, latestStart: number, def: FunnelDefinition, now: number, entry = entryOf(r)): UnitResult {
  const completed = r.furthest === def.steps.length;
  const couldAdvance = def.unit === "visitor" ? latestStart + def.windowMs > now : now - r.lastTs < SESSION_GAP_MS;
  return {
    unitId: r.unitId,
    entry,
    furthest: r.furthest,
    msFromPrev: r.msFromPrev,
    inProgress: !completed && couldAdvance,
  };
}

/** Only ts, attrs and productId of an entry are read by reports. */
const ENTRY: CoreEvent = {
  id: "",
  name: "",
  ts: 0,
  seq: 0,
  visitorId: "",
  path: null,
  productId: null,
  checkoutToken: null,
  orderId: null,
  customerId: null,
  props: {},
  attrs: { device: null, source: "direct", medium: null, campaign: null, landingPath: null, visitorType: "new", loggedIn: false },
};

/**
 * A group of `count` single-row units alike but for their step times, `inProgress` of
 * which may still advance, as report rows: one for those in progress, one for the rest.
 * `times` (per step, the group's durations) are shared out in any order: medians and
 * percentiles do not depend on which row holds a duration.
 */
export function groupRows(
  row: Omit<UnitDayRow, "count" | "inProgress" | "times">,
  count: number,
  inProgress: number,
  times?: UnitOutcome["times"],
): UnitDayRow[] {
  const out: UnitDayRow[] = [];
  const done = count - inProgress;
  if (done > 0) out.push({ ...row, count: done, inProgress: false, ...(times ? { times: times.map((t) => t.slice(0, done)) } : {}) });
  if (inProgress > 0) out.push({ ...row, count: inProgress, inProgress: true, ...(times ? { times: times.map((t) => t.slice(done)) } : {}) });
  return out;
}

/** A count as a driver returns it (SQLite and PostgreSQL aggregates may be bigint). */
type Num = number | bigint;

/** One row of a grouped read of unit-day rows: `n` units alike, `ipn` of them possibly still in progress. */
export interface UnitDayGroupRead {
  furthest: Num;
  ts: Num;
  n: Num;
  ipn: Num;
  day?: Num;
}

/**
 * A grouped read's row as report rows (groupRows). `ms`: the group's durations as text
 * (timesFromText), when step times were read.
 */
export function unitDayGroupRows(
  g: UnitDayGroupRead,
  steps: number,
  attrs: EntryAttributes,
  extra: { productId?: string | null; ms?: string } = {},
): UnitDayRow[] {
  const furthest = Number(g.furthest);
  const count = Number(g.n);
  const row = {
    unitId: "",
    day: Number(g.day ?? 0),
    entryTs: Number(g.ts),
    furthest,
    msFromPrev: [],
    latestStartTs: 0,
    lastTs: 0,
    multi: false,
    attrs,
    ...(extra.productId !== undefined ? { productId: extra.productId } : {}),
  };
  // A completed unit is never in progress.
  return groupRows(row, count, furthest < steps ? Number(g.ipn) : 0, extra.ms === undefined ? undefined : timesFromText(extra.ms, count, furthest - 1));
}

/** One row of a unit with rows on several days, as the driver returns it (msFromPrev: comma-separated text, when read). */
export interface UnitDayMultiRead {
  unitId: string;
  day: Num;
  entryTs: Num;
  furthest: Num;
  latestStartTs: Num;
  lastTs: Num;
  msFromPrev?: string;
}

/** A multi-day unit's row read row by row, as a report row (the caller combines a unit's rows). */
export function unitDayMultiRow(r: UnitDayMultiRead, attrs: EntryAttributes, productId?: string | null): UnitDayRow {
  return {
    unitId: r.unitId,
    day: Number(r.day),
    entryTs: Number(r.entryTs),
    furthest: Number(r.furthest),
    msFromPrev: r.msFromPrev ? r.msFromPrev.split(",").map(Number) : [],
    latestStartTs: Number(r.latestStartTs),
    lastTs: Number(r.lastTs),
    multi: true,
    attrs,
    ...(productId !== undefined ? { productId } : {}),
  };
}

/**
 * `count` units' durations, `per` each, as one comma-separated text, unit after unit (their
 * stored msFromPrev joined by commas) → per step, the `count` durations. Read by hand: a
 * split would make one string per value.
 */
export function timesFromText(text: string, count: number, per: number): number[][] {
  const times = Array.from({ length: per }, () => new Array<number>(count));
  let value = 0;
  let sign = 1;
  let digits = 0;
  let at = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else if (c === 45 && digits === 0 && sign === 1) {
      sign = -1;
    } else if (c === 44 && digits > 0 && at < count * per) {
      times[at % per][Math.floor(at / per)] = sign * value;
      at++;
      value = 0;
      sign = 1;
      digits = 0;
    } else {
      throw new Error(`step times of a group are not ${count} × ${per} durations (character ${i})`);
    }
  }
  if (at !== count * per) throw new Error(`step times of a group are not ${count} × ${per} durations (${at} read)`);
  return times;
}

/** True when [from, to) is whole local days of `timeZone` (what unit-day rows can answer). */
export function isWholeDays(from: number, to: number, timeZone: string): boolean {
  return (
    to > from && localDayNumber(from - 1, timeZone) !== localDayNumber(from, timeZone) && localDayNumber(to - 1, timeZone) !== localDayNumber(to, timeZone)
  );
}
