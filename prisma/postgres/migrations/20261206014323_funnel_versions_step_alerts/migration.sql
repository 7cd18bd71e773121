-- AlterTable
ALTER TABLE "Funnel" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Audience" ADD COLUMN     "funnelVersion" INTEGER;

-- CreateTable
CREATE TABLE "FunnelVersion" (
    "shopId" INTEGER NOT NULL,
    "funnelId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "windowMinutes" INTEGER NOT NULL,
    "steps" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FunnelVersion_pkey" PRIMARY KEY ("shopId","funnelId","version")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "shopId" INTEGER NOT NULL,
    "funnelId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "fromLabel" TEXT NOT NULL,
    "toLabel" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "granularity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "since" TIMESTAMP(3) NOT NULL,
    "lastCheckedAt" TIMESTAMP(3) NOT NULL,
    "clearedAt" TIMESTAMP(3),
    "expectedRate" DOUBLE PRECISION NOT NULL,
    "expectedLow" DOUBLE PRECISION NOT NULL,
    "expectedHigh" DOUBLE PRECISION NOT NULL,
    "baselineSettled" INTEGER NOT NULL,
    "baselineConverted" INTEGER NOT NULL,
    "settled" INTEGER NOT NULL,
    "converted" INTEGER NOT NULL,
    "observedRate" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FunnelVersion_funnelId_idx" ON "FunnelVersion"("funnelId");

-- CreateIndex
CREATE INDEX "Alert_shopId_status_openedAt_idx" ON "Alert"("shopId", "status", "openedAt");

-- CreateIndex
CREATE INDEX "Alert_shopId_funnelId_step_segment_status_idx" ON "Alert"("shopId", "funnelId", "step", "segment", "status");

-- AddForeignKey
ALTER TABLE "FunnelVersion" ADD CONSTRAINT "FunnelVersion_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

