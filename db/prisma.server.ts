import { createDb, type Db, type DbDialect } from "./prisma";
import { databaseUrl } from "./url";

export type { Db, DbDialect };

declare global {
  var __mcDb: { db: Db; dialect: DbDialect } | undefined;
}

// Reuse across Vite dev reloads so connections are not leaked.
const instance = (globalThis.__mcDb ??= createDb(databaseUrl(process.env)));

export const dialect = instance.dialect;
export default instance.db;
