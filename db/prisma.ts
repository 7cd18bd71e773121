import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { createRequire } from "node:module";
import path from "node:path";
import type { PrismaClient as SqliteClient } from "../generated/sqlite/index.js";
import { isPostgresUrl, SQLITE_CONNECTION_PRAGMAS } from "./url";
import { SqliteThread, ThreadClient } from "./sqlite-thread";

// The generated clients are CommonJS outside node_modules; load them at run time
// (not through the bundler) from the app's root.
const require = createRequire(import.meta.url);
function generatedClient(provider: "sqlite" | "postgres"): typeof SqliteClient {
  return require(path.join(process.cwd(), "generated", provider, "index.js")).PrismaClient;
}

/**
 * One Prisma client for the process. Both generated clients come from one model
 * definition, so they share one API; the SQLite client's type stands for both.
 */
export type Db = SqliteClient;
export type DbDialect = "sqlite" | "postgres";

/**
 * Options for transactions that work through a whole shop (activity rebuild, shop/redact):
 * minutes on a big shop, where Prisma's default (5 s) would expire them. (On SQLite the
 * driver used to block the thread, so the timeout could not fire mid-statement.)
 */
export const LONG_TRANSACTION = { maxWait: 60_000, timeout: 30 * 60_000 };

// Each client's dialect, so code given only a client can compile its queries (db/query.ts).
const dialects = new WeakMap<object, DbDialect>();

/** The dialect of a client made by createDb. */
export function dialectOf(db: Db): DbDialect {
  const dialect = dialects.get(db);
  if (!dialect) throw new Error("not a client made by createDb");
  return dialect;
}

export function createDb(url: string): { db: Db; dialect: DbDialect } {
  const made = isPostgresUrl(url)
    ? { db: new (generatedClient("postgres"))({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db, dialect: "postgres" as const }
    : { db: new (generatedClient("sqlite"))({ adapter: new ThreadedLibSQL({ url }) }), dialect: "sqlite" as const };
  dialects.set(made.db, made.dialect);
  return made;
}

/**
 * Prisma's libsql adapter on a SQLite connection that lives on its own thread
 * (db/sqlite-thread.ts), so the server's thread is free while a query runs. Its one
 * connection gets the per-connection settings once; the adapter's lock already runs one
 * statement or transaction at a time.
 */
class ThreadedLibSQL extends PrismaLibSQL {
  createClient(config: Parameters<PrismaLibSQL["createClient"]>[0]): ReturnType<PrismaLibSQL["createClient"]> {
    return new ThreadClient(SqliteThread.forUrl(config.url, SQLITE_CONNECTION_PRAGMAS));
  }
}
