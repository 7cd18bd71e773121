/**
 * The report from the events, JS side: the pure engine over the reduced stream that
 * events-sql.server.ts loads. Equal to computeFunnel over the report's events
 * (test/integration/funnel-sql.test.ts).
 */
import { computeFunnel, computeUnitResults, type Breakdown, type FunnelParams, type FunnelReport, type UnitResult } from "../../../core/funnel";
import { SESSION_GAP_MS, type BreakdownKey, type CoreEvent, type EntryAttributes, type FunnelDefinition } from "../../../core/types";
import type { Db, DbDialect } from "../../../db/prisma";
import { attrsOf, type AttrValue } from "../../../core/funnel/breakdown-attrs";
import { ATTR_KEYS, attrOf, loadFunnelStream, type FunnelStreamUnit } from "./events-sql.server";

/**
 * The engine's report over the reduced stream. Each event becomes one named "step"
 * whose props hold one key per matched step; the stand-in definition's step k matches
 * props["k"] = "1", so core's compileStepMask rebuilds the same mask. Ids and seqs are
 * the real ones: the engine's order among equal timestamps is (seq, id).
 * Session units also get events with no step every ≤ 30 minutes between their events
 * and at the unit's last event, so core's sessionize sees one session per unit ending
 * where the real one ends (in-progress). Nothing else in the engine looks at events
 * that match no step.
 */
export function reportFromStream(units: readonly FunnelStreamUnit[], def: FunnelDefinition, params: FunnelParams): FunnelReport {
  const { events, standInDef } = streamEvents(units, def, (u) => attrsOf(params.breakdown, u.attr));
  return computeFunnel(events, standInDef, params);
}

/** The stream as stand-in events, each unit's carrying `attrs(unit)`, and the definition that matches them. */
function streamEvents(units: readonly FunnelStreamUnit[], def: FunnelDefinition, attrsOfUnit: (u: FunnelStreamUnit) => EntryAttributes) {
  const standInDef: FunnelDefinition = {
    unit: def.unit,
    windowMs: def.windowMs,
    steps: def.steps.map((s, i) => ({
      label: s.label,
      anyOf: [{ event: STANDIN_NAME, filters: [{ field: "prop", key: String(i), op: "equals", value: "1" }] }],
    })),
  };
  const maskProps = new Map<number, Record<string, string>>();
  const propsOf = (mask: number) => {
    let props = maskProps.get(mask);
    if (!props) {
      props = {};
      for (let i = 0, m = mask; m !== 0; i++, m >>>= 1) if (m & 1) props[i] = "1";
      maskProps.set(mask, props);
    }
    return props;
  };
  const events: CoreEvent[] = [];
  let spans = 0;
  for (const u of units) {
    const attrs = attrsOfUnit(u);
    for (const [ts, seq, mask, id] of u.events) {
      // "e" + id keeps the ids' order and cannot collide with the span events' "f…".
      events.push({ ...BLANK, id: `e${id}`, name: STANDIN_NAME, ts, seq, visitorId: u.unit, props: propsOf(mask), attrs });
    }
    if (def.unit === "session") {
      for (const ts of spanTimes(u)) events.push({ ...BLANK, id: `f${spans++}`, ts, visitorId: u.unit, attrs });
    }
  }
  return { events, standInDef };
}

const STANDIN_NAME = "step";

const BLANK: CoreEvent = {
  id: "",
  name: "-",
  ts: 0,
  seq: 0,
  visitorId: "",
  path: null,
  productId: null,
  checkoutToken: null,
  orderId: null,
  customerId: null,
  props: {},
  attrs: attrsOf(undefined, null),
};

/** Times of no-step events: ≤ 30 minutes apart across the unit's gaps, and its last event. */
function spanTimes(u: FunnelStreamUnit): number[] {
  const ts = u.events.map((e) => e[0]).sort((a, b) => a - b);
  const last = ts[ts.length - 1];
  const lastTs = u.lastTs ?? last;
  if (lastTs > last) ts.push(lastTs);
  const out: number[] = [];
  for (let i = 1; i < ts.length; i++) {
    for (let t = ts[i - 1] + SESSION_GAP_MS; t < ts[i]; t += SESSION_GAP_MS) out.push(t);
  }
  if (lastTs > last) out.push(lastTs);
  return out;
}

/**
 * The funnel report for [from, to) computed in the database; identical to
 * computeFunnel(loadReportEvents(…), def, params), breakdown and trend included.
 */
export async function funnelAggregateSql(db: Db, dialect: DbDialect, shopId: number, def: FunnelDefinition, params: FunnelParams): Promise<FunnelReport> {
  const rows = await loadFunnelStream(db, dialect, shopId, def, params);
  return reportFromStream(rows, def, params);
}

/**
 * One breakdown per key (no step times, no trend), from one read of the stream with every
 * attribute: each equals funnelAggregateSql's breakdown for that key, at a seventh of the
 * database work of reading the stream once per key (a step diagnosis asks for six).
 */
export async function funnelBreakdownsSql(
  db: Db,
  dialect: DbDialect,
  shopId: number,
  def: FunnelDefinition,
  params: Omit<FunnelParams, "breakdown" | "trend" | "stepTimes">,
  keys: readonly BreakdownKey[],
): Promise<Breakdown[]> {
  const units = await loadFunnelStream(db, dialect, shopId, def, { from: params.from, to: params.to, allAttrs: true });
  return keys.map((key) => {
    const own = units.map((u) => ({ ...u, attr: attrOf(u, key) }));
    return reportFromStream(own, def, { ...params, breakdown: key, stepTimes: false }).breakdown!;
  });
}

/**
 * Every unit's result over [from, to) with all its entry attributes (no product: the
 * stream does not carry it), from one read of the stream: what a step diagnosis scans
 * when the precomputed rows cannot answer. Equal to computeUnitResults over the events.
 */
export async function funnelUnitsSql(
  db: Db,
  dialect: DbDialect,
  shopId: number,
  def: FunnelDefinition,
  params: Omit<FunnelParams, "breakdown" | "trend" | "stepTimes">,
): Promise<UnitResult[]> {
  const units = await loadFunnelStream(db, dialect, shopId, def, { from: params.from, to: params.to, allAttrs: true });
  const { events, standInDef } = streamEvents(units, def, (u) => {
    const packed = JSON.parse(String(u.attr)) as AttrValue[];
    const attrs = attrsOf(undefined, null);
    ATTR_KEYS.forEach((key, i) => Object.assign(attrs, { [key]: attrsOf(key, packed[i] ?? null)[key] }));
    return attrs;
  });
  return computeUnitResults(events, standInDef, params);
}
