import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { createRequire } from "node:module";
import path from "node:path";
import type { PrismaClient as SqliteClient } from "../generated/sqlite/index.js";
import { isPostgresUrl } from "./db-url";

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

export function createDb(url: string): { db: Db; dialect: DbDialect } {
  if (isPostgresUrl(url)) {
    const PostgresClient = generatedClient("postgres");
    const db = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) });
    return { db: db as unknown as Db, dialect: "postgres" };
  }
  const SqliteClient = generatedClient("sqlite");
  const db = new SqliteClient({ adapter: new PrismaLibSQL({ url }) });
  // Ingestion writes through its own connection: wait for its locks instead of failing.
  void db.$queryRawUnsafe("PRAGMA busy_timeout = 5000").catch(() => {});
  return { db, dialect: "sqlite" };
}

