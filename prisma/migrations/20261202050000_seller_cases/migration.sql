
-- AlterTable
ALTER TABLE "Seller" ADD COLUMN     "statusReason" TEXT;

-- CreateTable
CREATE TABLE "SellerCase" (
    "id" TEXT NOT NULL,
    "sellerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "openedBy" TEXT NOT NULL,
    "nextDeadlineAt" TIMESTAMP(3),
    "nextDeadlineRule" TEXT,
    "closedAt" TIMESTAMP(3),
    "outcome" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SellerCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SellerCaseMessage" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SellerCaseMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SellerCase_sellerId_openedAt_idx" ON "SellerCase"("sellerId", "openedAt");

-- CreateIndex
CREATE INDEX "SellerCase_status_nextDeadlineAt_idx" ON "SellerCase"("status", "nextDeadlineAt");

-- CreateIndex
CREATE INDEX "SellerCaseMessage_caseId_createdAt_idx" ON "SellerCaseMessage"("caseId", "createdAt");

