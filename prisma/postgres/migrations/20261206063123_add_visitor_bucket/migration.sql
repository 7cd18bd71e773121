-- Existing rows lack the bucket, which only the app computes (a hash of the visitor id):
-- every funnel rebuilds its precomputed results, as after an edit (rows dropped first, so
-- the new NOT NULL column needs no value; no mark: the background refresher starts the
-- build at once and reports come from the events meanwhile).
DELETE FROM "FunnelUnitDay";
UPDATE "Funnel" SET "resultsMark" = NULL, "resultsState" = 'building';

-- AlterTable
ALTER TABLE "FunnelUnitDay" ADD COLUMN     "visitorBucket" INTEGER NOT NULL;

-- CreateIndex
CREATE INDEX "FunnelUnitDay_sample_idx" ON "FunnelUnitDay"("shopId", "funnelId", "furthest", "visitorBucket", "day", "clientId");

