/** Raw SQL shared by SQLite and PostgreSQL: `$n` placeholders work in both. */
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

/** SQLite stores booleans as 0/1; PostgreSQL has a real boolean. */
export function bool(dialect: Dialect, value: boolean): boolean | number {
  return dialect === "sqlite" ? (value ? 1 : 0) : value;
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
