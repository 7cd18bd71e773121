/**
 * Raw SQL on a SQLite connection as the executor's SqlTx: `$n` placeholders rewritten for
 * SQLite and rows made objects. Used on the server's thread (db/executor.ts, over the
 * SQLite thread's answers) and inside the SQLite thread by procedures (db/sqlite-thread-worker.ts).
 */
import type { SqlTx } from "./executor";
import type { SqliteAnswer } from "./sqlite-thread";

// SQLite: `$NNN` would be a named parameter bound by first appearance, so placeholders
// are rewritten. When they run $1, $2, … once each in order (every multi-row INSERT here),
// plain `?` is used: numbered `?NNN` made 1,000-row INSERTs ~20× slower per row (measured
// in bench/). Otherwise `?NNN` keeps repeated or reordered parameters right.
// The same few statement shapes repeat (a 500-row INSERT has 13,000 placeholders to scan),
// so conversions are kept: the profile showed toSqlite at 9 % of the server's thread.
const converted = new Map<string, string>();
export function toSqlite(sql: string): string {
  let out = converted.get(sql);
  if (out !== undefined) return out;
  const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  const sequential = numbers.every((n, i) => n === i + 1);
  out = sequential ? sql.replace(/\$\d+/g, "?") : sql.replace(/\$(\d+)/g, "?$1");
  if (converted.size >= 500) converted.clear();
  converted.set(sql, out);
  return out;
}

/** Rows as objects keyed by column name (the connection answers with arrays). */
export function rowObjects({ columns, rows }: SqliteAnswer): Record<string, unknown>[] {
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) if (!Object.hasOwn(row, columns[i])) row[columns[i]] = values[i];
    return row;
  });
}

/** A SqlTx over `execute`, which runs one statement (already in SQLite's placeholder form). */
export function sqliteTx(execute: (sql: string, args: unknown[]) => SqliteAnswer | Promise<SqliteAnswer>): SqlTx {
  return {
    dialect: "sqlite",
    async query<T>(sql: string, ...params: unknown[]) {
      return rowObjects(await execute(toSqlite(sql), params)) as T[];
    },
    async execute(sql: string, ...params: unknown[]) {
      return (await execute(toSqlite(sql), params)).rowsAffected;
    },
  };
}
