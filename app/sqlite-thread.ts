/**
 * A SQLite connection on a worker thread (its code: app/sqlite-thread-worker.ts).
 *
 * The local libsql driver runs each query synchronously on the calling thread. On the
 * server's one thread that meant a 0.6 s report query also held back HTTP parsing,
 * ingestion acknowledgements and the flush of a streamed page (measured in bench/: the
 * dashboard's first byte waited for its deferred cards' queries). With the connection on
 * its own thread the main thread only waits for the answer.
 *
 * One thread, one connection, one statement at a time: callers already serialise their
 * work on a connection (Prisma's adapter holds a lock across a transaction; the ingestion
 * executor queues), so a transaction is simply BEGIN … COMMIT on this connection.
 */
import { LibsqlError, type Client, type InValue, type ResultSet, type TransactionMode } from "@libsql/client";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { SQLITE_WORKER_SOURCE } from "./sqlite-thread-worker";

export interface SqliteAnswer {
  columns: string[];
  columnTypes: string[];
  /** One array of values per row, in column order. */
  rows: unknown[][];
  rowsAffected: number;
  lastInsertRowid: bigint | undefined;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface WorkerError {
  name: string;
  message: string;
  code?: string;
  rawCode?: number;
  sqlite: boolean;
}

/** The file a `file:` URL names (or `:memory:`); null for URLs this thread cannot open. */
export function sqliteFilePath(url: string): string | null {
  if (url === ":memory:") return url;
  if (!url.startsWith("file:")) return null;
  let rest = url.slice("file:".length);
  if (rest.startsWith("//")) {
    // file://host/path or file:///path: only a local (empty) host is a file here.
    const slash = rest.indexOf("/", 2);
    if (slash < 0 || slash > 2) return null;
    rest = rest.slice(slash);
  }
  const query = rest.indexOf("?");
  if (query >= 0) rest = rest.slice(0, query);
  return decodeURIComponent(rest);
}

// The driver's path, resolved from this module (the sources or the bundled build).
const LIBSQL_PATH = createRequire(import.meta.url).resolve("libsql");

export class SqliteThread {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closed = false;

  constructor(
    private readonly filePath: string,
    private readonly pragmas: readonly string[],
  ) {
    this.start();
  }

  /** A thread on the file a `file:` URL names; throws for URLs it cannot open. */
  static forUrl(url: string, pragmas: readonly string[]): SqliteThread {
    const file = sqliteFilePath(url);
    if (!file) throw new Error(`not a SQLite file URL: ${url}`);
    return new SqliteThread(file, pragmas);
  }

  private start() {
    this.failure = null;
    const worker = new Worker(SQLITE_WORKER_SOURCE, { eval: true, workerData: { path: this.filePath, pragmas: this.pragmas, libsql: LIBSQL_PATH } });
    this.worker = worker;
    // Idle, the thread must not keep the process alive (scripts end without closing).
    worker.unref();
    worker.on("message", (message: { id: number; result?: unknown; error?: WorkerError }) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.settled(message.id);
      if (message.error) waiting.reject(toError(message.error));
      else waiting.resolve(message.result);
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.failure = error;
      for (const [id, waiting] of this.pending) {
        this.settled(id);
        waiting.reject(error);
      }
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`SQLite thread exited (code ${code})`)));
  }

  private settled(id: number) {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private call<T>(message: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the SQLite connection is closed"));
    // A thread that died (it could not open the file, say) is replaced on the next call;
    // what was in flight on it has been rejected.
    if (this.failure) this.start();
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  /** Statements sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  execute(sql: string, args: readonly InValue[] = []): Promise<SqliteAnswer> {
    return this.call({ op: "execute", sql, args });
  }

  executeMultiple(sql: string): Promise<void> {
    return this.call({ op: "executeMultiple", sql });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.failure) await this.call({ op: "close" }).catch(() => {});
    this.closed = true;
    await this.worker.terminate();
  }
}

function toError(e: WorkerError): Error {
  // The same error shapes as on the calling thread, so Prisma's adapter maps SQLite codes
  // (unique violation, busy, …) as before: the driver's SqliteError became @libsql/client's
  // LibsqlError; some native errors (from statements that return rows) carry code and
  // rawCode on a plain Error.
  if (e.sqlite) return new LibsqlError(e.message, e.code ?? "SQLITE_ERROR", e.rawCode);
  const Class = e.name === "RangeError" ? RangeError : e.name === "TypeError" ? TypeError : Error;
  return Object.assign(new Class(e.message), e.code === undefined ? {} : { code: e.code }, e.rawCode === undefined ? {} : { rawCode: e.rawCode });
}

// Prisma's adapter asks for "deferred". A deferred transaction that reads and then writes
// fails at once with SQLITE_BUSY if the ingestion thread committed in between (busy_timeout
// cannot help an upgrade); IMMEDIATE takes the write lock at BEGIN, waiting up to
// busy_timeout for it. On one thread the two connections could not overlap like this.
const BEGIN: Record<TransactionMode, string> = { write: "BEGIN IMMEDIATE", read: "BEGIN TRANSACTION READONLY", deferred: "BEGIN IMMEDIATE" };

/**
 * The part of @libsql/client's Client that Prisma's libsql adapter uses, on a thread.
 * Rows are plain arrays: the adapter reads them by index only.
 */
export function threadClient(thread: SqliteThread): Client {
  const run = async (stmt: string | { sql: string; args?: InValue[] | Record<string, InValue> }): Promise<ResultSet> => {
    const { sql, args = [] } = typeof stmt === "string" ? { sql: stmt } : stmt;
    if (!Array.isArray(args)) throw new TypeError("named SQL arguments are not supported");
    return (await thread.execute(sql, args)) as unknown as ResultSet;
  };
  let closed = false;
  const client = {
    protocol: "file",
    get closed() {
      return closed;
    },
    execute: run,
    executeMultiple: (sql: string) => thread.executeMultiple(sql),
    async transaction(mode: TransactionMode = "write") {
      await run(BEGIN[mode]);
      let open = true;
      return {
        execute: run,
        executeMultiple: (sql: string) => thread.executeMultiple(sql),
        async commit() {
          open = false;
          try {
            await run("COMMIT");
          } catch (error) {
            // The connection is shared: a failed COMMIT must not leave its transaction open.
            await run("ROLLBACK").catch(() => {});
            throw error;
          }
        },
        async rollback() {
          if (!open) return;
          open = false;
          await run("ROLLBACK");
        },
        close() {
          if (open) void this.rollback().catch(() => {});
        },
        get closed() {
          return !open;
        },
      };
    },
    close() {
      closed = true;
      void thread.close();
    },
  };
  return client as unknown as Client;
}
