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

-- CreateIndex
CREATE INDEX "FunnelVersion_funnelId_idx" ON "FunnelVersion"("funnelId");

-- AddForeignKey
ALTER TABLE "FunnelVersion" ADD CONSTRAINT "FunnelVersion_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

