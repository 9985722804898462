-- KYC-1: seller applications and their documents, and sign-in links for sellers.

-- AlterTable
ALTER TABLE "SignInToken" ALTER COLUMN "customerId" DROP NOT NULL,
ADD COLUMN     "sellerId" TEXT;

-- CreateTable
CREATE TABLE "SellerApplication" (
    "id" TEXT NOT NULL,
    "companyName" TEXT NOT NULL,
    "registrationNumber" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "contactName" TEXT NOT NULL,
    "contactEmail" TEXT NOT NULL,
    "contactPhone" TEXT NOT NULL,
    "representatives" JSONB NOT NULL,
    "beneficialOwners" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "missing" JSONB NOT NULL DEFAULT '[]',
    "submittedAt" TIMESTAMP(3),
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "reason" TEXT,
    "sellerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SellerApplication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SellerDocument" (
    "id" TEXT NOT NULL,
    "applicationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "person" INTEGER,
    "issuedOn" TEXT,
    "accountHolder" TEXT,
    "fileId" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "uploadedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SellerDocument_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SignInToken_sellerId_idx" ON "SignInToken"("sellerId");

-- CreateIndex
CREATE UNIQUE INDEX "SellerApplication_sellerId_key" ON "SellerApplication"("sellerId");

-- CreateIndex
CREATE INDEX "SellerApplication_status_createdAt_idx" ON "SellerApplication"("status", "createdAt");

-- CreateIndex
CREATE INDEX "SellerApplication_createdAt_idx" ON "SellerApplication"("createdAt");

-- CreateIndex
CREATE INDEX "SellerDocument_applicationId_uploadedAt_idx" ON "SellerDocument"("applicationId", "uploadedAt");

-- AddForeignKey
ALTER TABLE "SellerDocument" ADD CONSTRAINT "SellerDocument_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "SellerApplication"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
