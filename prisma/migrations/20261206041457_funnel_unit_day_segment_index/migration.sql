-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_multi_furthest_device_source_campaign_landingPath_visitorType_loggedIn_day_lastTs_latestStartTs_entryTs_idx" ON "FunnelUnitDay"("shopId", "funnelId", "multi", "furthest", "device", "source", "campaign", "landingPath", "visitorType", "loggedIn", "day", "lastTs", "latestStartTs", "entryTs");

