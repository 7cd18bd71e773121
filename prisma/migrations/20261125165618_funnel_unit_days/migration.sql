-- CreateTable
CREATE TABLE "FunnelUnitDay" (
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
    "campaign" TEXT,
    "landingPath" TEXT,
    "visitorType" TEXT NOT NULL,
    "loggedIn" BOOLEAN NOT NULL,

    PRIMARY KEY ("shopId", "funnelId", "unitId", "day"),
    CONSTRAINT "FunnelUnitDay_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StaleVisitor" (
    "shopId" INTEGER NOT NULL,
    "clientId" TEXT NOT NULL,
    "sinceTs" BIGINT NOT NULL,
    "version" INTEGER NOT NULL,
    "markedAt" BIGINT NOT NULL,

    PRIMARY KEY ("shopId", "clientId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Funnel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL DEFAULT 'session',
    "windowMinutes" INTEGER NOT NULL DEFAULT 10080,
    "template" TEXT,
    "isMain" BOOLEAN NOT NULL DEFAULT false,
    "resultsState" TEXT NOT NULL DEFAULT 'building',
    "resultsMark" BIGINT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Funnel" ("createdAt", "id", "isMain", "name", "shopId", "template", "unit", "updatedAt", "windowMinutes") SELECT "createdAt", "id", "isMain", "name", "shopId", "template", "unit", "updatedAt", "windowMinutes" FROM "Funnel";
DROP TABLE "Funnel";
ALTER TABLE "new_Funnel" RENAME TO "Funnel";
CREATE INDEX "Funnel_shopId_idx" ON "Funnel"("shopId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_day_furthest_idx" ON "FunnelUnitDay"("shopId", "funnelId", "day", "furthest");

-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_clientId_day_idx" ON "FunnelUnitDay"("shopId", "funnelId", "clientId", "day");

-- CreateIndex
CREATE INDEX "StaleVisitor_shopId_markedAt_idx" ON "StaleVisitor"("shopId", "markedAt");

