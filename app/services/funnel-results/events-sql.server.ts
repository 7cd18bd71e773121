/**
 * The report from the events (while a funnel's rows are building, and for ranges they
 * cannot answer), with the heavy lifting in the database: this file is the SQL part, the
 * reduced stream; events-report.server.ts runs the engine over it.
 *
 * The reference is the pure engine over the report's events:
 *   computeFunnel(await loadReportEvents(db, shopId, …), def, params)
 * and funnelAggregateSql returns exactly the same report (test/integration/funnel-sql.test.ts
 * proves it on generated data, on both databases).
 *
 * Split of the work:
 * - SQL does what touches every event: the shop/range/bot filter of loadReportEvents,
 *   step matching (each step's alternatives and filters compiled to one bitmask
 *   expression, every user value a bound parameter), the engine's duplicate rules,
 *   the unit of each event, and the reduction to the few rows that can change a result:
 *   step-matching events of units that have an attempt in range, from their first
 *   attempt on. Unrelated events (page views, scrolls…) never leave the database.
 * - JS runs the engine itself (computeFunnel) over that reduced stream, so attempts,
 *   ties, one-event-per-step matching, windows, in-progress, breakdown, trend and every
 *   figure come from core and cannot drift from it. Each row becomes a stand-in event
 *   whose step bitmask is carried in props and read back by a stand-in definition.
 *
 * Units
 * - session: the engine re-sessionizes the loaded events (bots and dropped duplicates
 *   removed). Stored sessions already are that split of *all* stored events, so a
 *   stored session without bot events or dropped duplicates ("clean": nearly all) is
 *   one engine session and its endTs is the unit's last event. Only "dirty" entered
 *   sessions are split again in SQL (gap > 30 min among their kept events).
 *   This relies on ingestion's invariant: a stored session is a maximal run of one
 *   visitor's events with no gap over 30 minutes (ingest/sessions.ts).
 * - visitor: the clientId; no session logic.
 */
import { CHECKOUT_COMPLETED, CHECKOUT_STARTED, type FunnelParams } from "../../../core/funnel";
import {
  MAX_STEPS,
  SESSION_GAP_MS,
  type BreakdownKey,
  type FunnelDefinition,
  type FunnelStepDef,
  type StepFilter,
  type StepMatcher,
} from "../../../core/types";
import type { Db, DbDialect } from "../../../db/prisma";
import { ATTR_COLUMN, type AttrValue } from "../../../core/funnel/breakdown-attrs";

/**
 * One unit of the reduced stream: its step-matching events from its first attempt on.
 * Only units with an attempt in range are returned.
 */
export interface FunnelStreamUnit {
  /** Visitor id, or stored session id ("#part" appended when a session was split again). */
  unit: string;
  /** Session units: ts of the unit's last event (any name), for in-progress. Else null. */
  lastTs: number | null;
  /**
   * The breakdown attribute of the unit's stored session, when one was asked for; with
   * `allAttrs`, every attribute as JSON text in ATTR_KEYS order (see attrOf).
   */
  attr: AttrValue;
  /** [ts, seq, step bitmask (bit k−1 = step k), event id], in no particular order. */
  events: [number, number, number, string][];
}

/** Runs the SQL part: the reduced stream the report is computed from. */
export async function loadFunnelStream(db: Db, dialect: DbDialect, shopId: number, def: FunnelDefinition, params: StreamParams): Promise<FunnelStreamUnit[]> {
  const { text, values } = funnelStreamSql(dialect, shopId, def, params);
  const raw = await db.$queryRawUnsafe<RawUnit[]>(text, ...values);
  return raw.map((r) => ({
    unit: r.part === null || r.part === undefined ? r.unit : `${r.unit}#${r.part}`,
    lastTs: r.lastts === null || r.lastts === undefined ? null : Number(r.lastts),
    attr: r.attr ?? null,
    events: JSON.parse(r.ev),
  }));
}

/** What the stream is read for: the range, and one breakdown attribute or all of them (`allAttrs`: one read serves every breakdown). */
export type StreamParams = Pick<FunnelParams, "from" | "to" | "breakdown"> & { allAttrs?: boolean };

/** Attribute order in an `allAttrs` stream's packed attr. */
export const ATTR_KEYS = Object.keys(ATTR_COLUMN) as BreakdownKey[];

/** One attribute of a unit read with `allAttrs`. */
export function attrOf(unit: FunnelStreamUnit, key: BreakdownKey): AttrValue {
  return (JSON.parse(String(unit.attr)) as AttrValue[])[ATTR_KEYS.indexOf(key)] ?? null;
}

type RawUnit = {
  unit: string;
  part: number | bigint | string | null;
  lastts: number | bigint | null;
  attr: AttrValue;
  /** JSON array of [ts, seq, mask, id]. */
  ev: string;
};

/* ------------------------------------------------------------------------------------ */
/* Dialects                                                                             */
/* ------------------------------------------------------------------------------------ */

/**
 * Bound parameters, numbered explicitly. SQLite binds "$n" by order of first appearance
 * (not by n), so it gets "?n", which is positional; PostgreSQL takes "$n".
 */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: DbDialect) {}
  add(value: unknown): string {
    this.values.push(value);
    const n = this.values.length;
    return this.dialect === "sqlite" ? `?${n}` : `$${n}`;
  }
}

/** The few expressions spelled differently. Case-sensitive everywhere, as the engine. */
interface DialectSql {
  /** col starts with the text param p (LIKE is case-insensitive in SQLite and has wildcards). */
  startsWith(col: string, p: string): string;
  contains(col: string, p: string): string;
  /**
   * String(props[key]) = value, for an own key of the props JSON text. Values are scalars
   * (ingest/schema.ts); an array would compare as its JSON text, not as String(array).
   */
  propEquals(ps: Params, key: string, value: string): string;
  /** Collation for event-id tie breaks: byte order, as JS compares ASCII ids. */
  idOrder: string;
  /** JSON text of the group's [ts, seq, mask, id] rows. */
  eventsJson: string;
  /** JSON text of an array of the given columns. */
  packAttrs(cols: string[]): string;
}

const SQLITE: DialectSql = {
  startsWith: (col, p) => `substr(${col}, 1, length(${p})) = ${p}`,
  contains: (col, p) => `instr(${col}, ${p}) > 0`,
  propEquals(ps, key, value) {
    // Props are written by JSON.stringify, so a number's JSON text is exactly String(n):
    // compare the raw JSON text (`->`), strings unquoted (`->>`). A JSON path cannot
    // address keys JSON escapes (quote, backslash, control characters): those go
    // through json_each, comparing numbers by value.
    if (JSON.stringify(key) === `"${key}"`) {
      const path = ps.add(`$."${key}"`);
      return `(CASE json_type(e."props", ${path}) WHEN 'text' THEN e."props" ->> ${path}
        WHEN 'object' THEN '[object Object]' ELSE e."props" -> ${path} END) = ${ps.add(value)}`;
    }
    const v = ps.add(value);
    const asNumber = Number(value);
    const num = ps.add(value.trim() !== "" && Number.isFinite(asNumber) && String(asNumber) === value ? asNumber : null);
    return `EXISTS (SELECT 1 FROM json_each(e."props") j WHERE j.key = ${ps.add(key)} AND (CASE j.type
        WHEN 'text' THEN j.value = ${v} WHEN 'integer' THEN j.value = ${num} WHEN 'real' THEN j.value = ${num}
        WHEN 'object' THEN ${v} = '[object Object]' ELSE j.type IN ('true', 'false', 'null') AND j.type = ${v} END))`;
  },
  idOrder: "",
  eventsJson: "json_group_array(json_array(ts, seq, mask, id))",
  packAttrs: (cols) => `json_array(${cols.join(", ")})`,
};

const POSTGRES: DialectSql = {
  startsWith: (col, p) => `starts_with(${col}, ${p})`,
  contains: (col, p) => `strpos(${col}, ${p}) > 0`,
  propEquals(ps, key, value) {
    // json (not jsonb) keeps each value's text, so numbers compare as written by
    // JSON.stringify (= String(n)); with duplicate keys the last wins, like JSON.parse.
    const k = ps.add(key);
    const j = `(e."props"::json -> ${k}::text)`;
    return `(CASE json_typeof(${j}) WHEN 'string' THEN e."props"::json ->> ${k}::text
        WHEN 'object' THEN '[object Object]' ELSE ${j}::text END) = ${ps.add(value)}`;
  },
  idOrder: ` COLLATE "C"`,
  eventsJson: "json_agg(json_build_array(ts, seq, mask, id))::text",
  packAttrs: (cols) => `json_build_array(${cols.join(", ")})::text`,
};

/* ------------------------------------------------------------------------------------ */
/* Step matching                                                                        */
/* ------------------------------------------------------------------------------------ */

function filterSql(d: DialectSql, ps: Params, f: StepFilter): string {
  switch (f.field) {
    case "path": {
      const p = ps.add(f.value);
      if (f.op === "equals") return `e."path" = ${p}`;
      return f.op === "startsWith" ? d.startsWith(`e."path"`, p) : d.contains(`e."path"`, p);
    }
    case "productId":
      return `e."productId" = ${ps.add(f.value)}`;
    case "prop":
      return d.propEquals(ps, f.key, f.value);
  }
}

function alternativeSql(d: DialectSql, ps: Params, alt: StepMatcher): string {
  return [`e."name" = ${ps.add(alt.event)}`, ...alt.filters.map((f) => filterSql(d, ps, f))].join(" AND ");
}

/**
 * Bitmask of the steps an event (alias e) matches: bit k−1 for step k, like
 * core's compileStepMask. NULL columns make a filter false, as in the engine.
 */
function stepMaskSql(dialect: DbDialect, ps: Params, steps: readonly FunnelStepDef[]): string {
  const d = dialect === "sqlite" ? SQLITE : POSTGRES;
  return steps
    .map((step, i) => {
      const any = step.anyOf.map((alt) => `(${alternativeSql(d, ps, alt)})`).join(" OR ") || "1 = 0";
      return `(CASE WHEN ${any} THEN ${2 ** i} ELSE 0 END)`;
    })
    .join(" + ");
}

/* ------------------------------------------------------------------------------------ */
/* The query                                                                            */
/* ------------------------------------------------------------------------------------ */

/**
 * SQL and parameters of the reduced stream, one row per unit. Output columns: unit,
 * part (number of a re-split session's part, else NULL), lastts, attr, ev (JSON events).
 */
export function funnelStreamSql(dialect: DbDialect, shopId: number, def: FunnelDefinition, params: StreamParams): { text: string; values: unknown[] } {
  if (def.steps.length < 1 || def.steps.length > MAX_STEPS) throw new RangeError(`a funnel has 1..${MAX_STEPS} steps`);
  const d = dialect === "sqlite" ? SQLITE : POSTGRES;
  const ps = new Params(dialect);
  const shop = ps.add(shopId);
  const from = ps.add(params.from);
  const to = ps.add(params.to);
  const mask = stepMaskSql(dialect, ps, def.steps);
  const stepNames = [...new Set(def.steps.flatMap((s) => s.anyOf.map((a) => a.event)))];
  const attr = params.allAttrs
    ? d.packAttrs(ATTR_KEYS.map((k) => `s."${ATTR_COLUMN[k]}"`))
    : params.breakdown
      ? `s."${ATTR_COLUMN[params.breakdown]}"`
      : "NULL";

  // The engine's duplicate rules (core/funnel/dedupe) over the loaded events: of the
  // checkout_started sharing a token / checkout_completed sharing an order id, all but
  // the first by (ts, seq, id) are dropped. Ingestion's unique dedupeKey normally leaves
  // nothing to drop; this keeps rows stored without a key exact too. (A function: PostgreSQL
  // refuses parameters a statement does not use.)
  const dropped = (started = ps.add(CHECKOUT_STARTED), completed = ps.add(CHECKOUT_COMPLETED)) => `dropped AS MATERIALIZED (
    SELECT id, unit FROM (
      SELECT id, unit, ROW_NUMBER() OVER (
        PARTITION BY name, CASE WHEN name = ${started} THEN tok ELSE oid END
        ORDER BY ts, seq, id${d.idOrder}) AS rn
      FROM r WHERE (name = ${started} AND tok IS NOT NULL) OR (name = ${completed} AND oid IS NOT NULL)
    ) x WHERE rn > 1
  )`;

  // Where each unit's first attempt starts (NULL: no attempt in range). Earlier events
  // can change nothing (equal timestamps stay: ties count in the funnel's favour).
  // A window rather than a GROUP BY + join: planners misjudge joins of CTEs.
  const t0 = `MIN(CASE WHEN (mask & 1) = 1 AND ts < ${to} THEN ts END) OVER (PARTITION BY unit)`;

  if (def.unit === "visitor") {
    // loadReportEvents' rows for visitors: non-bot events in [from, to + window]. Only
    // step names are read: no session logic here, so a dropped duplicate matters only
    // when checkouts are steps.
    const until = ps.add(params.to + def.windowMs);
    const names = stepNames.map((n) => ps.add(n)).join(", ");
    const dedupe = stepNames.includes(CHECKOUT_STARTED) || stepNames.includes(CHECKOUT_COMPLETED);
    const text = `WITH r AS MATERIALIZED (
      SELECT e."clientId" AS unit, e."eventId" AS id, e."ts" AS ts, e."seq" AS seq, e."name" AS name,
        e."checkoutToken" AS tok, e."orderId" AS oid, ${attr} AS attr, ${mask} AS mask
      FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
      WHERE e."shopId" = ${shop} AND e."isBot" = false AND e."ts" >= ${from} AND e."ts" <= ${until}
        AND e."name" IN (${names})
    ),
    ${dedupe ? dropped() : "dropped AS (SELECT id FROM r WHERE 1 = 0)"},
    k AS (
      SELECT unit, id, ts, seq, mask, attr, ${t0} AS t0
      FROM r WHERE mask <> 0 AND id NOT IN (SELECT id FROM dropped)
    )
    SELECT unit, NULL AS part, NULL AS lastts, attr, ${d.eventsJson} AS ev
    FROM k WHERE ts >= t0 GROUP BY unit, attr`;
    return { text, values: ps.values };
  }

  // Session units. loadReportEvents' rows: non-bot events from `from` on, of stored
  // sessions overlapping [from, to). Step names plus the checkout names (a dropped
  // duplicate changes the session split even when it is no step).
  const names = [...new Set([...stepNames, CHECKOUT_STARTED, CHECKOUT_COMPLETED])].map((n) => ps.add(n)).join(", ");
  const gap = ps.add(SESSION_GAP_MS);
  const text = `WITH r AS MATERIALIZED (
    SELECT e."sessionId" AS unit, e."eventId" AS id, e."ts" AS ts, e."seq" AS seq, e."name" AS name,
      e."checkoutToken" AS tok, e."orderId" AS oid, ${mask} AS mask,
      s."endTs" AS lastts, s."isBot" AS sbot, ${attr} AS attr
    FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
    WHERE e."shopId" = ${shop} AND e."isBot" = false AND e."ts" >= ${from}
      AND s."startTs" < ${to} AND s."endTs" >= ${from} AND e."name" IN (${names})
  ),
  ${dropped()},
  -- A clean session (no bot event, no dropped duplicate) is one engine session whose
  -- last event is the stored endTs; a dirty one is split again below.
  k AS MATERIALIZED (
    SELECT unit, id, ts, seq, mask, lastts, attr, ${t0} AS t0,
      CASE WHEN sbot = true OR unit IN (SELECT unit FROM dropped) THEN 1 ELSE 0 END AS dirty
    FROM r WHERE mask <> 0 AND id NOT IN (SELECT id FROM dropped)
  ),
  -- Dirty sessions: all their kept events, split where the gap exceeds 30 minutes, like
  -- core's sessionize. A running sum of gap flags numbers the parts; its default RANGE
  -- frame gives rows of equal ts the same part whatever their order.
  dev AS (
    SELECT e."sessionId" AS unit, e."eventId" AS id, e."ts" AS ts, e."seq" AS seq, ${mask} AS mask, ${attr} AS attr,
      CASE WHEN e."ts" - LAG(e."ts") OVER (PARTITION BY e."sessionId" ORDER BY e."ts") > ${gap} THEN 1 ELSE 0 END AS brk
    FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
    WHERE e."shopId" = ${shop} AND e."isBot" = false AND e."ts" >= ${from}
      AND e."sessionId" IN (SELECT unit FROM k WHERE dirty = 1 AND t0 IS NOT NULL)
      AND e."eventId" NOT IN (SELECT id FROM dropped)
  ),
  dparts AS (
    SELECT unit, id, ts, seq, mask, attr, ${t0} AS t0, SUM(brk) OVER (PARTITION BY unit ORDER BY ts) AS part FROM dev
  ),
  dunits AS (
    SELECT unit, part, id, ts, seq, mask, attr, t0, MAX(ts) OVER (PARTITION BY unit, part) AS lastts FROM dparts
  )
  -- One row per unit (far fewer rows to ship than events).
  SELECT unit, NULL AS part, lastts, attr, ${d.eventsJson} AS ev
  FROM k WHERE dirty = 0 AND ts >= t0 GROUP BY unit, lastts, attr
  UNION ALL
  SELECT unit, part, lastts, attr, ${d.eventsJson} AS ev
  FROM dunits WHERE mask <> 0 AND ts >= t0 GROUP BY unit, part, lastts, attr`;
  return { text, values: ps.values };
}
