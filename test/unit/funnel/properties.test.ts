import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { aggregateOutcomes, computeFunnel, computeUnitResults, figuresFromCounts } from "../../../core/funnel";
import type { CoreEvent, FunnelDefinition, FunnelStepDef } from "../../../core/types";
import { defaultAttrs, MIN, T0 } from "./fixtures";
import { naiveFigures, naiveFiguresOfUnits } from "./naive-reference";

const TICK = 10 * MIN; // three ticks = exactly the session gap
const NAMES = ["a", "b", "c", "checkout_started", "checkout_completed"];

/** Small event sets with many ties, duplicates, shared tokens and 30-min gaps. */
const eventArb = fc.record({
  id: fc.integer({ min: 0, max: 14 }),
  name: fc.constantFrom(...NAMES),
  tick: fc.integer({ min: 0, max: 14 }),
  jitter: fc.constantFrom(0, 0, 1),
  seq: fc.integer({ min: 0, max: 5 }),
  visitor: fc.constantFrom("v1", "v2"),
  path: fc.constantFrom<string | null>("/p/1", "/p/2", null),
  token: fc.constantFrom<string | null>("t1", "t2", null),
});

type RawEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

/** Identical id → identical event (a stored duplicate), as in real data. */
function buildEvents(raw: RawEvent[]): CoreEvent[] {
  const byId = new Map<number, CoreEvent>();
  const out: CoreEvent[] = [];
  for (const r of raw) {
    const existing = byId.get(r.id);
    if (existing) {
      out.push({ ...existing });
      continue;
    }
    const e: CoreEvent = {
      id: `id${r.id}`,
      name: r.name,
      ts: T0 + r.tick * TICK + r.jitter,
      seq: r.seq,
      visitorId: r.visitor,
      path: r.path,
      productId: null,
      checkoutToken: r.name === "checkout_started" ? r.token : null,
      orderId: r.name === "checkout_completed" ? r.token : null,
      customerId: null,
      props: {},
      attrs: defaultAttrs,
    };
    byId.set(r.id, e);
    out.push(e);
  }
  return out;
}

const stepArb: fc.Arbitrary<FunnelStepDef> = fc
  .array(
    fc.record({
      event: fc.constantFrom(...NAMES),
      filtered: fc.boolean(),
    }),
    { minLength: 1, maxLength: 2 },
  )
  .map((alts) => ({
    label: alts.map((a) => a.event).join("|"),
    anyOf: alts.map((a) => ({
      event: a.event,
      filters: a.filtered ? [{ field: "path" as const, op: "startsWith" as const, value: "/p/1" }] : [],
    })),
  }));

const defArb: fc.Arbitrary<FunnelDefinition> = fc.record({
  steps: fc.array(stepArb, { minLength: 2, maxLength: 4 }),
  unit: fc.constantFrom("session" as const, "visitor" as const),
  windowMs: fc.integer({ min: 0, max: 8 }).chain((t) => fc.constantFrom(t * TICK, t * TICK + 1)),
});

const scenarioArb = fc.record({
  events: fc.array(eventArb, { minLength: 0, maxLength: 9 }).map(buildEvents),
  def: defArb,
  fromTick: fc.integer({ min: 0, max: 10 }),
  lenTicks: fc.integer({ min: 0, max: 15 }),
  nowTick: fc.integer({ min: 0, max: 30 }),
});

/** Dense variant: few names and timestamps, so equal-ts groups where one event could fill several steps are common. */
const DENSE = ["a", "b", "c"];
const denseArb = fc.record({
  events: fc
    .array(
      fc.record({
        id: fc.integer({ min: 0, max: 20 }),
        name: fc.constantFrom(...DENSE),
        tick: fc.integer({ min: 0, max: 3 }),
        jitter: fc.constant(0),
        seq: fc.integer({ min: 0, max: 3 }),
        visitor: fc.constant("v1"),
        path: fc.constantFrom<string | null>("/p/1", "/p/2"),
        token: fc.constant(null),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .map(buildEvents),
  def: fc.record({
    steps: fc.array(
      fc.subarray(DENSE, { minLength: 1, maxLength: 2 }).map((names) => ({ label: names.join("|"), anyOf: names.map((event) => ({ event, filters: [] })) })),
      { minLength: 2, maxLength: 4 },
    ),
    unit: fc.constantFrom("session" as const, "visitor" as const),
    windowMs: fc.constantFrom(0, TICK, 2 * TICK),
  }),
  fromTick: fc.integer({ min: 0, max: 2 }),
  lenTicks: fc.integer({ min: 1, max: 3 }),
  nowTick: fc.integer({ min: 0, max: 8 }),
});

function paramsOf(s: { fromTick: number; lenTicks: number; nowTick: number }) {
  const from = T0 + s.fromTick * TICK;
  return { from, to: from + s.lenTicks * TICK, now: T0 + s.nowTick * TICK, timeZone: "UTC" };
}

const RUNS = 1500;

describe.each([
  ["mixed", scenarioArb],
  ["dense ties", denseArb],
])("funnel engine vs naive brute-force reference (%s)", (_name, arb) => {
  it("agrees per unit on furthest step, in-progress and step times", () => {
    fc.assert(
      fc.property(arb, (s) => {
        const p = paramsOf(s);
        const engine = computeUnitResults(s.events, s.def, p)
          .map((u) => ({ unitId: u.unitId, furthest: u.furthest, inProgress: u.inProgress, msFromPrev: u.msFromPrev, entryTs: u.entry.ts }))
          .sort((a, b) => (a.unitId < b.unitId ? -1 : 1));
        const naive = naiveFigures(s.events, s.def, p).units.sort((a, b) => (a.unitId < b.unitId ? -1 : 1));
        expect(engine).toEqual(naive);
      }),
      { numRuns: RUNS },
    );
  });

  it("agrees on counts, in-progress and median / p90 times", () => {
    fc.assert(
      fc.property(arb, (s) => {
        const p = paramsOf(s);
        const report = computeFunnel(s.events, s.def, p);
        const naive = naiveFigures(s.events, s.def, p);
        expect(report.steps.map((x) => x.count)).toEqual(naive.counts);
        expect(report.steps.map((x) => x.inProgress)).toEqual(naive.inProgress);
        expect(report.steps.map((x) => x.medianMsFromPrev)).toEqual(naive.median);
        expect(report.steps.map((x) => x.p90MsFromPrev)).toEqual(naive.p90);
        expect(report.inProgressUnits).toBe(naive.units.filter((u) => u.inProgress).length);
        expect(report.steps.map((x) => x.waiting)).toEqual(naive.waiting);
        expect(report.steps.map((x) => x.dropOff)).toEqual(naive.dropOff);
        expect(report.steps.map((x) => x.settled)).toEqual(naive.settled);
        expect(report.steps.map((x) => x.dropOffRate)).toEqual(naive.dropOffRate);
        expect(report.biggestLeak?.step ?? null).toBe(naive.leakStep);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * The leak rule needs ≥ 30 settled units, more than the event scenarios above make:
 * here outcomes are drawn directly (up to a few hundred units, mostly at a few steps so
 * rates tie and bases straddle 30) and the figures compared with the reference's.
 */
const outcomesArb = fc.integer({ min: 2, max: 5 }).chain((n) =>
  fc
    .array(fc.record({ furthest: fc.integer({ min: 1, max: n }), inProgress: fc.boolean(), copies: fc.integer({ min: 1, max: 40 }) }), {
      minLength: 0,
      maxLength: 12,
    })
    .map((xs) => ({
      n,
      units: xs.flatMap((x) =>
        Array.from({ length: x.copies }, () => ({
          furthest: x.furthest,
          inProgress: x.inProgress && x.furthest < n,
          msFromPrev: new Array<number>(x.furthest - 1).fill(1),
        })),
      ),
    })),
);

describe("v2 figures and the leak rule vs the reference (aggregated outcomes)", () => {
  it("waiting, settled drop-off, rates and the leak agree", () => {
    fc.assert(
      fc.property(outcomesArb, ({ n, units }) => {
        const labels = Array.from({ length: n }, (_, i) => `s${i + 1}`);
        const f = figuresFromCounts(labels, aggregateOutcomes(units, n));
        const naive = naiveFiguresOfUnits(units, n);
        expect(f.steps.map((x) => x.count)).toEqual(naive.counts);
        expect(f.steps.map((x) => x.waiting)).toEqual(naive.waiting);
        expect(f.steps.map((x) => x.inProgress)).toEqual(naive.inProgress);
        expect(f.steps.map((x) => x.dropOff)).toEqual(naive.dropOff);
        expect(f.steps.map((x) => x.settled)).toEqual(naive.settled);
        expect(f.steps.map((x) => x.dropOffRate)).toEqual(naive.dropOffRate);
        expect(f.biggestLeak?.step ?? null).toBe(naive.leakStep);
        // A reason exactly when no leak is named.
        expect(f.noLeak === null).toBe(f.biggestLeak !== null);
        if (f.noLeak?.reason === "too-few-settled") expect(f.noLeak.settled).toBeLessThan(30);
        if (f.noLeak) expect(f.noLeak.finished).toBe(units.filter((u) => !u.inProgress).length);
      }),
      { numRuns: 3000 },
    );
  });

  it("when every unit that did not finish is still in progress, nothing is a drop-off and no leak is named", () => {
    fc.assert(
      fc.property(outcomesArb, ({ n, units }) => {
        const open = units.map((u) => ({ ...u, inProgress: u.furthest < n }));
        const f = figuresFromCounts(
          Array.from({ length: n }, (_, i) => `s${i + 1}`),
          aggregateOutcomes(open, n),
        );
        expect(f.steps.slice(1).every((s) => s.dropOff === 0)).toBe(true);
        expect(f.biggestLeak).toBeNull();
        expect(f.steps.reduce((a, s) => a + s.waiting, 0)).toBe(open.filter((u) => u.inProgress).length);
      }),
      { numRuns: 500 },
    );
  });
});

describe("funnel engine invariants", () => {
  it("counts never increase from one step to the next, and rates stay in [0, 1] or null", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const r = computeFunnel(s.events, s.def, paramsOf(s));
        for (let k = 1; k < r.steps.length; k++) expect(r.steps[k].count).toBeLessThanOrEqual(r.steps[k - 1].count);
        for (const st of r.steps) {
          for (const v of [st.stepConversion, st.overallConversion, st.dropOffRate]) {
            if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("duplicating every event (same ids) changes nothing", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const p = { ...paramsOf(s), trend: "day" as const, breakdown: "device" as const };
        const doubled = [...s.events, ...s.events.map((e) => ({ ...e }))];
        expect(computeFunnel(doubled, s.def, p)).toEqual(computeFunnel(s.events, s.def, p));
      }),
      { numRuns: RUNS },
    );
  });

  it("shuffling the input changes nothing", () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) => fc.shuffledSubarray(s.events, { minLength: s.events.length }).map((shuffled) => ({ s, shuffled }))),
        ({ s, shuffled }) => {
          const p = { ...paramsOf(s), trend: "week" as const, breakdown: "source" as const };
          expect(computeFunnel(shuffled, s.def, p)).toEqual(computeFunnel(s.events, s.def, p));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("breakdown groups and trend buckets add up to the totals", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const r = computeFunnel(s.events, s.def, { ...paramsOf(s), trend: "day", breakdown: "device" });
        const total = (xs: number[][]) => r.steps.map((_, k) => xs.reduce((a, c) => a + c[k], 0));
        expect(total((r.breakdown?.groups ?? []).map((g) => g.steps.map((x) => x.count)))).toEqual(r.steps.map((x) => x.count));
        expect(total((r.trend?.buckets ?? []).map((b) => b.counts))).toEqual(r.steps.map((x) => x.count));
      }),
      { numRuns: 300 },
    );
  });
});
