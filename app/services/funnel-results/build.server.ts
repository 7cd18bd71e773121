/**
 * A funnel's build: marks every visitor of its shop stale so the refresher computes the
 * funnel for all of them (state.server.ts describes the lifecycle). Run by the background
 * refresher only, never by a report.
 */
import { letEventLoopRun, type SqlExecutor } from "../../../db/executor";

/** Events read per transaction while a build marks the shop's visitors (its write lock stays short). */
export const MARK_CHUNK_EVENTS = 20_000;

/**
 * Starts a build at time M: records M on the funnel ("marking"), then marks every visitor
 * of the shop stale at M. The refresher computes the funnel for visitors as soon as they
 * are marked (its mark is set); it becomes "building" once all are, then "ready"
 * (finishBuilds).
 */
export async function startBuild(exec: SqlExecutor, shopId: number, funnelId: string, chunk: number): Promise<void> {
  const mark = Date.now();
  const started = await exec.transaction(async (tx) => {
    const n = await tx.execute(
      `UPDATE "Funnel" SET "resultsMark" = $1, "resultsState" = 'marking' WHERE "shopId" = $2 AND "id" = $3 AND "resultsMark" IS NULL`,
      mark,
      shopId,
      funnelId,
    );
    if (n === 0) return false; // another process started it
    await tx.execute(`DELETE FROM "FunnelUnitDay" WHERE "shopId" = $1 AND "funnelId" = $2`, shopId, funnelId);
    return true;
  });
  if (started) await markVisitors(exec, shopId, funnelId, mark, chunk);
}

/** Builds being marked by this process (shop:funnel): a second caller leaves them to it. */
const marking = new Set<string>();

/**
 * Marks the shop's visitors stale at `mark`, `chunk` events at a time in visitor order, one
 * transaction each: one statement over a big shop's events held SQLite's write lock for
 * seconds (ingestion answered 503 meanwhile). Then the funnel is "building".
 */
export async function markVisitors(exec: SqlExecutor, shopId: number, funnelId: string, mark: number, chunk: number): Promise<void> {
  const key = `${shopId}:${funnelId}`;
  if (marking.has(key)) return;
  marking.add(key);
  try {
    const min = exec.dialect === "sqlite" ? "min" : "LEAST";
    const upsert = (bound: string) =>
      `INSERT INTO "StaleVisitor" ("shopId", "clientId", "sinceTs", "version", "markedAt")
       SELECT "shopId", "clientId", MIN("ts"), 1, $1 FROM "Event" WHERE "shopId" = $2 AND "clientId" > $3${bound} GROUP BY "shopId", "clientId"
       ON CONFLICT ("shopId", "clientId") DO UPDATE SET "sinceTs" = ${min}("StaleVisitor"."sinceTs", excluded."sinceTs"),
         "version" = "StaleVisitor"."version" + 1, "markedAt" = ${min}("StaleVisitor"."markedAt", excluded."markedAt")`;
    let after = "";
    for (;;) {
      // The visitor `chunk` events on: this chunk takes every visitor up to it, whole.
      const [next] = await exec.query<{ clientId: string }>(
        `SELECT "clientId" FROM "Event" WHERE "shopId" = $1 AND "clientId" > $2 ORDER BY "clientId" LIMIT 1 OFFSET $3`,
        shopId,
        after,
        chunk,
      );
      await exec.transaction((tx) =>
        next ? tx.execute(upsert(` AND "clientId" <= $4`), mark, shopId, after, next.clientId) : tx.execute(upsert(""), mark, shopId, after),
      );
      if (!next) break;
      after = next.clientId;
      await letEventLoopRun();
    }
    await exec.transaction((tx) =>
      tx.execute(
        `UPDATE "Funnel" SET "resultsState" = 'building' WHERE "shopId" = $1 AND "id" = $2 AND "resultsMark" = $3 AND "resultsState" = 'marking'`,
        shopId,
        funnelId,
        mark,
      ),
    );
  } finally {
    marking.delete(key);
  }
}
