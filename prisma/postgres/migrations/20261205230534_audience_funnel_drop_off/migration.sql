-- AlterTable
ALTER TABLE "Audience" ADD COLUMN     "funnelId" TEXT,
ADD COLUMN     "funnelStep" INTEGER,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'events',
ADD COLUMN     "rangeJson" TEXT;

