-- AlterTable
ALTER TABLE "Audience" ADD COLUMN "funnelVersion" INTEGER;

-- CreateTable
CREATE TABLE "FunnelVersion" (
    "shopId" INTEGER NOT NULL,
    "funnelId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "windowMinutes" INTEGER NOT NULL,
    "steps" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shopId", "funnelId", "version"),
    CONSTRAINT "FunnelVersion_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" INTEGER NOT NULL,
    "funnelId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "fromLabel" TEXT NOT NULL,
    "toLabel" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "granularity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "openedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "since" DATETIME NOT NULL,
    "lastCheckedAt" DATETIME NOT NULL,
    "clearedAt" DATETIME,
    "expectedRate" REAL NOT NULL,
    "expectedLow" REAL NOT NULL,
    "expectedHigh" REAL NOT NULL,
    "baselineSettled" INTEGER NOT NULL,
    "baselineConverted" INTEGER NOT NULL,
    "settled" INTEGER NOT NULL,
    "converted" INTEGER NOT NULL,
    "observedRate" REAL NOT NULL,
    CONSTRAINT "Alert_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Funnel" ("createdAt", "id", "isMain", "name", "resultsMark", "resultsState", "shopId", "template", "unit", "updatedAt", "windowMinutes") SELECT "createdAt", "id", "isMain", "name", "resultsMark", "resultsState", "shopId", "template", "unit", "updatedAt", "windowMinutes" FROM "Funnel";
DROP TABLE "Funnel";
ALTER TABLE "new_Funnel" RENAME TO "Funnel";
CREATE INDEX "Funnel_shopId_idx" ON "Funnel"("shopId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "FunnelVersion_funnelId_idx" ON "FunnelVersion"("funnelId");

-- CreateIndex
CREATE INDEX "Alert_shopId_status_openedAt_idx" ON "Alert"("shopId", "status", "openedAt");

-- CreateIndex
CREATE INDEX "Alert_shopId_funnelId_step_segment_status_idx" ON "Alert"("shopId", "funnelId", "step", "segment", "status");

