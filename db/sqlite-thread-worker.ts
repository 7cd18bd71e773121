/**
 * The thread that owns one SQLite connection (started by db/sqlite-thread.ts). The native
 * driver is synchronous: on the server's main thread every query stopped HTTP parsing and
 * page streaming for its whole duration; here it only holds this thread.
 *
 * Node runs this file itself, not the bundler: from the sources with its built-in type
 * stripping (so only erasable TypeScript here, and no relative imports), and from
 * build/server/sqlite-thread-worker.js, which `npm run build` compiles beside the server
 * bundle. Semantics follow @libsql/client's local driver (argument and integer
 * conversion, error shapes), which this replaces; rows travel as arrays.
 */
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import Database from "libsql";

/** What db/sqlite-thread.ts passes: the file and the statements each connection starts with. */
export interface WorkerSettings {
  path: string;
  pragmas: readonly string[];
}

/** A request from the owning thread. */
export type WorkerRequest =
  | { id: number; op: "execute"; sql: string; args: unknown[] }
  | { id: number; op: "executeMultiple"; sql: string }
  | { id: number; op: "procedure"; file: string; name: string; args: unknown }
  | { id: number; op: "close" };

/** The connection as a procedure sees it: statements in SQLite's placeholder form, rows as arrays. */
export interface ProcedureConnection {
  execute(
    sql: string,
    args: unknown[],
  ): { columns: string[]; columnTypes: string[]; rows: unknown[][]; rowsAffected: number; lastInsertRowid: bigint | undefined };
}

/**
 * What a procedure module exports. A procedure must not wait for anything but its own
 * statements (they answer at once here): the thread takes the next message only when it ends.
 */
export interface ProcedureModule {
  procedures: Record<string, (connection: ProcedureConnection, args: never) => unknown>;
}

type Connection = InstanceType<typeof Database>;
type Statement = ReturnType<Connection["prepare"]>;

const { path, pragmas } = workerData as WorkerSettings;
let db: Connection;

// Prepared statements are reused: preparing a 1,000-row INSERT costs about as much as running it.
const MAX_CACHED = 200;
const cache = new Map<string, { stmt: Statement; returnsData: boolean }>();
function prepare(sql: string) {
  let entry = cache.get(sql);
  if (entry) return entry;
  const stmt = db.prepare(sql);
  stmt.safeIntegers(true);
  let returnsData = true;
  try {
    stmt.raw(true);
  } catch {
    returnsData = false; // raw() throws for statements that return no rows
  }
  entry = { stmt, returnsData };
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(sql, entry);
  return entry;
}

const MIN_INT64 = -9223372036854775808n;
const MAX_INT64 = 9223372036854775807n;
function toSql(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
  }
  if (typeof value === "bigint" && (value < MIN_INT64 || value > MAX_INT64)) {
    throw new RangeError("bigint is too large to be represented as a 64-bit integer and passed as argument");
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  // The native binding aborts the whole process on an array or object argument.
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    throw new TypeError(`${Array.isArray(value) ? "an array" : "an object"} cannot be passed as argument to the database`);
  }
  return value;
}

function fromSql(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError("Received integer which cannot be safely represented as a JavaScript number");
    }
    return Number(value);
  }
  if (value instanceof Uint8Array) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

function execute(sql: string, args: unknown[]) {
  const { stmt, returnsData } = prepare(sql);
  const params = args.map(toSql);
  try {
    return run(stmt, returnsData, params);
  } catch (e) {
    // A statement that failed on a lock (SQLITE_BUSY, even a BEGIN) stays active in the
    // driver until it is garbage-collected, and until then this connection cannot commit
    // ("SQL statements in progress"): every later transaction failed. Outside a
    // transaction nothing is lost by starting over on a fresh connection; inside one, the
    // owner's ROLLBACK ends it.
    if (e instanceof Database.SqliteError && !db.inTransaction && !connecting) connect();
    throw e;
  }
}

function run(stmt: Statement, returnsData: boolean, params: unknown[]) {
  if (!returnsData) {
    const info = stmt.run(params);
    return { columns: [], columnTypes: [], rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) };
  }
  const described = stmt.columns();
  const rows = stmt.all(params) as unknown[][];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (typeof v === "bigint" || v instanceof Uint8Array) row[i] = fromSql(v);
    }
  }
  return {
    columns: described.map((c) => c.name),
    columnTypes: described.map((c) => c.type ?? ""),
    rows,
    rowsAffected: 0,
    lastInsertRowid: undefined,
  };
}

let connecting = false;
function connect() {
  if (db) {
    try {
      db.close();
    } catch {}
  }
  cache.clear();
  connecting = true;
  try {
    db = new Database(path);
    // (exec refuses statements that answer with a row, as some PRAGMAs do.)
    for (const pragma of pragmas) execute(pragma, []);
  } finally {
    connecting = false;
  }
}
connect();

function executeMultiple(sql: string) {
  const wasInTransaction = db.inTransaction;
  try {
    db.exec(sql);
  } finally {
    // A script must not leave a transaction open on the shared connection.
    if (!wasInTransaction && db.inTransaction) db.exec("ROLLBACK");
  }
}

// Procedure modules, loaded on first use. From the sources (tests, scripts) a module is
// TypeScript importing its neighbours without extensions, which Node's type stripping
// cannot resolve: tsx loads it. A build runs the bundled .js.
const modules = new Map<string, Promise<ProcedureModule>>();
function procedureModule(file: string): Promise<ProcedureModule> {
  let loading = modules.get(file);
  if (!loading) {
    const url = pathToFileURL(file).href;
    loading = (file.endsWith(".ts") ? import("tsx/esm/api").then(({ tsImport }) => tsImport(url, import.meta.url)) : import(url)) as Promise<ProcedureModule>;
    loading.catch(() => modules.delete(file));
    modules.set(file, loading);
  }
  return loading;
}

const connection: ProcedureConnection = { execute };

/** A procedure that cannot run here: the server's fault (code EPROCEDURE), never its arguments'. */
function unavailable(message: string): Error {
  return Object.assign(new Error(message), { code: "EPROCEDURE" });
}

/** Runs a procedure in one write transaction: all of its statements commit, or none. */
async function procedure(file: string, name: string, args: unknown) {
  let mod: ProcedureModule;
  try {
    mod = await procedureModule(file);
  } catch (e) {
    throw unavailable(`procedure module ${file} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  const fn = mod.procedures?.[name];
  if (typeof fn !== "function") throw unavailable(`no procedure ${name} in ${file}`);
  execute("BEGIN IMMEDIATE", []);
  try {
    const result = await fn(connection, args as never);
    execute("COMMIT", []);
    return result;
  } catch (e) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw e;
  }
}

async function answer(message: WorkerRequest) {
  const { id } = message;
  try {
    let result;
    if (message.op === "execute") result = execute(message.sql, message.args);
    else if (message.op === "executeMultiple") result = executeMultiple(message.sql);
    else if (message.op === "procedure") result = await procedure(message.file, message.name, message.args);
    else if (message.op === "close") {
      db.close();
      result = undefined;
    } else throw new Error("unknown operation " + (message as { op: string }).op);
    port.postMessage({ id, result });
  } catch (e) {
    const error = (e instanceof Error ? e : new Error(String(e))) as Error & { code?: string; rawCode?: number };
    port.postMessage({
      id,
      error: { name: error.name, message: error.message, code: error.code, rawCode: error.rawCode, sqlite: error instanceof Database.SqliteError },
    });
  }
}

// Messages are answered one after another: a procedure that waits (its module loading)
// holds the ones behind it.
const port = parentPort!;
let turn: Promise<void> = Promise.resolve();
port.on("message", (message: WorkerRequest) => {
  turn = turn.then(() => answer(message));
});
