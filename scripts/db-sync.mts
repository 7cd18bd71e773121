/**
 * Keeps the PostgreSQL schema and both migration folders in step with the one model
 * definition, prisma/schema.prisma (SQLite).
 *
 *   npm run db:sync                 regenerate prisma/postgres/schema.prisma
 *   npm run db:sync -- --new NAME   also write migration NAME for both providers
 *
 * A new migration is the diff between the schema as of the last migration (kept as
 * schema.snapshot.prisma in each migrations folder) and the current one, so no
 * shadow database is needed. test/integration/schema-drift.test.ts fails when any of
 * this is out of date.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { postgresSchemaFrom } from "./lib/schema-transform";
import { createDatabase, startPgServer } from "./lib/pg-server";

const root = path.resolve(import.meta.dirname, "..");
const sqliteSchema = path.join(root, "prisma/schema.prisma");
const pgSchema = path.join(root, "prisma/postgres/schema.prisma");

function writePostgresSchema() {
  mkdirSync(path.dirname(pgSchema), { recursive: true });
  writeFileSync(pgSchema, postgresSchemaFrom(readFileSync(sqliteSchema, "utf8")));
  console.log("wrote prisma/postgres/schema.prisma");
}

// Prisma's JS schema engine connects even for datamodel-only diffs, so give it a scratch database.
function diffScript(fromSnapshot: string | null, to: string, dbUrl: string): string {
  const env = { ...process.env, DATABASE_URL: dbUrl };
  const from = fromSnapshot ? ["--from-schema-datamodel", fromSnapshot] : ["--from-empty"];
  return execFileSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", to, "--script"], {
    cwd: root,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
}

async function newMigration(name: string) {
  const pgUrl = await createDatabase(startPgServer().baseUrl, "mc_schema_sync");
  mkdirSync(path.join(root, ".data"), { recursive: true });
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const [provider, schema, dir, dbUrl] of [
    ["sqlite", sqliteSchema, path.join(root, "prisma/migrations"), "file:./.data/schema-sync.sqlite"],
    ["pg", pgSchema, path.join(root, "prisma/postgres/migrations"), pgUrl],
  ] as const) {
    const snapshot = path.join(dir, "schema.snapshot.prisma");
    const sql = diffScript(existsSync(snapshot) ? snapshot : null, schema, dbUrl);
    if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
      console.log(`${provider}: no changes`);
      continue;
    }
    const target = path.join(dir, `${stamp}_${name}`);
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, "migration.sql"), sql);
    copyFileSync(schema, snapshot);
    const lock = path.join(dir, "migration_lock.toml");
    if (!existsSync(lock)) writeFileSync(lock, `provider = "${provider === "pg" ? "postgresql" : "sqlite"}"\n`);
    console.log(`${provider}: wrote ${path.relative(root, target)}/migration.sql`);
  }
}

writePostgresSchema();
const i = process.argv.indexOf("--new");
if (i > 0) {
  const name = process.argv[i + 1];
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: db:sync -- --new snake_case_name");
  await newMigration(name);
}
