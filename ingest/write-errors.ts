/**
 * Why a write failed, on both drivers (pg errors carry PostgreSQL's SQLSTATE in `code`;
 * SQLite's come from db/sqlite-thread.ts as LibsqlError with `code` "SQLITE_…", or as
 * RangeError/TypeError for values the driver cannot bind). The writer uses it to tell
 * rows that cannot be stored (the request's fault: 400) from a database that cannot
 * store anything right now (503, retried by the pixel).
 */

/** "data": the rows are at fault; "retry": the database is down, busy or lost a race; "unknown": ask the database. */
export type FailureKind = "data" | "retry" | "unknown";

// SQLSTATE classes: 22 data exception (NUL byte, out of range, bad input syntax),
// 23 integrity constraint (keys), 54 program limit (an index row too large).
const PG_DATA = /^(22|23|54)/;
// 08 connection, 40 rollback (deadlock, serialization), 53 resources, 57 operator
// intervention (shutdown, statement timeout), 58 system, 55P03 lock not available.
const PG_RETRY = /^(08|40|53|57|58|55P03)/;
const NET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN", "ENETUNREACH"]);
const NET_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|not queryable|connection ended|sqlite thread exited|sqlite connection is closed/i;
const SQLITE_DATA = /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/;

export function failureKind(error: unknown): FailureKind {
  if (!(error instanceof Error)) return "unknown";
  const raw = (error as Error & { code?: unknown }).code;
  const code = typeof raw === "string" ? raw : "";
  if (code.startsWith("SQLITE_")) return SQLITE_DATA.test(code) ? "data" : "retry";
  // EPROCEDURE: the SQLite thread could not run the writer's procedure (db/sqlite-thread-worker.ts).
  if (NET_CODES.has(code) || code === "EPROCEDURE" || NET_MESSAGES.test(error.message)) return "retry";
  if (/^[0-9A-Z]{5}$/.test(code)) return PG_DATA.test(code) ? "data" : PG_RETRY.test(code) ? "retry" : "unknown";
  // The SQLite thread refuses values it cannot bind (NaN, Infinity, undefined, huge bigints).
  if (error instanceof RangeError || error instanceof TypeError) return "data";
  return "unknown";
}

/** The database's reason, short and printable: it goes back to whoever sent the rows. */
export function storeFailureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // ASCII only (no echo of the sent bytes, no control characters).
  const clean = message
    .replace(/[^\x20-\x7e]+/g, "?")
    .replace(/\s+/g, " ")
    .trim();
  return `could not be stored: ${clean.length > 120 ? `${clean.slice(0, 117)}...` : clean || "database error"}`;
}
