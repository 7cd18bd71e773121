/** Statements of the ingestion writer (ingest/writer.server.ts): `$n` placeholders, values in order (the fast multi-row INSERT path, db/executor.ts). */
import { valuesList, type Dialect } from "./sql";

/**
 * Marks `rows` visitors' funnel results stale: parameters (shopId, clientId, sinceTs,
 * version, markedAt) per visitor. A visitor already marked keeps the earlier sinceTs and
 * gets a new version.
 */
export function markStaleSql(dialect: Dialect, rows: number): string {
  const min = dialect === "sqlite" ? "min" : "LEAST";
  return `INSERT INTO "StaleVisitor" ("shopId", "clientId", "sinceTs", "version", "markedAt") VALUES ${valuesList(rows, 5)}
       ON CONFLICT ("shopId", "clientId") DO UPDATE SET "sinceTs" = ${min}("StaleVisitor"."sinceTs", excluded."sinceTs"),
         "version" = "StaleVisitor"."version" + 1`;
}

/** `$start, $start+1, …` for `count` values. */
const numbered = (count: number, start: number) => Array.from({ length: count }, (_, k) => `$${k + start}`).join(", ");

/** Stored events of shop $1 whose `column` is one of $2…$(count+1): the copies a refused insert collided with. */
export function storedCopiesSql(column: "eventId" | "dedupeKey", count: number): string {
  return `SELECT "eventId", "dedupeKey", "ts", "seq", "clientId", "name", "isBot" FROM "Event" WHERE "shopId" = $1 AND "${column}" IN (${numbered(count, 2)})`;
}

/** Deletes events $2…$(count+1) of shop $1, answering what the activity buckets lose. */
export function deleteEventsSql(count: number): string {
  return `DELETE FROM "Event" WHERE "shopId" = $1 AND "eventId" IN (${numbered(count, 2)}) RETURNING "ts", "name", "isBot"`;
}

/** Adds `rows` buckets' counts: parameters (shopId, bucket, ...counts) per bucket. */
export function addActivitySql(counts: readonly string[], rows: number): string {
  const cols = ["shopId", "bucket", ...counts].map((c) => `"${c}"`).join(", ");
  const sums = counts.map((c) => `"${c}" = "ActivityBucket"."${c}" + excluded."${c}"`).join(", ");
  return `INSERT INTO "ActivityBucket" (${cols}) VALUES ${valuesList(rows, 2 + counts.length)} ON CONFLICT ("shopId", "bucket") DO UPDATE SET ${sums}`;
}

/**
 * Inserts `rows` events of `columns`: duplicate ids and dedupe keys are skipped, and
 * RETURNING says which rows went in.
 */
export function insertEventsSql(columns: readonly string[], rows: number): string {
  return `INSERT INTO "Event" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${valuesList(rows, columns.length)} ON CONFLICT DO NOTHING RETURNING "eventId", "clientId"`;
}

/** Deletes sessions $1…$count of shop $(count+1). */
export function deleteSessionsSql(count: number): string {
  return `DELETE FROM "VisitorSession" WHERE "id" IN (${numbered(count, 1)}) AND "shopId" = $${count + 1}`;
}

/** Inserts `rows` sessions of `columns`. */
export function insertSessionsSql(columns: readonly string[], rows: number): string {
  return `INSERT INTO "VisitorSession" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${valuesList(rows, columns.length)}`;
}
