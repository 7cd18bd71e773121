/**
 * The reduced event stream a report is computed from when its precomputed rows cannot
 * answer (app/services/funnel-results/events-sql.server.ts explains the split of work and
 * the units): one row per unit with an attempt in range, holding its step-matching events
 * from its first attempt on. Output columns: unit, part (number of a re-split session's
 * part, else NULL), lastts, attr, ev (JSON events).
 *
 * The text depends on the funnel's shape (steps, alternatives, filters, unit, breakdown);
 * every user value (event names, filter values, prop keys) is a parameter, named after its
 * place in the definition: `:s0a1` is step 1's second alternative's event name, `:s0a1f2`
 * its third filter's value. Parameters the caller gives: :shopId, :from, :to and, for
 * visitor units, :until (to + window).
 */
import { CHECKOUT_COMPLETED, CHECKOUT_STARTED } from "../../core/funnel";
import { ATTR_COLUMN } from "../../core/funnel/breakdown-attrs";
import { MAX_STEPS, SESSION_GAP_MS, type BreakdownKey, type FunnelDefinition, type StepFilter } from "../../core/types";
import { defineQuery, type Params, type Query } from "../query";
import type { Dialect } from "../sql";

/** Attribute order in an `allAttrs` stream's packed attr. */
export const ATTR_KEYS = Object.keys(ATTR_COLUMN) as BreakdownKey[];

/** What the stream is read for besides the range: one breakdown attribute, or all of them (`allAttrs`: one read serves every breakdown). */
export interface StreamShape {
  breakdown?: BreakdownKey | null;
  allAttrs?: boolean;
}

/** The few expressions spelled differently. Case-sensitive everywhere, as the engine. */
interface DialectSql {
  /** col starts with the text parameter p (LIKE is case-insensitive in SQLite and has wildcards). */
  startsWith(col: string, p: string): string;
  contains(col: string, p: string): string;
  /**
   * String(props[key]) = value, for an own key of the props JSON text, with the filter's
   * parameters named from `name`. Values are scalars (ingest/schema.ts); an array would
   * compare as its JSON text, not as String(array).
   */
  propEquals(name: string, key: string): string;
  /** Collation for event-id tie breaks: byte order, as JS compares ASCII ids. */
  idOrder: string;
  /** JSON text of the group's [ts, seq, mask, id] rows. */
  eventsJson: string;
  /** JSON text of an array of the given columns. */
  packAttrs(cols: string[]): string;
}

/** A prop key a JSON path can address (JSON escapes none of its characters). */
const plainKey = (key: string) => JSON.stringify(key) === `"${key}"`;

const SQLITE: DialectSql = {
  startsWith: (col, p) => `substr(${col}, 1, length(${p})) = ${p}`,
  contains: (col, p) => `instr(${col}, ${p}) > 0`,
  propEquals(name, key) {
    // Props are written by JSON.stringify, so a number's JSON text is exactly String(n):
    // compare the raw JSON text (`->`), strings unquoted (`->>`). A JSON path cannot
    // address keys JSON escapes (quote, backslash, control characters): those go
    // through json_each, comparing numbers by value.
    if (plainKey(key)) {
      const path = `:${name}p`;
      return `(CASE json_type(e."props", ${path}) WHEN 'text' THEN e."props" ->> ${path}
        WHEN 'object' THEN '[object Object]' ELSE e."props" -> ${path} END) = :${name}`;
    }
    const [v, num] = [`:${name}`, `:${name}n`];
    return `EXISTS (SELECT 1 FROM json_each(e."props") j WHERE j.key = :${name}k AND (CASE j.type
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
  propEquals(name) {
    // json (not jsonb) keeps each value's text, so numbers compare as written by
    // JSON.stringify (= String(n)); with duplicate keys the last wins, like JSON.parse.
    const k = `:${name}k`;
    const j = `(e."props"::json -> ${k}::text)`;
    return `(CASE json_typeof(${j}) WHEN 'string' THEN e."props"::json ->> ${k}::text
        WHEN 'object' THEN '[object Object]' ELSE ${j}::text END) = :${name}`;
  },
  idOrder: ` COLLATE "C"`,
  eventsJson: "json_agg(json_build_array(ts, seq, mask, id))::text",
  packAttrs: (cols) => `json_build_array(${cols.join(", ")})::text`,
};

/* Step matching ------------------------------------------------------------------------ */

function filterSql(d: DialectSql, name: string, f: StepFilter): string {
  const p = `:${name}`;
  switch (f.field) {
    case "path":
      if (f.op === "equals") return `e."path" = ${p}`;
      return f.op === "startsWith" ? d.startsWith(`e."path"`, p) : d.contains(`e."path"`, p);
    case "productId":
      return `e."productId" = ${p}`;
    case "prop":
      return d.propEquals(name, f.key);
  }
}

/** A filter's parameters (a superset: each dialect's text names the ones it uses). */
function filterParams(name: string, f: StepFilter, out: Params): void {
  out[name] = f.value;
  if (f.field !== "prop") return;
  out[`${name}k`] = f.key;
  out[`${name}p`] = `$."${f.key}"`;
  const asNumber = Number(f.value);
  out[`${name}n`] = f.value.trim() !== "" && Number.isFinite(asNumber) && String(asNumber) === f.value ? asNumber : null;
}

/**
 * Bitmask of the steps an event (alias e) matches: bit k−1 for step k, like core's
 * compileStepMask. NULL columns make a filter false, as in the engine.
 */
function stepMaskSql(d: DialectSql, def: FunnelDefinition): string {
  return def.steps
    .map((step, i) => {
      const any =
        step.anyOf
          .map((alt, j) => `(${[`e."name" = :s${i}a${j}`, ...alt.filters.map((f, k) => filterSql(d, `s${i}a${j}f${k}`, f))].join(" AND ")})`)
          .join(" OR ") || "1 = 0";
      return `(CASE WHEN ${any} THEN ${2 ** i} ELSE 0 END)`;
    })
    .join(" + ");
}

/** The event names read: the steps', plus the checkout names for session units (a dropped duplicate changes the session split even when it is no step). */
function namesRead(def: FunnelDefinition): string[] {
  const stepNames = [...new Set(def.steps.flatMap((s) => s.anyOf.map((a) => a.event)))];
  return def.unit === "visitor" ? stepNames : [...new Set([...stepNames, CHECKOUT_STARTED, CHECKOUT_COMPLETED])];
}

/* The query --------------------------------------------------------------------------- */

function streamSql(dialect: Dialect, def: FunnelDefinition, shape: StreamShape): string {
  const d = dialect === "sqlite" ? SQLITE : POSTGRES;
  const mask = stepMaskSql(d, def);
  const names = namesRead(def)
    .map((_, i) => `:n${i}`)
    .join(", ");
  const attr = shape.allAttrs ? d.packAttrs(ATTR_KEYS.map((k) => `s."${ATTR_COLUMN[k]}"`)) : shape.breakdown ? `s."${ATTR_COLUMN[shape.breakdown]}"` : "NULL";

  // The engine's duplicate rules (core/funnel/dedupe) over the loaded events: of the
  // checkout_started sharing a token / checkout_completed sharing an order id, all but
  // the first by (ts, seq, id) are dropped. Ingestion's unique dedupeKey normally leaves
  // nothing to drop; this keeps rows stored without a key exact too.
  const dropped = `dropped AS MATERIALIZED (
    SELECT id, unit FROM (
      SELECT id, unit, ROW_NUMBER() OVER (
        PARTITION BY name, CASE WHEN name = :checkoutStarted THEN tok ELSE oid END
        ORDER BY ts, seq, id${d.idOrder}) AS rn
      FROM r WHERE (name = :checkoutStarted AND tok IS NOT NULL) OR (name = :checkoutCompleted AND oid IS NOT NULL)
    ) x WHERE rn > 1
  )`;

  // Where each unit's first attempt starts (NULL: no attempt in range). Earlier events
  // can change nothing (equal timestamps stay: ties count in the funnel's favour).
  // A window rather than a GROUP BY + join: planners misjudge joins of CTEs.
  const t0 = `MIN(CASE WHEN (mask & 1) = 1 AND ts < :to THEN ts END) OVER (PARTITION BY unit)`;

  if (def.unit === "visitor") {
    // loadReportEvents' rows for visitors: non-bot events in [from, to + window]. Only
    // step names are read: no session logic here, so a dropped duplicate matters only
    // when checkouts are steps.
    const stepNames = namesRead(def);
    const dedupe = stepNames.includes(CHECKOUT_STARTED) || stepNames.includes(CHECKOUT_COMPLETED);
    return `WITH r AS MATERIALIZED (
      SELECT e."clientId" AS unit, e."eventId" AS id, e."ts" AS ts, e."seq" AS seq, e."name" AS name,
        e."checkoutToken" AS tok, e."orderId" AS oid, ${attr} AS attr, ${mask} AS mask
      FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
      WHERE e."shopId" = :shopId AND e."isBot" = false AND e."ts" >= :from AND e."ts" <= :until
        AND e."name" IN (${names})
    ),
    ${dedupe ? dropped : "dropped AS (SELECT id FROM r WHERE 1 = 0)"},
    k AS (
      SELECT unit, id, ts, seq, mask, attr, ${t0} AS t0
      FROM r WHERE mask <> 0 AND id NOT IN (SELECT id FROM dropped)
    )
    SELECT unit, NULL AS part, NULL AS lastts, attr, ${d.eventsJson} AS ev
    FROM k WHERE ts >= t0 GROUP BY unit, attr`;
  }

  // Session units. loadReportEvents' rows: non-bot events from `from` on, of stored
  // sessions overlapping [from, to).
  return `WITH r AS MATERIALIZED (
    SELECT e."sessionId" AS unit, e."eventId" AS id, e."ts" AS ts, e."seq" AS seq, e."name" AS name,
      e."checkoutToken" AS tok, e."orderId" AS oid, ${mask} AS mask,
      s."endTs" AS lastts, s."isBot" AS sbot, ${attr} AS attr
    FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
    WHERE e."shopId" = :shopId AND e."isBot" = false AND e."ts" >= :from
      AND s."startTs" < :to AND s."endTs" >= :from AND e."name" IN (${names})
  ),
  ${dropped},
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
      CASE WHEN e."ts" - LAG(e."ts") OVER (PARTITION BY e."sessionId" ORDER BY e."ts") > :gap THEN 1 ELSE 0 END AS brk
    FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
    WHERE e."shopId" = :shopId AND e."isBot" = false AND e."ts" >= :from
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
}

export type Row = {
  unit: string;
  part: number | bigint | string | null;
  lastts: number | bigint | null;
  attr: string | number | boolean | bigint | null;
  /** JSON array of [ts, seq, mask, id]. */
  ev: string;
};

/**
 * The stream's statement for a funnel and what it is read for, with the parameters the
 * definition carries; the caller adds :shopId, :from, :to and :until.
 */
export default function reportFunnelStream(def: FunnelDefinition, shape: StreamShape): { query: Query<Params, Row>; params: Params } {
  if (def.steps.length < 1 || def.steps.length > MAX_STEPS) throw new RangeError(`a funnel has 1..${MAX_STEPS} steps`);
  const params: Params = { checkoutStarted: CHECKOUT_STARTED, checkoutCompleted: CHECKOUT_COMPLETED, gap: SESSION_GAP_MS };
  def.steps.forEach((step, i) =>
    step.anyOf.forEach((alt, j) => {
      params[`s${i}a${j}`] = alt.event;
      alt.filters.forEach((f, k) => filterParams(`s${i}a${j}f${k}`, f, params));
    }),
  );
  namesRead(def).forEach((name, i) => (params[`n${i}`] = name));
  return { query: defineQuery<Params, Row>("report-funnel-stream", (dialect) => streamSql(dialect, def, shape)), params };
}
