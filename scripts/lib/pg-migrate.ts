/**
 * Applies prisma/postgres/migrations to a PostgreSQL database.
 *
 * Why not `prisma migrate deploy`: with a driver adapter (needed offline, no schema
 * engine binary) Prisma 6's JS schema engine cannot read PostgreSQL's `name` columns
 * and aborts (prisma/orm#27403). This applies the same files in the same order and
 * records them in Prisma's own `_prisma_migrations` table, in Prisma's format, so
 * `prisma migrate deploy` can take over once that is fixed
 * (docs/decisions/002-prisma-offline-two-providers.md).
 */
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

const dir = path.resolve(import.meta.dirname, "../../prisma/postgres/migrations");

const TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Applies pending migrations in order; `upTo` (a migration folder name) stops after that one. */
export async function migratePostgres(url: string, opts: { upTo?: string } = {}): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query(TABLE);
    // One migrator at a time (several app processes may start together).
    await client.query("SELECT pg_advisory_lock(727274)");
    const done = new Map<string, string>(
      (await client.query(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)).rows.map(
        (r) => [r.migration_name, r.checksum],
      ),
    );
    const names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    for (const name of names.filter((n) => !opts.upTo || n <= opts.upTo)) {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      if (done.has(name)) {
        if (done.get(name) !== checksum) throw new Error(`migration ${name} was changed after it was applied`);
        continue;
      }
      // Each migration and its record commit together, or not at all.
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
    }
  } finally {
    await client.end();
  }
  return applied;
}
