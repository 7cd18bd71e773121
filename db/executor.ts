/**
 * A minimal SQL executor on the database drivers themselves (libsql, pg) for the
 * ingestion hot path: Prisma's per-query and per-transaction overhead (measured 3–4× the
 * driver's) would cap events/s. The results refresher writes through it too, and reports
 * read through `createSqlReader`. Statements use `$1…$n` placeholders on both databases,
 * or come from db/query.ts already compiled for the dialect.
 */
import pg from "pg";
import { isPostgresUrl, SQLITE_CONNECTION_PRAGMAS, SQLITE_WRITER_PRAGMAS } from "./url";
import { SqliteThread } from "./sqlite-thread";
import { rowObjects, sqliteTx, toSqlite } from "./sqlite-tx";
import type { Dialect } from "./sql";

export interface SqlTx {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  execute(sql: string, ...params: unknown[]): Promise<number>;
}

export interface SqlExecutor extends SqlTx {
  /** Runs `fn` in one write transaction: all of it commits, or none of it. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /**
   * SQLite only: runs procedure `name` of the module `file` on the connection's own thread,
   * in one write transaction (db/sqlite-thread-worker.ts). One message instead of a round
   * trip per statement, each of which waits for the calling thread to be free.
   */
  runProcedure?<T>(file: string, name: string, args: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * Checkpoints the WAL from a connection of its own, so the writing connection only appends
 * (a checkpoint copies pages into the database file and syncs it: ~10 % of the writer's
 * time under ingest load when run after its commits). PASSIVE: it never waits for or blocks
 * the writer or readers. The writer keeps SQLite's automatic checkpoint at a high mark
 * (SQLITE_WRITER_PRAGMAS) in case this one falls behind.
 */
function startCheckpoints(url: string, everyMs: number): { wrote(): void; close(): Promise<void> } {
  let thread: SqliteThread | null = null;
  let dirty = false;
  let running = false;
  const timer = setInterval(() => {
    if (!dirty || running) return;
    dirty = false;
    running = true;
    thread ??= SqliteThread.forUrl(url, SQLITE_CONNECTION_PRAGMAS);
    // A failure (file busy, gone) is left to the next tick or to the writer's own checkpoint.
    thread
      .execute("PRAGMA wal_checkpoint(PASSIVE)")
      .catch(() => {})
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return {
    wrote: () => (dirty = true),
    close: async () => {
      clearInterval(timer);
      await thread?.close();
    },
  };
}

export interface SqlExecutorOptions {
  /** SQLite: milliseconds between WAL checkpoints after writes (startCheckpoints). */
  checkpointEveryMs?: number;
}

function sqliteExecutor(url: string, opts: SqlExecutorOptions): SqlExecutor {
  // The connection lives on its own thread (db/sqlite-thread.ts): a group commit or a
  // results build no longer stops the server's HTTP work while SQLite runs.
  // busy_timeout, mmap: see db/url.ts.
  const thread = SqliteThread.forUrl(url, [...SQLITE_WRITER_PRAGMAS, ...SQLITE_CONNECTION_PRAGMAS]);
  const checkpoints = startCheckpoints(url, opts.checkpointEveryMs ?? 1_000);
  // One connection: a transaction owns it from BEGIN to COMMIT, so it starts when
  // everything sent before it has ended and holds back what comes after. A one-message
  // operation (a statement, a procedure) is sent as soon as no transaction is open: the
  // thread runs messages in the order sent, so it need not wait for the answers before it.
  let free: Promise<unknown> = Promise.resolve();
  const unanswered = new Set<Promise<unknown>>();
  const oneMessage = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = free.then(fn);
    const settled: Promise<unknown> = run.then(
      () => unanswered.delete(settled),
      () => unanswered.delete(settled),
    );
    unanswered.add(settled);
    return run;
  };
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const before = [...unanswered];
    const run = free.then(() => Promise.all(before)).then(fn);
    free = run.catch(() => {});
    return run;
  };
  const tx = sqliteTx((sql, params) => thread.execute(sql, params));
  const statement = (sql: string) => thread.execute(sql, []);
  return {
    dialect: "sqlite",
    query: (sql, ...params) => oneMessage(() => tx.query(sql, ...params)),
    execute: (sql, ...params) => oneMessage(() => tx.execute(sql, ...params)),
    transaction: (fn) =>
      exclusive(async () => {
        checkpoints.wrote();
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
    runProcedure: (file, name, args) => {
      checkpoints.wrote();
      return oneMessage(() => thread.procedure(file, name, args));
    },
    close: async () => {
      await checkpoints.close();
      await thread.close();
    },
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

export function createSqlExecutor(url: string, opts: SqlExecutorOptions = {}): SqlExecutor {
  return isPostgresUrl(url) ? postgresExecutor(url) : sqliteExecutor(url, opts);
}
