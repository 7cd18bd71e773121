import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createDb } from "../../app/db-client";
import { isPostgresUrl } from "../../app/db-url";
import { migratePostgres } from "./pg-migrate";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Applies all migrations to the database at `url`: Prisma's CLI (JS engine, offline)
 * for SQLite; for PostgreSQL see pg-migrate.ts.
 */
export async function migrate(url: string, opts: { quiet?: boolean } = {}) {
  if (isPostgresUrl(url)) {
    const applied = await migratePostgres(url);
    if (!opts.quiet) console.log(`PostgreSQL: ${applied.length} migration(s) applied`);
    return;
  }
  // SQLite creates the file, not its folder.
  mkdirSync(path.dirname(path.resolve(root, url.replace(/^file:/, ""))), { recursive: true });
  execFileSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: opts.quiet ? "pipe" : "inherit",
  });
  // WAL lets report reads run while ingestion writes; the setting persists in the file.
  const { db } = createDb(url);
  await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
  await db.$disconnect();
}
