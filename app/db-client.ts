import { PrismaLibSQL } from "@prisma/adapter-libsql";
import type { TransactionMode } from "@libsql/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { createRequire } from "node:module";
import path from "node:path";
import type { PrismaClient as SqliteClient } from "../generated/sqlite/index.js";
import { isPostgresUrl, SQLITE_CONNECTION_PRAGMAS } from "./db-url";

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
  const db = new SqliteClient({ adapter: new TunedLibSQL({ url }) });
  return { db, dialect: "sqlite" };
}

/**
 * libsql's client hands its native connection to each transaction and opens a fresh
 * one for what follows, without per-connection settings. This adapter applies them
 * before the first statement on every connection the client opens.
 */
class TunedLibSQL extends PrismaLibSQL {
  createClient(config: Parameters<PrismaLibSQL["createClient"]>[0]): ReturnType<PrismaLibSQL["createClient"]> {
    const client = super.createClient(config);
    const execute = client.execute.bind(client);
    const transaction = client.transaction.bind(client);
    let tuned: Promise<void> | null = null;
    const tune = () =>
      (tuned ??= (async () => {
        for (const pragma of SQLITE_CONNECTION_PRAGMAS) await execute(pragma);
      })());
    client.execute = (async (stmt: Parameters<typeof execute>[0]) => {
      await tune();
      return execute(stmt);
    }) as typeof client.execute;
    client.transaction = (async (mode?: TransactionMode) => {
      await tune();
      const tx = await transaction(mode);
      tuned = null; // the next statement runs on a new connection
      return tx;
    }) as typeof client.transaction;
    return client;
  }
}

