-- DropIndex
DROP INDEX "FunnelUnitDay_shopId_funnelId_day_multi_furthest_lastTs_lat_idx";

-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_multi_furthest_day_lastTs_lat_idx" ON "FunnelUnitDay"("shopId", "funnelId", "multi", "furthest", "day", "lastTs", "latestStartTs", "entryTs", "msFromPrev");

