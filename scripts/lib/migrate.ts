import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb } from "../../db/prisma";
import { isPostgresUrl } from "../../db/url";
import { migratePostgres } from "./pg-migrate";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Applies all migrations to the database at `url`: Prisma's CLI (JS engine, offline)
 * for SQLite; for PostgreSQL see pg-migrate.ts.
 */
export async function migrate(url: string, opts: { quiet?: boolean; upTo?: string } = {}) {
  if (isPostgresUrl(url)) {
    const applied = await migratePostgres(url, { upTo: opts.upTo });
    if (!opts.quiet) console.log(`PostgreSQL: ${applied.length} migration(s) applied`);
    return;
  }
  // SQLite creates the file, not its folder.
  mkdirSync(path.dirname(path.resolve(root, url.replace(/^file:/, ""))), { recursive: true });
  execFileSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, ...(opts.upTo ? { PRISMA_MIGRATIONS_DIR: migrationsPrefix(opts.upTo) } : {}) },
    stdio: opts.quiet ? "pipe" : "inherit",
  });
  // WAL lets report reads run while ingestion writes; the setting persists in the file.
  const { db } = createDb(url);
  await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
  await db.$disconnect();
}

/** A temporary copy of prisma/migrations holding only the migrations up to `upTo`. */
function migrationsPrefix(upTo: string): string {
  const source = path.join(root, "prisma/migrations");
  const target = mkdtempSync(path.join(tmpdir(), "mc-migrations-"));
  cpSync(path.join(source, "migration_lock.toml"), path.join(target, "migration_lock.toml"));
  for (const name of readdirSync(source)) {
    if (/^\d{14}_/.test(name) && name <= upTo) cpSync(path.join(source, name), path.join(target, name), { recursive: true });
  }
  return target;
}
