-- Trust (issue 9): verified accounts, expiring and revocable keys, secrets referenced by id
-- (cards, access instructions, deletion codes), sign-in links, idempotency records that expire
-- and hold no secret, per-attempt gateway keys, masked e-mail texts.

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "keyId" TEXT NOT NULL DEFAULT ('key_'::text || replace((gen_random_uuid())::text, '-'::text, ''::text)),
ADD COLUMN     "revokedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "verifiedAt" TIMESTAMP(3);

-- Customer keys handed out by checkouts before this migration proved nothing about the address
-- (issue 9, X-8): revoked, so their holders sign in by e-mail. The seeded demo customer key stays.
UPDATE "ApiKey" SET "revokedAt" = CURRENT_TIMESTAMP AT TIME ZONE 'UTC' WHERE "kind" = 'customer' AND "hash" <> '6f63f67d08a7af2f13f5d1b42e28040db9af50cb9b1a43ae3a00d0cab918eeb3';

-- AlterTable
ALTER TABLE "Email" ADD COLUMN     "maskedText" TEXT;

-- Records written before this migration hold secrets (customer API keys) and never expire: dropped.
DELETE FROM "IdempotencyRecord";

-- AlterTable
ALTER TABLE "IdempotencyRecord" DROP COLUMN "customerApiKey",
DROP COLUMN "orderId",
DROP COLUMN "requestHash",
ADD COLUMN     "expiresAt" TIMESTAMP(3) NOT NULL,
ADD COLUMN     "fingerprint" TEXT NOT NULL,
ADD COLUMN     "resourceId" TEXT;


-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "gatewayKey" TEXT;

-- CreateTable
CREATE TABLE "PaymentCard" (
    "id" TEXT NOT NULL,
    "customerId" TEXT,
    "token" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "brand" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaymentCard_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessInstructions" (
    "id" TEXT NOT NULL,
    "lineId" TEXT NOT NULL,
    "sellerId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessInstructions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeletionCode" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "confirmedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeletionCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInToken" (
    "hash" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInToken_pkey" PRIMARY KEY ("hash")
);

-- The cards of existing orders move to PaymentCard, one per order.
INSERT INTO "PaymentCard" ("id", "customerId", "token", "last4", "brand", "createdAt")
SELECT 'card_' || "id", "customerId", "cardToken", "cardLast4", 'visa', "createdAt" FROM "Order";

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "cardId" TEXT,
ADD COLUMN     "customerName" TEXT,
ADD COLUMN     "customerType" TEXT;
UPDATE "Order" SET "cardId" = 'card_' || "id";
ALTER TABLE "Order" ALTER COLUMN "cardId" SET NOT NULL;
ALTER TABLE "Order" DROP COLUMN "cardToken";

-- CreateIndex
CREATE INDEX "PaymentCard_customerId_idx" ON "PaymentCard"("customerId");

-- CreateIndex
CREATE INDEX "AccessInstructions_lineId_idx" ON "AccessInstructions"("lineId");

-- CreateIndex
CREATE INDEX "DeletionCode_subscriptionId_idx" ON "DeletionCode"("subscriptionId");

-- CreateIndex
CREATE INDEX "SignInToken_customerId_idx" ON "SignInToken"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyId_key" ON "ApiKey"("keyId");

-- CreateIndex
CREATE INDEX "ApiKey_customerId_idx" ON "ApiKey"("customerId");

-- CreateIndex
CREATE INDEX "ApiKey_sellerId_idx" ON "ApiKey"("sellerId");

-- CreateIndex
CREATE INDEX "IdempotencyRecord_expiresAt_idx" ON "IdempotencyRecord"("expiresAt");


-- Orders keep the buyer address, and the account of a new buyer exists only once its charge is captured.
ALTER TABLE "Order" DROP CONSTRAINT "Order_customerId_fkey";
ALTER TABLE "TermsAcceptance" DROP CONSTRAINT "TermsAcceptance_customerId_fkey";
ALTER TABLE "Order" ADD COLUMN     "customerEmail" TEXT,
ALTER COLUMN "customerId" DROP NOT NULL;
UPDATE "Order" o SET "customerEmail" = c."email" FROM "Customer" c WHERE c."id" = o."customerId";
ALTER TABLE "Order" ALTER COLUMN "customerEmail" SET NOT NULL;
ALTER TABLE "TermsAcceptance" ALTER COLUMN "customerId" DROP NOT NULL;
ALTER TABLE "TermsAcceptance" ADD CONSTRAINT "TermsAcceptance_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Order" ADD CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;
