-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" SERIAL NOT NULL,
    "domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "ingestKey" TEXT NOT NULL,
    "webPixelId" TEXT,
    "pixelStatus" TEXT NOT NULL DEFAULT 'pending',
    "pixelError" TEXT,
    "scopes" TEXT,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "shopId" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "ts" BIGINT NOT NULL,
    "seq" INTEGER NOT NULL,
    "clientId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "path" TEXT,
    "url" TEXT,
    "referrer" TEXT,
    "utmSource" TEXT,
    "utmMedium" TEXT,
    "utmCampaign" TEXT,
    "device" TEXT,
    "productId" TEXT,
    "variantId" TEXT,
    "quantity" INTEGER,
    "value" DOUBLE PRECISION,
    "currency" TEXT,
    "checkoutToken" TEXT,
    "orderId" TEXT,
    "customerId" TEXT,
    "props" TEXT,
    "isBot" BOOLEAN NOT NULL DEFAULT false,
    "dedupeKey" TEXT,
    "receivedAt" BIGINT NOT NULL,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("shopId","eventId")
);

-- CreateTable
CREATE TABLE "VisitorSession" (
    "shopId" INTEGER NOT NULL,
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "startTs" BIGINT NOT NULL,
    "endTs" BIGINT NOT NULL,
    "eventCount" INTEGER NOT NULL,
    "landingPath" TEXT,
    "source" TEXT NOT NULL,
    "medium" TEXT,
    "campaign" TEXT,
    "referrerHost" TEXT,
    "device" TEXT,
    "visitorType" TEXT NOT NULL,
    "loggedIn" BOOLEAN NOT NULL DEFAULT false,
    "isBot" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "VisitorSession_pkey" PRIMARY KEY ("shopId","id")
);

-- CreateTable
CREATE TABLE "Funnel" (
    "id" TEXT NOT NULL,
    "shopId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL DEFAULT 'session',
    "windowMinutes" INTEGER NOT NULL DEFAULT 10080,
    "template" TEXT,
    "isMain" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Funnel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FunnelStep" (
    "id" TEXT NOT NULL,
    "shopId" INTEGER NOT NULL,
    "funnelId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "matchers" TEXT NOT NULL,

    CONSTRAINT "FunnelStep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");

-- CreateIndex
CREATE UNIQUE INDEX "Shop_ingestKey_key" ON "Shop"("ingestKey");

-- CreateIndex
CREATE INDEX "Event_shopId_ts_idx" ON "Event"("shopId", "ts");

-- CreateIndex
CREATE INDEX "Event_shopId_clientId_ts_idx" ON "Event"("shopId", "clientId", "ts");

-- CreateIndex
CREATE INDEX "Event_shopId_sessionId_idx" ON "Event"("shopId", "sessionId");

-- CreateIndex
CREATE UNIQUE INDEX "Event_shopId_dedupeKey_key" ON "Event"("shopId", "dedupeKey");

-- CreateIndex
CREATE INDEX "VisitorSession_shopId_startTs_idx" ON "VisitorSession"("shopId", "startTs");

-- CreateIndex
CREATE INDEX "VisitorSession_shopId_clientId_startTs_idx" ON "VisitorSession"("shopId", "clientId", "startTs");

-- CreateIndex
CREATE INDEX "Funnel_shopId_idx" ON "Funnel"("shopId");

-- CreateIndex
CREATE INDEX "FunnelStep_shopId_idx" ON "FunnelStep"("shopId");

-- CreateIndex
CREATE UNIQUE INDEX "FunnelStep_funnelId_position_key" ON "FunnelStep"("funnelId", "position");

-- AddForeignKey
ALTER TABLE "FunnelStep" ADD CONSTRAINT "FunnelStep_funnelId_fkey" FOREIGN KEY ("funnelId") REFERENCES "Funnel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

