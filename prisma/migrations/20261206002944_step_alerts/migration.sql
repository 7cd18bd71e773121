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

-- CreateIndex
CREATE INDEX "Alert_shopId_status_openedAt_idx" ON "Alert"("shopId", "status", "openedAt");

-- CreateIndex
CREATE INDEX "Alert_shopId_funnelId_step_segment_status_idx" ON "Alert"("shopId", "funnelId", "step", "segment", "status");

