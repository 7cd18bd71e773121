/**
 * The background refresher: the server process runs it (app/entry.server.tsx) so reports
 * only read. It refreshes each shop with stale visitors or a funnel whose build is not
 * done; creating a funnel nudges it (nudge.ts) so the build starts at once rather than
 * at the next period.
 */
import type { SqlExecutor } from "../../../db/executor";
import { readRows } from "../../../db/query";
import shopsToRefreshQuery from "../../../db/queries/results-shops-to-refresh";
import { onNudge } from "./nudge";
import { refreshShop } from "./refresh.server";
import type { ResultsDeps } from "./state.server";

/** Visitors one pass recomputes per shop before moving to the next shop. */
const PASS_MAX_VISITORS = 5_000;

/**
 * Every `intervalMs` (or at once when nudged), refreshes each shop with work to do.
 * Errors are logged and retried next time (markers stay until their rows are written).
 */
export function startResultsRefresher(deps: ResultsDeps, intervalMs = 1_000): () => void {
  let stopped = false;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    timer = undefined;
    running = true;
    again = false;
    try {
      for (const shopId of await shopsToRefresh(deps.exec)) {
        if (stopped) return;
        await refreshShop(deps, shopId, { maxVisitors: PASS_MAX_VISITORS });
      }
    } catch (error) {
      console.error("[funnel-results] refresh failed; retrying", error);
    } finally {
      running = false;
    }
    // Nudged during the pass: its shop list may have missed the new funnel.
    if (!stopped) timer = setTimeout(tick, again ? 0 : intervalMs).unref();
  };
  const stopNudges = onNudge(() => {
    if (stopped) return;
    if (running) {
      again = true;
    } else {
      clearTimeout(timer);
      timer = setTimeout(tick, 0).unref();
    }
  });
  timer = setTimeout(tick, intervalMs).unref();
  return () => {
    stopped = true;
    stopNudges();
    clearTimeout(timer);
  };
}

/** Ids of shops with work to do. A scheduler's list of shop ids: no shop's data is read. */
async function shopsToRefresh(exec: SqlExecutor): Promise<number[]> {
  const rows = await readRows(exec, shopsToRefreshQuery, {});
  return rows.map((r) => Number(r.shopId));
}
