-- Commercial policies (POL-1, POL-2, POL-3, POL-4, POL-6) and quantities.

-- What a seller states of an offer: a free trial, the periods a buyer may choose, the charity and
-- education discount, and whether it is a subscription or a service (never refunded, POL-4).
ALTER TABLE "Offer" ADD COLUMN "trialDays" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Offer" ADD COLUMN "allowedPeriods" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Offer" ADD COLUMN "discountEligible" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Offer" ADD COLUMN "productKind" TEXT NOT NULL DEFAULT 'subscription';

-- A line as bought: quantity, unit price, discount and the end of its trial.
ALTER TABLE "OrderLine" ADD COLUMN "quantity" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "OrderLine" ADD COLUMN "unitPriceCents" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "OrderLine" ADD COLUMN "discountBp" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "OrderLine" ADD COLUMN "discountKind" TEXT;
ALTER TABLE "OrderLine" ADD COLUMN "trialEndsAt" TIMESTAMP(3);
-- Lines bought before quantities: one unit at the line's price.
UPDATE "OrderLine" SET "unitPriceCents" = "priceCents";

CREATE TABLE "CustomerVerification" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "evidenceRef" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "recordedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CustomerVerification_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "CustomerVerification_customerId_expiresAt_idx" ON "CustomerVerification"("customerId", "expiresAt");
