/** Statements of the ingestion writer (ingest/writer.server.ts) that differ per dialect. */
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
