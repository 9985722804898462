-- CreateTable
CREATE TABLE "PayoutAccount" (
    "sellerId" TEXT NOT NULL,
    "iban" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PayoutAccount_pkey" PRIMARY KEY ("sellerId")
);

-- CreateTable
CREATE TABLE "Payout" (
    "id" TEXT NOT NULL,
    "sellerId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "cutoff" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "releasedCents" BIGINT NOT NULL,
    "deficitInCents" BIGINT NOT NULL DEFAULT 0,
    "deficitOutCents" BIGINT NOT NULL DEFAULT 0,
    "gatewayRef" TEXT,
    "failure" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settledAt" TIMESTAMP(3),

    CONSTRAINT "Payout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SandboxPayout" (
    "reference" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "iban" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "code" TEXT,
    "message" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SandboxPayout_pkey" PRIMARY KEY ("reference")
);

-- CreateIndex
CREATE INDEX "Payout_sellerId_date_idx" ON "Payout"("sellerId", "date");

-- CreateIndex
CREATE UNIQUE INDEX "SandboxPayout_idempotencyKey_key" ON "SandboxPayout"("idempotencyKey");
