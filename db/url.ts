/** Default database: a SQLite file beside the app, zero set-up. */
export const DEFAULT_DATABASE_URL = "file:./.data/app.sqlite";

/** The configured database URL (`DATABASE_URL`), or the embedded SQLite default. */
export function databaseUrl(env: Record<string, string | undefined>): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}

/** PostgreSQL is selected by a postgres:// or postgresql:// URL; anything else is SQLite. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Per-connection SQLite settings. busy_timeout: ingestion writes through its own
 * connection, so wait for its locks instead of failing. mmap_size: reads map the file
 * instead of copying each page through read(); scans over millions of rows took 2–4×
 * less time (measured on the 10 M-event bench file). SQLite caps it at its build's limit.
 */
export const SQLITE_CONNECTION_PRAGMAS = ["PRAGMA busy_timeout = 5000", "PRAGMA mmap_size = 2147418112"];

/**
 * Settings of the connection that writes (db/executor.ts; the ingest bench's storage
 * ceiling uses the same). WAL (set by the migration step) + synchronous NORMAL: a commit
 * survives a process crash; only an OS crash or power loss could drop the last commits.
 * wal_autocheckpoint 50,000 pages (~200 MB of WAL) instead of 1,000: the executor
 * checkpoints from a connection of its own every second after writes; this is the writer's
 * backstop. A group commit of ~1,000 events dirties more than 1,000 pages (random ids in
 * four indexes), so with the default every commit also ran a checkpoint, copying pages
 * into the file and syncing it (bench: ingest +20 % at 10,000, +10 % more off the writer).
 */
export const SQLITE_WRITER_PRAGMAS = ["PRAGMA synchronous=NORMAL", "PRAGMA wal_autocheckpoint = 50000"];
