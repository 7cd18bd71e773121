/**
 * A minimal SQL executor on the database drivers themselves (libsql, pg) for the
 * ingestion hot path: Prisma's per-query and per-transaction overhead (measured 3–4× the
 * driver's) would cap events/s. The results refresher writes through it too, and reports
 * read through `createSqlReader`. Statements use `$1…$n` placeholders on both databases,
 * or come from db/query.ts already compiled for the dialect.
 */
import pg from "pg";
import { isPostgresUrl, SQLITE_CONNECTION_PRAGMAS } from "./url";
import { SqliteThread, type SqliteAnswer } from "./sqlite-thread";
import type { Dialect } from "./sql";

export interface SqlTx {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  execute(sql: string, ...params: unknown[]): Promise<number>;
}

export interface SqlExecutor extends SqlTx {
  /** Runs `fn` in one write transaction: all of it commits, or none of it. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// SQLite: `$NNN` would be a named parameter bound by first appearance, so placeholders
// are rewritten. When they run $1, $2, … once each in order (every multi-row INSERT here),
// plain `?` is used: numbered `?NNN` made 1,000-row INSERTs ~20× slower per row (measured
// in bench/). Otherwise `?NNN` keeps repeated or reordered parameters right.
// The same few statement shapes repeat (a 500-row INSERT has 13,000 placeholders to scan),
// so conversions are kept: the profile showed toSqlite at 9 % of the server's thread.
const converted = new Map<string, string>();
function toSqlite(sql: string): string {
  let out = converted.get(sql);
  if (out !== undefined) return out;
  const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  const sequential = numbers.every((n, i) => n === i + 1);
  out = sequential ? sql.replace(/\$\d+/g, "?") : sql.replace(/\$(\d+)/g, "?$1");
  if (converted.size >= 500) converted.clear();
  converted.set(sql, out);
  return out;
}

/** Rows as objects keyed by column name (the thread sends arrays). */
function rowObjects({ columns, rows }: SqliteAnswer): Record<string, unknown>[] {
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) if (!Object.hasOwn(row, columns[i])) row[columns[i]] = values[i];
    return row;
  });
}

function sqliteExecutor(url: string): SqlExecutor {
  // The connection lives on its own thread (db/sqlite-thread.ts): a group commit or a
  // results build no longer stops the server's HTTP work while SQLite runs.
  // WAL (set by the migration step) + NORMAL: a commit survives a process crash; only an
  // OS crash or power loss could drop the last commits. busy_timeout, mmap: see db/url.ts.
  const thread = SqliteThread.forUrl(url, ["PRAGMA synchronous=NORMAL", ...SQLITE_CONNECTION_PRAGMAS]);
  // One connection, one operation at a time: a transaction owns it from BEGIN to COMMIT.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  const exec = (sql: string, params: unknown[]) => thread.execute(toSqlite(sql), params);
  const tx: SqlTx = {
    dialect: "sqlite",
    async query<T>(sql: string, ...params: unknown[]) {
      return rowObjects(await exec(sql, params)) as T[];
    },
    async execute(sql: string, ...params: unknown[]) {
      return (await exec(sql, params)).rowsAffected;
    },
  };
  const statement = (sql: string) => exec(sql, []);
  return {
    dialect: "sqlite",
    query: (sql, ...params) => exclusive(() => tx.query(sql, ...params)),
    execute: (sql, ...params) => exclusive(() => tx.execute(sql, ...params)),
    transaction: (fn) =>
      exclusive(async () => {
        await statement("BEGIN IMMEDIATE");
        try {
          const result = await fn(tx);
          await statement("COMMIT");
          return result;
        } catch (error) {
          await statement("ROLLBACK").catch(() => {});
          throw error;
        }
      }),
    close: () => thread.close(),
  };
}

function postgresExecutor(url: string): SqlExecutor {
  // connectionTimeoutMillis: a database that accepts no connection fails the request (503)
  // instead of holding it; keepAlive: a silently dropped peer is noticed.
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000, keepAlive: true });
  // A dropped connection (database restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const run = (c: pg.Pool | pg.PoolClient): SqlTx => ({
    dialect: "postgres",
    async query<T>(sql: string, ...params: unknown[]) {
      return (await c.query(sql, params)).rows as T[];
    },
    async execute(sql: string, ...params: unknown[]) {
      return (await c.query(sql, params)).rowCount ?? 0;
    },
  });
  return {
    ...run(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client has no pool listener: a connection dropped between two statements
      // (database crash) would emit an unhandled 'error' and kill the process.
      let dropped: Error | undefined;
      const onError = (e: Error) => (dropped = e);
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn(run(client));
        if (dropped) throw dropped;
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.off("error", onError);
        // With an error the pool discards the client instead of handing it out again.
        client.release(dropped);
      }
    },
    close: () => pool.end(),
  };
}

/** Reads on connections of their own (see createSqlReader). */
export interface SqlReader {
  dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Read-only connections for the reports' bulk reads, so a report's independent queries
 * run at the same time. Prisma's SQLite adapter runs one statement at a time behind one
 * lock, and its result mapping costs more than these plain rows. SQLite: up to
 * `connections` threads, each its own connection (WAL lets them read beside the writer),
 * started on first use; a query goes to the least busy. PostgreSQL: a pool of that size.
 */
export function createSqlReader(url: string, connections = 2): SqlReader {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: connections,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      options: "-c default_transaction_read_only=on",
    });
    pool.on("error", () => {});
    return {
      dialect: "postgres",
      query: async <T>(sql: string, ...params: unknown[]) => (await pool.query(sql, params)).rows as T[],
      close: () => pool.end(),
    };
  }
  const threads: SqliteThread[] = [];
  const pick = (): SqliteThread => {
    const idle = threads.find((t) => t.inFlight === 0);
    if (idle) return idle;
    if (threads.length < connections) {
      const thread = SqliteThread.forUrl(url, [...SQLITE_CONNECTION_PRAGMAS, "PRAGMA query_only = 1"]);
      threads.push(thread);
      return thread;
    }
    return threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  };
  return {
    dialect: "sqlite",
    query: async <T>(sql: string, ...params: unknown[]) => rowObjects(await pick().execute(toSqlite(sql), params)) as T[],
    close: async () => {
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}

/**
 * Lets the event loop run once. Loops that issue many statements call it per batch so
 * HTTP requests and timers get a turn between the batches of a long job.
 */
export function letEventLoopRun(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function createSqlExecutor(url: string): SqlExecutor {
  return isPostgresUrl(url) ? postgresExecutor(url) : sqliteExecutor(url);
}
