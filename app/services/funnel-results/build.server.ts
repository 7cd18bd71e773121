/**
 * A funnel's build: marks every visitor of its shop stale so the refresher computes the
 * funnel for all of them (state.server.ts describes the lifecycle). Run by the background
 * refresher only, never by a report.
 */
import { letEventLoopRun, type SqlExecutor } from "../../../db/executor";
import { readRows, runStatement } from "../../../db/query";
import buildMarked from "../../../db/queries/results-build-marked";
import buildStart from "../../../db/queries/results-build-start";
import deleteFunnelRows from "../../../db/queries/results-delete-funnel-rows";
import markNextVisitor from "../../../db/queries/results-mark-next-visitor";
import markVisitorsQuery from "../../../db/queries/results-mark-visitors";

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
    const n = await runStatement(tx, buildStart, { shopId, funnelId, mark });
    if (n === 0) return false; // another process started it
    await runStatement(tx, deleteFunnelRows, { shopId, funnelId });
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
    let after = "";
    for (;;) {
      // The visitor `chunk` events on: this chunk takes every visitor up to it, whole.
      const [next] = await readRows(exec, markNextVisitor, { shopId, after, chunk });
      await exec.transaction((tx) =>
        runStatement(tx, markVisitorsQuery(next !== undefined), { shopId, after, mark, ...(next ? { upTo: next.clientId } : {}) }),
      );
      if (!next) break;
      after = next.clientId;
      await letEventLoopRun();
    }
    await exec.transaction((tx) => runStatement(tx, buildMarked, { shopId, funnelId, mark }));
  } finally {
    marking.delete(key);
  }
}
