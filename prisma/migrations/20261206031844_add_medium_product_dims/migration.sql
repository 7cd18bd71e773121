-- AlterTable
ALTER TABLE "FunnelUnitDay" ADD COLUMN "medium" TEXT;
ALTER TABLE "FunnelUnitDay" ADD COLUMN "productId" TEXT;


-- Existing rows lack both values: every funnel rebuilds its precomputed results, as after
-- an edit (rows dropped, no mark: the background refresher starts the build at once and
-- reports come from the events meanwhile).
DELETE FROM "FunnelUnitDay";
UPDATE "Funnel" SET "resultsMark" = NULL, "resultsState" = 'building';
