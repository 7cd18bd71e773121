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
