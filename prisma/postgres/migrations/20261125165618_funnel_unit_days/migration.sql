-- AlterTable
ALTER TABLE "Funnel" ADD COLUMN     "resultsMark" BIGINT,
ADD COLUMN     "resultsState" TEXT NOT NULL DEFAULT 'building';

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

    CONSTRAINT "FunnelUnitDay_pkey" PRIMARY KEY ("shopId","funnelId","unitId","day")
);

-- CreateTable
CREATE TABLE "StaleVisitor" (
    "shopId" INTEGER NOT NULL,
    "clientId" TEXT NOT NULL,
    "sinceTs" BIGINT NOT NULL,
    "version" INTEGER NOT NULL,
    "markedAt" BIGINT NOT NULL,

    CONSTRAINT "StaleVisitor_pkey" PRIMARY KEY ("shopId","clientId")
);

-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_day_furthest_idx" ON "FunnelUnitDay"("shopId", "funnelId", "day", "furthest");

-- CreateIndex
CREATE INDEX "FunnelUnitDay_shopId_funnelId_clientId_day_idx" ON "FunnelUnitDay"("shopId", "funnelId", "clientId", "day");

-- CreateIndex
CREATE INDEX "StaleVisitor_shopId_markedAt_idx" ON "StaleVisitor"("shopId", "markedAt");

-- AddForeignKey
ALTER TABLE "FunnelUnitDay" ADD CONSTRAINT "FunnelUnitDay_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

