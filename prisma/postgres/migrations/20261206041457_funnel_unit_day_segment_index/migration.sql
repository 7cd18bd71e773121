-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_multi_furthest_device_source__idx" ON "FunnelUnitDay"("shopId", "funnelId", "multi", "furthest", "device", "source", "campaign", "landingPath", "visitorType", "loggedIn", "day", "lastTs", "latestStartTs", "entryTs");

