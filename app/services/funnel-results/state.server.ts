/**
 * A funnel's precomputed results (FunnelUnitDay rows, core/funnel/unit-days.ts) and their
 * state, for the build, the refresher and the report reads.
 *
 * Lifecycle
 * - Ingestion marks each visitor that got events as stale (StaleVisitor, same
 *   transaction as the events: ingest/writer.server.ts), at the time it received them
 *   (markedAt).
 * - A new funnel has no mark ("building", resultsMark null). The background refresher
 *   (refresher.server.ts) starts its build (build.server.ts): it records a time M
 *   (resultsMark) and marks every visitor of the shop stale at M ("marking"), then the
 *   funnel is "building", and "ready" once no marking at or before M is left.
 * - The refresher recomputes stale visitors for every started funnel of their shop with
 *   the pure engine and replaces their rows (refresh.server.ts). A marker is removed only
 *   if its version is the one read before loading the events, so events committed
 *   meanwhile are never skipped.
 * - Reports (read.server.ts) never build or refresh: they read the rows as they are, "as
 *   of" the oldest marking still waiting (every event received before it is in the rows).
 *   test/integration/funnel-results.test.ts proves they give computeFunnel's report.
 */
import type { FunnelDefinition } from "../../../core/types";
import type { SqlExecutor } from "../../../db/executor";
import { readRows, runStatement, type QueryRunner } from "../../../db/query";
import finishBuildsQuery from "../../../db/queries/results-finish-builds";
import lockBuilding from "../../../db/queries/results-lock-building";
import pendingAtMark from "../../../db/queries/results-pending-at-mark";
import resultsAsOfQuery from "../../../db/queries/results-as-of";
import shopVisitors from "../../../db/queries/results-shop-visitors";
import type { Db, DbDialect } from "../../../db/prisma";
import { toDefinition, toView } from "../funnels.server";
import { announceResultsReady } from "./nudge";

/**
 * Writes go through the ingestion executor (on SQLite its one connection, so the writer
 * and the refresher take turns instead of failing on a busy database).
 */
export interface ResultsDeps {
  db: Db;
  dialect: DbDialect;
  exec: SqlExecutor;
}

export interface ShopFunnel {
  id: string;
  def: FunnelDefinition;
  mark: number | null;
  state: string;
}

export async function loadFunnels(db: Db, shopId: number): Promise<ShopFunnel[]> {
  const rows = await db.funnel.findMany({
    where: { shopId },
    include: { steps: { select: { position: true, label: true, matchers: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    def: toDefinition(toView(r)),
    mark: r.resultsMark === null ? null : Number(r.resultsMark),
    state: r.resultsState,
  }));
}

/**
 * Nothing in the rows is older than this (epoch ms): every event the shop's ingestion
 * stored before it has been computed into every started funnel's rows. It is the oldest
 * marking still waiting for the refresher — a build's markers count, so while another
 * funnel of the shop builds, the time is its start, an understatement — and with none
 * waiting, `now`: the rows hold everything stored.
 */
export async function resultsAsOf(on: QueryRunner, shopId: number, now: number): Promise<number> {
  const [row] = await readRows(on, resultsAsOfQuery, { shopId });
  return row?.oldest === null || row?.oldest === undefined ? now : Math.min(now, Number(row.oldest));
}

/** How far a funnel's build has come, for a report that answers while it runs. */
export interface BuildProgress {
  /** queued: the refresher has not started it; marking: listing the shop's visitors; building: computing them. */
  state: "queued" | "marking" | "building";
  /** Visitors of the shop (with a stored session). */
  visitors: number;
  /** Of those, how many are computed into the funnel's rows (0 until marking ends). */
  computed: number;
}

/** The build progress of a funnel that is not ready (state and mark as read from its row). */
export async function buildProgress(
  on: QueryRunner,
  shopId: number,
  funnel: { resultsState: string; resultsMark: number | bigint | null },
): Promise<BuildProgress> {
  const [{ n }] = await readRows(on, shopVisitors, { shopId });
  const visitors = Number(n);
  if (funnel.resultsMark === null) return { state: "queued", visitors, computed: 0 };
  if (funnel.resultsState === "marking") return { state: "marking", visitors, computed: 0 };
  const [{ pending }] = await readRows(on, pendingAtMark, { shopId, mark: Number(funnel.resultsMark) });
  return { state: "building", visitors, computed: Math.max(0, visitors - Number(pending)) };
}

/**
 * A building funnel is ready once every visitor marked at or before its mark has been
 * recomputed; a funnel whose build has not started (no mark) never is.
 * The building funnels are locked first, in a statement of their own (why: see
 * db/queries/results-lock-building.ts).
 */
export async function finishBuilds(exec: SqlExecutor, shopId: number, funnels: ShopFunnel[]): Promise<void> {
  if (!funnels.some((f) => f.mark !== null)) return;
  const ready = await exec.transaction(async (tx) => {
    await readRows(tx, lockBuilding, { shopId });
    return runStatement(tx, finishBuildsQuery, { shopId });
  });
  // The step alarm checks the shop at once rather than at its next period (step-alarm-schedule.server.ts).
  if (ready > 0) announceResultsReady(shopId);
}
