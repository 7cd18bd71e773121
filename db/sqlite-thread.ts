/**
 * A SQLite connection on a worker thread (its code: db/sqlite-thread-worker.ts).
 *
 * The local libsql driver runs each query synchronously on the calling thread. On the
 * server's one thread that meant a 0.6 s report query also held back HTTP parsing,
 * ingestion acknowledgements and the flush of a streamed page (measured in bench/: the
 * dashboard's first byte waited for its deferred cards' queries). With the connection on
 * its own thread the main thread only waits for the answer.
 *
 * One thread, one connection, one statement at a time: callers already serialise their
 * work on a connection (Prisma's adapter holds a lock across a transaction; the ingestion
 * executor queues), so a transaction is simply BEGIN … COMMIT on this connection. A
 * procedure (a module's function run on the thread itself) is a whole transaction in one
 * message.
 */
import { LibsqlError, type Client, type InStatement, type InValue, type ResultSet, type Row, type Transaction, type TransactionMode } from "@libsql/client";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WorkerRequest, WorkerSettings } from "./sqlite-thread-worker";

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

/**
 * The worker's file beside this module: in the bundled server build/server/index.js finds
 * the compiled build/server/sqlite-thread-worker.js (`npm run build` writes it); from the
 * sources (tests, scripts) Node runs the .ts file with its built-in type stripping.
 */
function workerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.join(here, "sqlite-thread-worker.js");
  return existsSync(built) ? built : path.join(here, "sqlite-thread-worker.ts");
}

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
    const settings: WorkerSettings = { path: this.filePath, pragmas: this.pragmas };
    const worker = new Worker(workerFile(), { workerData: settings });
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

  private call<T>(message: DistributiveOmit<WorkerRequest, "id">): Promise<T> {
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

  execute(sql: string, args: readonly unknown[] = []): Promise<SqliteAnswer> {
    return this.call({ op: "execute", sql, args: args as unknown[] });
  }

  executeMultiple(sql: string): Promise<void> {
    return this.call({ op: "executeMultiple", sql });
  }

  /** Runs procedure `name` of module `file` on this connection in one write transaction (see the worker). */
  procedure<T>(file: string, name: string, args: unknown): Promise<T> {
    return this.call({ op: "procedure", file, name, args });
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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The thread's answer as @libsql/client's ResultSet. Rows stay the arrays the thread sent:
 * Prisma's libsql adapter reads them by index only, and naming every value would cost a
 * property per cell on large reads. This is the one place that relies on it.
 */
function resultSet(answer: SqliteAnswer): ResultSet {
  const rows = answer.rows as unknown as Row[];
  return { ...answer, rows, toJSON: () => ({ ...answer, lastInsertRowid: answer.lastInsertRowid?.toString() }) };
}

function statement(stmt: InStatement): { sql: string; args: InValue[] } {
  if (typeof stmt === "string") return { sql: stmt, args: [] };
  if (!Array.isArray(stmt.args)) throw new TypeError("named SQL arguments are not supported");
  return { sql: stmt.sql, args: stmt.args };
}

/** A transaction on the thread's connection: BEGIN … COMMIT, one statement at a time. */
class ThreadTransaction implements Transaction {
  private open = true;

  constructor(private readonly thread: SqliteThread) {}

  get closed(): boolean {
    return !this.open;
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    const { sql, args } = statement(stmt);
    return resultSet(await this.thread.execute(sql, args));
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const results: ResultSet[] = [];
    for (const stmt of stmts) results.push(await this.execute(stmt));
    return results;
  }

  executeMultiple(sql: string): Promise<void> {
    return this.thread.executeMultiple(sql);
  }

  async commit(): Promise<void> {
    this.open = false;
    try {
      await this.thread.execute("COMMIT");
    } catch (error) {
      // The connection is shared: a failed COMMIT must not leave its transaction open.
      await this.thread.execute("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  async rollback(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.thread.execute("ROLLBACK");
  }

  close(): void {
    if (this.open) void this.rollback().catch(() => {});
  }
}

/**
 * @libsql/client's Client on a SQLite thread, for Prisma's libsql adapter (db/prisma.ts).
 * Everything the adapter uses is implemented; embedded-replica `sync` is not.
 */
export class ThreadClient implements Client {
  readonly protocol = "file";
  closed = false;

  constructor(private readonly thread: SqliteThread) {}

  async execute(stmt: InStatement): Promise<ResultSet> {
    const { sql, args } = statement(stmt);
    return resultSet(await this.thread.execute(sql, args));
  }

  async batch(stmts: InStatement[], mode: TransactionMode = "deferred"): Promise<ResultSet[]> {
    const tx = await this.transaction(mode);
    try {
      const results = await tx.batch(stmts);
      await tx.commit();
      return results;
    } catch (error) {
      await tx.rollback().catch(() => {});
      throw error;
    }
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    await this.thread.execute(BEGIN[mode]);
    return new ThreadTransaction(this.thread);
  }

  executeMultiple(sql: string): Promise<void> {
    return this.thread.executeMultiple(sql);
  }

  sync(): Promise<void> {
    return Promise.reject(new Error("sync is for embedded replicas; this is a local SQLite file"));
  }

  close(): void {
    this.closed = true;
    void this.thread.close();
  }
}
