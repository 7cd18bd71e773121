-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Audience" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "template" TEXT,
    "microMatcher" TEXT NOT NULL,
    "macroMatcher" TEXT NOT NULL,
    "lookbackDays" INTEGER NOT NULL DEFAULT 30,
    "kind" TEXT NOT NULL DEFAULT 'events',
    "funnelId" TEXT,
    "funnelStep" INTEGER,
    "rangeJson" TEXT,
    "tag" TEXT NOT NULL,
    "autoSync" BOOLEAN NOT NULL DEFAULT false,
    "autoSyncLastAt" DATETIME,
    "autoSyncStatus" TEXT,
    "autoSyncResult" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Audience" ("createdAt", "funnelId", "funnelStep", "id", "kind", "lookbackDays", "macroMatcher", "microMatcher", "name", "rangeJson", "shopId", "tag", "template", "updatedAt") SELECT "createdAt", "funnelId", "funnelStep", "id", "kind", "lookbackDays", "macroMatcher", "microMatcher", "name", "rangeJson", "shopId", "tag", "template", "updatedAt" FROM "Audience";
DROP TABLE "Audience";
ALTER TABLE "new_Audience" RENAME TO "Audience";
CREATE INDEX "Audience_shopId_idx" ON "Audience"("shopId");
CREATE INDEX "Audience_autoSync_autoSyncLastAt_idx" ON "Audience"("autoSync", "autoSyncLastAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

