-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "ordersWebhook" TEXT NOT NULL DEFAULT 'pending',
ADD COLUMN     "ordersWebhookError" TEXT;

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" TEXT NOT NULL,
    "shopId" INTEGER NOT NULL,
    "requestKey" TEXT NOT NULL,
    "customerId" TEXT,
    "ordersJson" TEXT NOT NULL DEFAULT '[]',
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DataRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DataRequest_shopId_receivedAt_idx" ON "DataRequest"("shopId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_shopId_requestKey_key" ON "DataRequest"("shopId", "requestKey");

