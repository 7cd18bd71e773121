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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Audience" ("createdAt", "id", "lookbackDays", "macroMatcher", "microMatcher", "name", "shopId", "tag", "template", "updatedAt") SELECT "createdAt", "id", "lookbackDays", "macroMatcher", "microMatcher", "name", "shopId", "tag", "template", "updatedAt" FROM "Audience";
DROP TABLE "Audience";
ALTER TABLE "new_Audience" RENAME TO "Audience";
CREATE INDEX "Audience_shopId_idx" ON "Audience"("shopId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

