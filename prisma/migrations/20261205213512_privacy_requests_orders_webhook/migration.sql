-- CreateTable
CREATE TABLE "DataRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" INTEGER NOT NULL,
    "requestKey" TEXT NOT NULL,
    "customerId" TEXT,
    "ordersJson" TEXT NOT NULL DEFAULT '[]',
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "ingestKey" TEXT NOT NULL,
    "webPixelId" TEXT,
    "pixelStatus" TEXT NOT NULL DEFAULT 'pending',
    "pixelError" TEXT,
    "ordersWebhook" TEXT NOT NULL DEFAULT 'pending',
    "ordersWebhookError" TEXT,
    "scopes" TEXT,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("createdAt", "currency", "domain", "id", "ingestKey", "installedAt", "locale", "name", "pixelError", "pixelStatus", "scopes", "settings", "timeZone", "uninstalledAt", "updatedAt", "webPixelId") SELECT "createdAt", "currency", "domain", "id", "ingestKey", "installedAt", "locale", "name", "pixelError", "pixelStatus", "scopes", "settings", "timeZone", "uninstalledAt", "updatedAt", "webPixelId" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
CREATE UNIQUE INDEX "Shop_ingestKey_key" ON "Shop"("ingestKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "DataRequest_shopId_receivedAt_idx" ON "DataRequest"("shopId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_shopId_requestKey_key" ON "DataRequest"("shopId", "requestKey");

