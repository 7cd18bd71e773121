/**
 * The code of the thread that owns one SQLite connection (see app/sqlite-thread.ts). The
 * native driver is synchronous: on the server's main thread every query stopped HTTP
 * parsing and page streaming for its whole duration; here it only holds this thread.
 *
 * Kept as source text and started with `eval`, so the bundled server, the sources under
 * tests and scripts, and any copy of build/ run the same code without a separate file to
 * ship. CommonJS; `workerData.libsql` is the driver's resolved path.
 * Semantics follow @libsql/client's local driver (argument and integer conversion, error
 * shapes), which this replaces; rows travel as arrays.
 */
export const SQLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsql);
const { path, pragmas } = workerData;
let db;

// Prepared statements are reused: preparing a 1,000-row INSERT costs about as much as running it.
const MAX_CACHED = 200;
const cache = new Map();
function prepare(sql) {
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
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value);
  cache.set(sql, entry);
  return entry;
}

const MIN_INT64 = -9223372036854775808n;
const MAX_INT64 = 9223372036854775807n;
function toSql(value) {
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
  return value;
}

function fromSql(value) {
  if (typeof value === "bigint") {
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError("Received integer which cannot be safely represented as a JavaScript number");
    }
    return Number(value);
  }
  if (value instanceof Uint8Array) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

function execute(sql, args) {
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

function run(stmt, returnsData, params) {
  if (!returnsData) {
    const info = stmt.run(params);
    return { columns: [], columnTypes: [], rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) };
  }
  const described = stmt.columns();
  const rows = stmt.all(params);
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

function executeMultiple(sql) {
  const wasInTransaction = db.inTransaction;
  try {
    db.exec(sql);
  } finally {
    // A script must not leave a transaction open on the shared connection.
    if (!wasInTransaction && db.inTransaction) db.exec("ROLLBACK");
  }
}

parentPort.on("message", (message) => {
  const { id, op } = message;
  try {
    let result;
    if (op === "execute") result = execute(message.sql, message.args);
    else if (op === "executeMultiple") result = executeMultiple(message.sql);
    else if (op === "close") {
      db.close();
      result = undefined;
    } else throw new Error("unknown operation " + op);
    parentPort.postMessage({ id, result });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    parentPort.postMessage({
      id,
      error: { name: error.name, message: error.message, code: error.code, rawCode: error.rawCode, sqlite: error instanceof Database.SqliteError },
    });
  }
});
`;
