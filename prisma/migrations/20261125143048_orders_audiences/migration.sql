-- CreateTable
CREATE TABLE "Order" (
    "shopId" INTEGER NOT NULL,
    "orderId" TEXT NOT NULL,
    "createdAt" BIGINT NOT NULL,
    "totalPrice" REAL NOT NULL,
    "currency" TEXT NOT NULL,
    "onlineStore" BOOLEAN NOT NULL,
    "checkoutToken" TEXT,
    "receivedAt" BIGINT NOT NULL,

    PRIMARY KEY ("shopId", "orderId")
);

-- CreateTable
CREATE TABLE "Audience" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "template" TEXT,
    "microMatcher" TEXT NOT NULL,
    "macroMatcher" TEXT NOT NULL,
    "lookbackDays" INTEGER NOT NULL DEFAULT 30,
    "tag" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AudienceSync" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" INTEGER NOT NULL,
    "audienceId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL DEFAULT 0,
    "tagged" INTEGER NOT NULL DEFAULT 0,
    "untagged" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "error" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Order_shopId_createdAt_idx" ON "Order"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "Audience_shopId_idx" ON "Audience"("shopId");

-- CreateIndex
CREATE INDEX "AudienceSync_shopId_audienceId_idx" ON "AudienceSync"("shopId", "audienceId");

