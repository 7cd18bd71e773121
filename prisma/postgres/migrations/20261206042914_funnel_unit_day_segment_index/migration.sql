-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_multi_furthest_device_source__idx" ON "FunnelUnitDay"("shopId", "funnelId", "multi", "furthest", "device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn", "productId", "day", "lastTs", "latestStartTs", "entryTs");

