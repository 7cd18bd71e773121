/**
 * Runs due automatic audience syncs (auto-sync.server.ts) inside the production server:
 * every AUDIENCE_AUTO_SYNC_CHECK_SECONDS, first shortly after start. Never throws and never
 * keeps the process alive; checks never overlap (periodic-job.server.ts). Several processes may check at once: the
 * sync's lease lets only one of them work on a run.
 */
import type { Db } from "../../../db/prisma";
import { unauthenticated } from "../../shopify.server";
import { startPeriodicJob } from "../periodic-job.server";
import { runDueAutoSyncs, type OfflineAdmin } from "./auto-sync.server";

const offlineAdmin: OfflineAdmin = async (shop) => {
  try {
    const { admin, session } = await unauthenticated.admin(shop);
    return { admin, scope: session.scope };
  } catch {
    return null;
  }
};

export function startAudienceAutoSync(checkSeconds: number, db: Db): () => void {
  if (checkSeconds === 0) {
    console.log("[audience-sync] automatic syncs disabled (AUDIENCE_AUTO_SYNC_CHECK_SECONDS=0)");
    return () => {};
  }
  return startPeriodicJob({
    name: "audience-sync",
    intervalMs: checkSeconds * 1000,
    async run() {
      const reports = await runDueAutoSyncs(db, offlineAdmin);
      for (const r of reports) console.log(`[audience-sync] shop ${r.shopId} audience ${r.audienceId}: ${r.outcome} (${r.result})`);
    },
  });
}
