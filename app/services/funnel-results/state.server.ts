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
export async function resultsAsOf(exec: Pick<SqlExecutor, "query">, shopId: number, now: number): Promise<number> {
  const [row] = await exec.query<{ oldest: number | bigint | null }>(`SELECT MIN("markedAt") AS oldest FROM "StaleVisitor" WHERE "shopId" = $1`, shopId);
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
  exec: Pick<SqlExecutor, "query">,
  shopId: number,
  funnel: { resultsState: string; resultsMark: number | bigint | null },
): Promise<BuildProgress> {
  const [{ n }] = await exec.query<{ n: number | bigint }>(`SELECT COUNT(DISTINCT "clientId") AS n FROM "VisitorSession" WHERE "shopId" = $1`, shopId);
  const visitors = Number(n);
  if (funnel.resultsMark === null) return { state: "queued", visitors, computed: 0 };
  if (funnel.resultsState === "marking") return { state: "marking", visitors, computed: 0 };
  const [{ pending }] = await exec.query<{ pending: number | bigint }>(
    `SELECT COUNT(*) AS pending FROM "StaleVisitor" WHERE "shopId" = $1 AND "markedAt" <= $2`,
    shopId,
    Number(funnel.resultsMark),
  );
  return { state: "building", visitors, computed: Math.max(0, visitors - Number(pending)) };
}

/**
 * A building funnel is ready once every visitor marked at or before its mark has been
 * recomputed; a funnel whose build has not started (no mark) never is.
 * On PostgreSQL the building funnels are locked first, in a statement of their own: an
 * UPDATE that waits for a build committing meanwhile re-checks the funnel's new mark
 * against the markers of its own older snapshot, which lack that build's markers, and
 * would declare the funnel ready empty. After the lock, the UPDATE's snapshot has them.
 */
export async function finishBuilds(exec: SqlExecutor, shopId: number, funnels: ShopFunnel[]): Promise<void> {
  if (!funnels.some((f) => f.mark !== null)) return;
  const ready = await exec.transaction(async (tx) => {
    if (exec.dialect === "postgres") {
      await tx.query(`SELECT "id" FROM "Funnel" WHERE "shopId" = $1 AND "resultsState" = 'building' FOR UPDATE`, shopId);
    }
    return tx.execute(
      `UPDATE "Funnel" SET "resultsState" = 'ready' WHERE "shopId" = $1 AND "resultsState" = 'building' AND "resultsMark" IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM "StaleVisitor" s WHERE s."shopId" = $1 AND s."markedAt" <= "Funnel"."resultsMark")`,
      shopId,
    );
  });
  // The step alarm checks the shop at once rather than at its next period (step-alarm-schedule.server.ts).
  if (ready > 0) announceResultsReady(shopId);
}
