/**
 * Precomputed unit-day results (core/funnel/unit-days.ts) give the engine's report for
 * every whole-day range: generated histories over several days, sessions across
 * midnight, shop time zones with and without DST, every breakdown and trend.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeFunnel,
  computeUnitDays,
  isWholeDays,
  localDayNumber,
  reportFromUnitDays,
  groupRows,
  timesFromText,
  wallClockToEpoch,
} from "../../../core/funnel";
import type { UnitDay, UnitDayRow } from "../../../core/funnel";
import type { BreakdownKey, CoreEvent, Device, FunnelDefinition } from "../../../core/types";
import { DAY, HOUR, MIN } from "./fixtures";

type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

const ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Europe/Berlin"];
/** 2026-03-27 00:00 UTC: Berlin springs forward on the 29th, so ranges cross a DST change. */
const BASE = Date.UTC(2026, 2, 27);
const NAMES = ["a", "b", "c", "checkout_completed"];
const DEVICES: Device[] = ["mobile", "desktop"];

const eventArb = fc.record({
  name: fc.constantFrom(...NAMES),
  // 20-minute ticks over 4 days: gaps both under and over the 30-minute session gap.
  tick: fc.integer({ min: 0, max: 4 * 72 }),
  jitter: fc.constantFrom(0, 0, 1, 7 * MIN),
  seq: fc.integer({ min: 0, max: 3 }),
  visitor: fc.constantFrom("v1", "v2", "v3"),
  device: fc.constantFrom(...DEVICES),
  source: fc.constantFrom("direct", "google", "ig"),
  order: fc.constantFrom("o1", "o2", "o3", "o4"),
});

function buildEvents(raw: Of<typeof eventArb>[]): CoreEvent[] {
  const seen = new Set<string>();
  return raw.flatMap((r, i) => {
    // Ingestion stores one checkout_completed per order id (unique dedupe key).
    if (r.name === "checkout_completed") {
      if (seen.has(r.order)) return [];
      seen.add(r.order);
    }
    return [
      {
        id: `e${i}`,
        name: r.name,
        ts: BASE + r.tick * 20 * MIN + r.jitter,
        seq: r.seq,
        visitorId: r.visitor,
        path: null,
        productId: null,
        checkoutToken: null,
        orderId: r.name === "checkout_completed" ? r.order : null,
        customerId: null,
        props: {},
        attrs: { device: r.device, source: r.source, medium: null, campaign: null, landingPath: "/", visitorType: "new", loggedIn: r.device === "mobile" },
      },
    ];
  });
}

const defArb: fc.Arbitrary<FunnelDefinition> = fc.record({
  steps: fc
    .array(fc.subarray(NAMES, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 4 })
    .map((steps) => steps.map((names) => ({ label: names.join("|"), anyOf: names.map((event) => ({ event, filters: [] })) }))),
  unit: fc.constantFrom("session" as const, "visitor" as const),
  windowMs: fc.constantFrom(MIN, 2 * HOUR, DAY, 2 * DAY),
});

const scenarioArb = fc.record({
  events: fc.array(eventArb, { maxLength: 40 }).map(buildEvents),
  def: defArb,
  zone: fc.constantFrom(...ZONES),
  fromDay: fc.integer({ min: -1, max: 4 }),
  days: fc.integer({ min: 1, max: 4 }),
  nowHours: fc.integer({ min: 0, max: 8 * 24 }),
  breakdown: fc.constantFrom<BreakdownKey | undefined>(undefined, "device", "source", "loggedIn"),
  trend: fc.constantFrom<"day" | "week" | undefined>(undefined, "day", "week"),
});

/** Rows as the database holds them: `multi` when the unit has rows on other days. */
function asRows(days: UnitDay[]): UnitDayRow[] {
  const perUnit = new Map<string, number>();
  for (const d of days) perUnit.set(d.unitId, (perUnit.get(d.unitId) ?? 0) + 1);
  return days.map(({ visitorId: _v, ...d }) => ({ ...d, multi: perUnit.get(d.unitId)! > 1 }));
}

function paramsOf(s: Of<typeof scenarioArb>) {
  const firstDay = localDayNumber(BASE, s.zone) + s.fromDay;
  const from = wallClockToEpoch(firstDay * DAY, s.zone);
  const to = wallClockToEpoch((firstDay + s.days) * DAY, s.zone);
  return {
    range: { from, to, now: BASE + s.nowHours * HOUR, timeZone: s.zone, breakdown: s.breakdown, trend: s.trend },
    firstDay,
    endDay: firstDay + s.days,
  };
}

describe("unit-day results", () => {
  it("give the engine's report for whole-day ranges (counts, times, in progress, breakdown, trend)", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { range, firstDay, endDay } = paramsOf(s);
        expect(isWholeDays(range.from, range.to, s.zone)).toBe(true);
        const rows = asRows(computeUnitDays(s.events, s.def, s.zone)).filter((r) => r.day >= firstDay && r.day < endDay);
        expect(reportFromUnitDays(rows, s.def, range)).toEqual(computeFunnel(s.events, s.def, range));
      }),
      { numRuns: 1500 },
    );
  });

  it("stand-in rows with a count equal that many single units", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { range, firstDay, endDay } = paramsOf(s);
        const rows = asRows(computeUnitDays(s.events, s.def, s.zone)).filter((r) => r.day >= firstDay && r.day < endDay);
        // What the database does: single-row units at step 1 grouped by day and attributes.
        const grouped = new Map<string, UnitDayRow>();
        const rest: UnitDayRow[] = [];
        for (const r of rows) {
          if (r.multi || r.furthest > 1) {
            rest.push(r);
            continue;
          }
          const inProgress =
            s.def.steps.length > 1 && (s.def.unit === "visitor" ? r.latestStartTs + s.def.windowMs > range.now : range.now - r.lastTs < 30 * MIN);
          const key = JSON.stringify([r.day, r.attrs, inProgress]);
          const g = grouped.get(key);
          if (g) g.count = (g.count ?? 1) + 1;
          else grouped.set(key, { ...r, unitId: key, count: 1, inProgress, latestStartTs: 0, lastTs: 0 });
        }
        expect(reportFromUnitDays([...grouped.values(), ...rest], s.def, range)).toEqual(reportFromUnitDays(rows, s.def, range));
      }),
      { numRuns: 500 },
    );
  });

  it("grouped rows carrying their units' step times (as the database reads them) equal those units", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { range, firstDay, endDay } = paramsOf(s);
        const rows = asRows(computeUnitDays(s.events, s.def, s.zone)).filter((r) => r.day >= firstDay && r.day < endDay);
        // readRows (funnel-results/read.server.ts): single-row units grouped by furthest step, day
        // and attributes, counting those in progress; their stored durations joined into one text.
        const groups = new Map<string, UnitDayRow[]>();
        const multi: UnitDayRow[] = [];
        for (const r of rows) {
          if (r.multi) multi.push(r);
          else {
            const key = JSON.stringify([r.furthest, r.day, r.attrs]);
            groups.set(key, [...(groups.get(key) ?? []), r]);
          }
        }
        const grouped = [...groups.values()].flatMap((list) => {
          const [first] = list;
          const per = first.furthest - 1;
          const inProgress =
            first.furthest === s.def.steps.length
              ? 0
              : list.filter((r) => (s.def.unit === "visitor" ? r.latestStartTs + s.def.windowMs > range.now : range.now - r.lastTs < 30 * MIN)).length;
          const text = list.map((r) => r.msFromPrev.join(",")).join(",");
          const base = { ...first, unitId: "", msFromPrev: [], entryTs: Math.min(...list.map((r) => r.entryTs)) };
          return groupRows(base, list.length, inProgress, per > 0 ? timesFromText(text, list.length, per) : undefined);
        });
        expect(reportFromUnitDays([...grouped, ...multi], s.def, range)).toEqual(reportFromUnitDays(rows, s.def, range));
      }),
      { numRuns: 500 },
    );
  });

  it("read grouped durations back exactly, and refuse a text that does not hold count × per of them", () => {
    expect(timesFromText("5,10,0,7,123456789,-2", 3, 2)).toEqual([
      [5, 0, 123456789],
      [10, 7, -2],
    ]);
    expect(timesFromText("42", 1, 1)).toEqual([[42]]);
    for (const bad of ["5,10,0", "5,10,0,7,1,2,3", "5,,0,7,1,2", "5,1x,0,7,1,2", "5,10,0,7,1,2,"]) {
      expect(() => timesFromText(bad, 3, 2), bad).toThrow(/not 3 × 2 durations/);
    }
  });

  it("recomputing a visitor from a later point gives the same rows from there on (what ingestion does)", () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 3 }), (s, cutDay) => {
        const all = computeUnitDays(s.events, s.def, s.zone);
        const day0 = localDayNumber(BASE, s.zone) + cutDay;
        const sinceTs = wallClockToEpoch(day0 * DAY, s.zone);
        // Visitor units: from the start of a local day. Session units: from a session
        // boundary, here the first session of each visitor starting at or after sinceTs.
        const since = (v: string) => {
          if (s.def.unit === "visitor") return sinceTs;
          const ts = s.events
            .filter((e) => e.visitorId === v)
            .map((e) => e.ts)
            .sort((a, b) => a - b);
          const k = ts.findIndex((t, i) => t >= sinceTs && (i === 0 || t - ts[i - 1] > 30 * MIN));
          return k < 0 ? Number.POSITIVE_INFINITY : ts[k];
        };
        for (const v of ["v1", "v2", "v3"]) {
          const from = since(v);
          const partial = computeUnitDays(
            s.events.filter((e) => e.visitorId === v && e.ts >= from),
            s.def,
            s.zone,
          );
          const keep = (d: UnitDay) => d.visitorId === v && (s.def.unit === "visitor" ? d.day >= day0 : d.entryTs >= from);
          const sort = (a: UnitDay, b: UnitDay) => (a.unitId + a.day < b.unitId + b.day ? -1 : 1);
          expect(partial.filter(keep).sort(sort)).toEqual(all.filter(keep).sort(sort));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("knows whole-day ranges", () => {
    const from = wallClockToEpoch(localDayNumber(BASE, "Europe/Berlin") * DAY, "Europe/Berlin");
    expect(isWholeDays(from, from + 3 * DAY - HOUR, "Europe/Berlin")).toBe(true); // across the spring-forward
    expect(isWholeDays(from, from + 3 * DAY, "Europe/Berlin")).toBe(false);
    expect(isWholeDays(from + 1, from + DAY, "Europe/Berlin")).toBe(false);
  });
});
