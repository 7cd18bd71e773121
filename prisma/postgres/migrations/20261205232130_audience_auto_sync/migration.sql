-- AlterTable
ALTER TABLE "Audience" ADD COLUMN     "autoSync" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "autoSyncLastAt" TIMESTAMP(3),
ADD COLUMN     "autoSyncResult" TEXT,
ADD COLUMN     "autoSyncStatus" TEXT;

-- CreateIndex
CREATE INDEX "Audience_autoSync_autoSyncLastAt_idx" ON "Audience"("autoSync", "autoSyncLastAt");

