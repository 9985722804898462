-- The reseller program (PRT-1 to PRT-7), calls for tenders (TND-1) and account closure (ACC-3).

-- PRT-1: an affiliate cannot be a partner (affiliates exist only as this flag). ACC-3: a closed
-- account keeps its row (invoices point at it) with its personal data replaced by tombstones.
ALTER TABLE "Customer" ADD COLUMN "affiliate" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Customer" ADD COLUMN "closedAt" TIMESTAMP(3);

-- PRT-6: the reseller price the seller grants partners (basis points off the public price, 0: none)
-- and the offer's volume tiers ([{ "fromQuantity", "discountBp" }], applied after it).
ALTER TABLE "Offer" ADD COLUMN "partnerDiscountBp" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Offer" ADD COLUMN "volumeTiers" JSONB NOT NULL DEFAULT '[]';

-- PRT-4, PRT-5: an order a partner placed for its customer, and who paid it.
ALTER TABLE "Order" ADD COLUMN "partnerId" TEXT;
ALTER TABLE "Order" ADD COLUMN "payer" TEXT NOT NULL DEFAULT 'customer';
-- PRT-5: an invoice lives in one organisation: the customer's (null) or its partner's.
ALTER TABLE "Invoice" ADD COLUMN "partnerId" TEXT;
CREATE INDEX "Invoice_partnerId_idx" ON "Invoice"("partnerId");

CREATE TABLE "Partner" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "companyName" TEXT NOT NULL,
    "registrationNumber" TEXT NOT NULL,
    "website" TEXT NOT NULL,
    "legalRepresentatives" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "tenderCategories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "refusalReason" TEXT,
    CONSTRAINT "Partner_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Partner_customerId_key" ON "Partner"("customerId");

CREATE TABLE "Partnership" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "partnerId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedAccess" TEXT NOT NULL,
    "requestedProductIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "access" TEXT,
    "productIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "payer" TEXT NOT NULL DEFAULT 'customer',
    "invitedAt" TIMESTAMP(3) NOT NULL,
    "lapsesAt" TIMESTAMP(3) NOT NULL,
    "respondedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "endedBy" TEXT,
    CONSTRAINT "Partnership_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Partnership_customerId_status_idx" ON "Partnership"("customerId", "status");
CREATE INDEX "Partnership_partnerId_status_idx" ON "Partnership"("partnerId", "status");

CREATE TABLE "ConfirmationCode" (
    "id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConfirmationCode_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ConfirmationCode_purpose_subjectId_idx" ON "ConfirmationCode"("purpose", "subjectId");

CREATE TABLE "Tender" (
    "id" TEXT NOT NULL,
    "customerId" TEXT,
    "contactName" TEXT NOT NULL,
    "contactEmail" TEXT NOT NULL,
    "contactPhone" TEXT,
    "category" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "excerpt" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "openedAt" TIMESTAMP(3),
    "closesAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    CONSTRAINT "Tender_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Tender_status_category_idx" ON "Tender"("status", "category");
CREATE INDEX "Tender_customerId_idx" ON "Tender"("customerId");

CREATE TABLE "TenderRead" (
    "id" SERIAL NOT NULL,
    "tenderId" TEXT NOT NULL,
    "partnerId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TenderRead_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "TenderRead_tenderId_idx" ON "TenderRead"("tenderId");

CREATE TABLE "TenderProposal" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "partnerId" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "priceCents" INTEGER,
    "currency" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TenderProposal_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "TenderProposal_tenderId_idx" ON "TenderProposal"("tenderId");
