/**
 * Raw SQL shared by SQLite and PostgreSQL: `$n` placeholders work in both. Booleans are
 * passed as they are: the SQLite thread stores them as 0/1 (db/sqlite-thread-worker.ts).
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

/** A boolean written into a statement's text: SQLite has no boolean literals (0 and 1), PostgreSQL `false`/`true`. */
export function boolLiteral(dialect: Dialect, b: boolean): string {
  if (dialect === "sqlite") return b ? "1" : "0";
  return b ? "true" : "false";
}
