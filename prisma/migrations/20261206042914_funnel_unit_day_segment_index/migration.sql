-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_multi_furthest_device_source_medium_campaign_landingPath_visitorType_loggedIn_productId_day_lastTs_latestStartTs_entryTs_idx" ON "FunnelUnitDay"("shopId", "funnelId", "multi", "furthest", "device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn", "productId", "day", "lastTs", "latestStartTs", "entryTs");

