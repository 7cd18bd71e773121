/**
 * The statements that re-derive many visitors' sessions at once (ingest/writer.server.ts).
 * Each visitor is a row of `v("clientId", "lo", "hi")`, parameters $1…$3n, and the shop
 * goes last as $3n+1, so SQLite gets plain `?` placeholders (see the executor).
 *
 * Every table is read per visitor, through an index that starts (shopId, clientId, …),
 * whatever the planner believes about the tables' sizes: perVisitor (db/sql.ts) says how.
 */
import { perVisitor, valuesList, type Dialect } from "./sql";

/** `WITH v("clientId", "lo", "hi") AS (VALUES …)`. PostgreSQL types a VALUES column by its first row: one cast is enough. */
export function spansCte(dialect: Dialect, count: number): string {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const cast = dialect === "postgres" && i === 0 ? "::bigint" : "";
    rows.push(`($${3 * i + 1}, $${3 * i + 2}${cast}, $${3 * i + 3}${cast})`);
  }
  return `WITH v("clientId", "lo", "hi") AS (VALUES ${rows.join(", ")})`;
}

/** `cols` of `table` (aliased `alias`) matching `where` for each row of v (db/sql.ts perVisitor). */
function perVisitorRows(dialect: Dialect, count: number, cols: string, table: string, alias: string, where: string): string {
  return perVisitor(dialect, spansCte(dialect, count), cols, `"${table}" ${alias}`, where);
}

const shopParam = (count: number) => `$${3 * count + 1}`;

/** The visitors' sessions that overlap their spans (v.lo…v.hi). */
export function overlappingSessionsSql(dialect: Dialect, count: number): string {
  return perVisitorRows(
    dialect,
    count,
    `s."clientId", s."startTs", s."endTs"`,
    "VisitorSession",
    "s",
    `s."shopId" = ${shopParam(count)} AND s."clientId" = v."clientId" AND s."startTs" <= v."hi" AND s."endTs" >= v."lo"`,
  );
}

/**
 * The visitors' events in their spans. On PostgreSQL the span is a (clientId, ts) row
 * range, which only the (shopId, clientId, ts) index can bound: with plain ts bounds and
 * statistics older than the events, the planner sometimes took (shopId, ts).
 */
export function spanEventsSql(dialect: Dialect, count: number): string {
  const inSpan =
    dialect === "postgres"
      ? `(e."clientId", e."ts") >= (v."clientId", v."lo") AND (e."clientId", e."ts") <= (v."clientId", v."hi")`
      : `e."clientId" = v."clientId" AND e."ts" >= v."lo" AND e."ts" <= v."hi"`;
  const cols = `e."eventId", e."name", e."ts", e."seq", e."clientId", e."sessionId", e."path", e."url", e."referrer", e."utmSource",
      e."utmMedium", e."utmCampaign", e."device", e."customerId", e."isBot"`;
  return perVisitorRows(dialect, count, cols, "Event", "e", `e."shopId" = ${shopParam(count)} AND ${inSpan}`);
}

/** The sessions being replaced: every session of the visitor that starts in the span. */
export function replacedSessionsSql(dialect: Dialect, count: number): string {
  return perVisitorRows(
    dialect,
    count,
    `s."clientId", s."id", s."startTs", s."endTs", s."isBot", s."addToCart", s."checkoutStart", s."purchase"`,
    "VisitorSession",
    "s",
    `s."shopId" = ${shopParam(count)} AND s."clientId" = v."clientId" AND s."startTs" >= v."lo" AND s."startTs" <= v."hi"`,
  );
}

/** Visitors with a session before their span (so they are returning visitors there). */
export function earlierSessionSql(dialect: Dialect, count: number): string {
  const earlier = `s."shopId" = ${shopParam(count)} AND s."clientId" = v."clientId" AND s."startTs" < v."lo"`;
  return dialect === "sqlite"
    ? `${spansCte(dialect, count)} SELECT v."clientId" FROM v WHERE EXISTS (SELECT 1 FROM "VisitorSession" s WHERE ${earlier})`
    : `${spansCte(dialect, count)} SELECT v."clientId" FROM v CROSS JOIN LATERAL (SELECT 1 FROM "VisitorSession" s WHERE ${earlier} LIMIT 1) s`;
}

/**
 * PostgreSQL: an UPDATE of `table`'s rows that `lookup` finds per row of `source`. The
 * lookup runs per row (LATERAL … OFFSET 0, as above) and locks what it finds (FOR UPDATE:
 * a row another transaction changed meanwhile is found in its newest version), and the
 * UPDATE reaches the rows by their physical address (ctid), so no join order can turn it
 * into a scan of the shop.
 */
function updateFound(cte: string, source: string, table: string, alias: string, lookup: string, set: string, sourceCols: string): string {
  return `${cte}, m AS (SELECT x.ctid AS t${sourceCols} FROM ${source} CROSS JOIN LATERAL (SELECT ctid FROM "${table}" ${alias} WHERE ${lookup} OFFSET 0 FOR UPDATE) x)
    UPDATE "${table}" SET ${set} FROM m WHERE "${table}".ctid = m.t`;
}

/**
 * Sessions after the span of visitors whose span holds their first session: a late batch
 * may have moved it earlier, so those can no longer be "new".
 */
export function laterSessionsReturningSql(dialect: Dialect, count: number): string {
  const later = (t: string) =>
    `${t}."shopId" = ${shopParam(count)} AND ${t}."clientId" = v."clientId" AND ${t}."startTs" > v."hi" AND ${t}."visitorType" = 'new'`;
  return dialect === "sqlite"
    ? `${spansCte(dialect, count)} UPDATE "VisitorSession" SET "visitorType" = 'returning' FROM v WHERE ${later('"VisitorSession"')}`
    : updateFound(spansCte(dialect, count), "v", "VisitorSession", "s", later("s"), `"visitorType" = 'returning'`, "");
}

/** Moves events to sessions: parameters are (eventId, sessionId) pairs, then the shop. */
export function moveEventsSql(dialect: Dialect, pairs: number): string {
  const cte = `WITH u("eventId", "sessionId") AS (VALUES ${valuesList(pairs, 2)})`;
  const shop = `$${2 * pairs + 1}`;
  return dialect === "sqlite"
    ? `${cte} UPDATE "Event" SET "sessionId" = u."sessionId" FROM u WHERE "Event"."shopId" = ${shop} AND "Event"."eventId" = u."eventId"`
    : updateFound(cte, "u", "Event", "e", `e."shopId" = ${shop} AND e."eventId" = u."eventId"`, `"sessionId" = m."sessionId"`, `, u."sessionId"`);
}
