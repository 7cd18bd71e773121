-- DropIndex
DROP INDEX "FunnelUnitDay_shopId_funnelId_day_furthest_idx";

-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_day_multi_furthest_lastTs_latestStartTs_entryTs_msFromPrev_idx" ON "FunnelUnitDay"("shopId", "funnelId", "day", "multi", "furthest", "lastTs", "latestStartTs", "entryTs", "msFromPrev");

