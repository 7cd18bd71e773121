/**
 * SQL fragments shared by the statements of db/ (the only place that knows the dialect's
 * spellings). Booleans are passed as parameters as they are: the SQLite thread stores them
 * as 0/1 (db/sqlite-thread-worker.ts).
 */
export type Dialect = "sqlite" | "postgres";

/** "($1, $2, …), ($k, …)" for `rows` rows of `width` values, numbered from `start`. */
export function valuesList(rows: number, width: number, start = 1): string {
  const out: string[] = [];
  let n = start;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < width; c++) cells.push(`$${n++}`);
    out.push(`(${cells.join(", ")})`);
  }
  return out.join(", ");
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as the database gives it back: lone surrogates become U+FFFD on both, and SQLite
 * ends text at a NUL (PostgreSQL refuses the statement instead).
 */
export function asStoredText(dialect: Dialect, text: string): string {
  const wellFormed = text.replace(LONE_SURROGATE, "\ufffd");
  const nul = dialect === "sqlite" ? wellFormed.indexOf("\u0000") : -1;
  return nul < 0 ? wellFormed : wellFormed.slice(0, nul);
}

/** Parameter limit per statement (SQLite's default is 32,766; PostgreSQL's 65,535). */
export const MAX_PARAMS = 30_000;

/**
 * The order every transaction locks visitors' rows in (StaleVisitor markers above all):
 * the ingestion writer and the funnel-results refresher both follow it, so neither can
 * hold one visitor while waiting for another that the other holds.
 */
export function visitorLockOrder(a: { shopId: number; clientId: string }, b: { shopId: number; clientId: string }): number {
  return a.shopId - b.shopId || (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0);
}

/** A boolean literal (SQLite has no boolean type: it stores 0/1). */
export function boolSql(dialect: Dialect, value: boolean): string {
  if (dialect === "sqlite") return value ? "1" : "0";
  return value ? "true" : "false";
}

/** A group's text values joined with `sep` (a literal without quotes). */
export function stringAgg(dialect: Dialect, expr: string, sep: string): string {
  return dialect === "sqlite" ? `group_concat(${expr}, '${sep}')` : `string_agg(${expr}, '${sep}')`;
}

/** The smaller of two values (SQLite's two-argument min is its LEAST). */
export function least(dialect: Dialect, a: string, b: string): string {
  return dialect === "sqlite" ? `min(${a}, ${b})` : `LEAST(${a}, ${b})`;
}

/**
 * A row-lock clause for a SELECT inside a write transaction. PostgreSQL only: there it makes
 * concurrent writers of those rows wait; SQLite's write transaction already holds the whole
 * database, and it has no such clause.
 */
export function rowLock(dialect: Dialect, mode: "share" | "update"): string {
  if (dialect === "sqlite") return "";
  return mode === "share" ? " FOR SHARE" : " FOR UPDATE";
}

/**
 * `cols` of `from` where `where` holds, looked up per row of `v` (defined by `cte`, a
 * `WITH v("clientId", …) AS (…)`; `where` ties `from` to v."clientId") through an index
 * that starts (shopId, clientId, …), whatever the planner believes about the tables'
 * sizes. SQLite: a CROSS JOIN keeps v the outer loop. PostgreSQL reorders plain joins by
 * its statistics; on a table it has not analyzed yet (a new database) or since a burst (Black
 * Friday on a young shop) it believed the shop small, scanned all its rows and hash-joined
 * them with v — 190 ms for 25 visitors over 60,000 events; a plain `IN` list read every
 * session of the shop and probed each one's events. There each lookup is a LATERAL
 * subquery behind `OFFSET 0` (which keeps it from being merged into the join), so it runs
 * per visitor. Used by the ingestion writer (db/resession-sql.ts) and the funnel-results
 * refresher (db/queries/results-stale-*.ts).
 */
export function perVisitor(dialect: Dialect, cte: string, cols: string, from: string, where: string): string {
  return dialect === "sqlite"
    ? `${cte} SELECT ${cols} FROM v CROSS JOIN ${from} WHERE ${where}`
    : `${cte} SELECT x.* FROM v CROSS JOIN LATERAL (SELECT ${cols} FROM ${from} WHERE ${where} OFFSET 0) x`;
}

/** `:prefix0, :prefix1, …` for `count` values. */
export function namedList(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `:${prefix}${i}`).join(", ");
}

/** The parameters namedList(prefix, values.length) names. */
export function listParams(prefix: string, values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < values.length; i++) out[`${prefix}${i}`] = values[i];
  return out;
}

/**
 * Memoises a statement builder per shape key: the same few shapes (a batch's size, a
 * funnel's steps) repeat on hot paths, so their texts are built once.
 */
export function memoByKey<K, V>(make: (key: K) => V, max = 200): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let hit = cache.get(key);
    if (hit === undefined) {
      if (cache.size >= max) cache.clear();
      hit = make(key);
      cache.set(key, hit);
    }
    return hit;
  };
}

/**
 * `(:a0, :b0), (:a1, :b1), …` for `count` rows of `columns`: every name once, so SQLite
 * keeps plain `?` placeholders (db/query.ts) on multi-row INSERTs.
 */
export function rowsList(columns: readonly string[], count: number): string {
  const out: string[] = [];
  for (let r = 0; r < count; r++) out.push(`(${columns.map((c) => `:${c}${r}`).join(", ")})`);
  return out.join(", ");
}

/** The parameters rowsList(columns, rows.length) names. */
export function rowsParams<C extends string>(columns: readonly C[], rows: readonly Record<C, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let r = 0; r < rows.length; r++) for (const c of columns) out[`${c}${r}`] = rows[r][c];
  return out;
}
