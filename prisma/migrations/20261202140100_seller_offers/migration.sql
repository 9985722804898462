-- Offers and terms (README "Offers and terms"): offers are versioned per product, terms keep their text.

-- AlterTable
ALTER TABLE "Offer" ADD COLUMN     "productId" TEXT,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "retiredAt" TIMESTAMP(3),
ADD COLUMN     "supersededById" TEXT;

-- Backfill: every existing offer is version 1 of its own product.
UPDATE "Offer" SET "productId" = "id" WHERE "productId" IS NULL;

-- AlterTable
ALTER TABLE "SellerTermsVersion" ADD COLUMN     "text" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Offer_productId_version_key" ON "Offer"("productId", "version");

-- CreateIndex
CREATE INDEX "Offer_sellerId_createdAt_idx" ON "Offer"("sellerId", "createdAt");

-- CreateIndex
CREATE INDEX "SellerTermsVersion_sellerId_publishedAt_idx" ON "SellerTermsVersion"("sellerId", "publishedAt");
