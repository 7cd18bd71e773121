-- Existing rows lack the bucket, which only the app computes (a hash of the visitor id):
-- every funnel rebuilds its precomputed results, as after an edit (rows dropped first, so
-- the new NOT NULL column needs no value; no mark: the background refresher starts the
-- build at once and reports come from the events meanwhile).
DELETE FROM "FunnelUnitDay";
UPDATE "Funnel" SET "resultsMark" = NULL, "resultsState" = 'building';

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_FunnelUnitDay" (
    "shopId" INTEGER NOT NULL,
    "funnelId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "clientId" TEXT NOT NULL,
    "entryTs" BIGINT NOT NULL,
    "furthest" INTEGER NOT NULL,
    "msFromPrev" TEXT NOT NULL,
    "latestStartTs" BIGINT NOT NULL,
    "lastTs" BIGINT NOT NULL,
    "multi" BOOLEAN NOT NULL,
    "device" TEXT,
    "source" TEXT NOT NULL,
    "medium" TEXT,
    "campaign" TEXT,
    "landingPath" TEXT,
    "visitorType" TEXT NOT NULL,
    "loggedIn" BOOLEAN NOT NULL,
    "productId" TEXT,
    "visitorBucket" INTEGER NOT NULL,

    PRIMARY KEY ("shopId", "funnelId", "unitId", "day"),
    CONSTRAINT "FunnelUnitDay_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_FunnelUnitDay" ("campaign", "clientId", "day", "device", "entryTs", "funnelId", "furthest", "landingPath", "lastTs", "latestStartTs", "loggedIn", "medium", "msFromPrev", "multi", "productId", "shopId", "source", "unitId", "visitorType") SELECT "campaign", "clientId", "day", "device", "entryTs", "funnelId", "furthest", "landingPath", "lastTs", "latestStartTs", "loggedIn", "medium", "msFromPrev", "multi", "productId", "shopId", "source", "unitId", "visitorType" FROM "FunnelUnitDay";
DROP TABLE "FunnelUnitDay";
ALTER TABLE "new_FunnelUnitDay" RENAME TO "FunnelUnitDay";
CREATE INDEX "FunnelUnitDay_shopId_funnelId_multi_furthest_day_lastTs_latestStartTs_entryTs_msFromPrev_idx" ON "FunnelUnitDay"("shopId", "funnelId", "multi", "furthest", "day", "lastTs", "latestStartTs", "entryTs", "msFromPrev");
CREATE INDEX "FunnelUnitDay_shopId_funnelId_clientId_day_idx" ON "FunnelUnitDay"("shopId", "funnelId", "clientId", "day");
CREATE INDEX "FunnelUnitDay_shopId_funnelId_multi_furthest_device_source_medium_campaign_landingPath_visitorType_loggedIn_productId_day_lastTs_latestStartTs_entryTs_idx" ON "FunnelUnitDay"("shopId", "funnelId", "multi", "furthest", "device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn", "productId", "day", "lastTs", "latestStartTs", "entryTs");
CREATE INDEX "FunnelUnitDay_sample_idx" ON "FunnelUnitDay"("shopId", "funnelId", "furthest", "visitorBucket", "day", "clientId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

