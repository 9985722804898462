-- CreateTable
CREATE TABLE "LedgerAccount" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "sellerId" TEXT,
    "debitsPosted" BIGINT NOT NULL DEFAULT 0,
    "creditsPosted" BIGINT NOT NULL DEFAULT 0,
    "debitsPending" BIGINT NOT NULL DEFAULT 0,
    "creditsPending" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerTransfer" (
    "id" TEXT NOT NULL,
    "batchId" TEXT NOT NULL,
    "debitAccountId" TEXT NOT NULL,
    "creditAccountId" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "flags" TEXT NOT NULL DEFAULT 'posted',
    "pendingId" TEXT,
    "paymentId" TEXT,
    "refundId" TEXT,
    "sellerId" TEXT,
    "lineId" TEXT,
    "feeRateBp" INTEGER,
    "at" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerTransfer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LedgerAccount_sellerId_idx" ON "LedgerAccount"("sellerId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerTransfer_pendingId_key" ON "LedgerTransfer"("pendingId");

-- CreateIndex
CREATE INDEX "LedgerTransfer_batchId_idx" ON "LedgerTransfer"("batchId");

-- CreateIndex
CREATE INDEX "LedgerTransfer_paymentId_idx" ON "LedgerTransfer"("paymentId");

-- CreateIndex
CREATE INDEX "LedgerTransfer_sellerId_at_idx" ON "LedgerTransfer"("sellerId", "at");

-- CreateIndex
CREATE INDEX "LedgerTransfer_debitAccountId_idx" ON "LedgerTransfer"("debitAccountId");

-- CreateIndex
CREATE INDEX "LedgerTransfer_creditAccountId_idx" ON "LedgerTransfer"("creditAccountId");

-- Transfers are facts: never changed, never removed (a correction is a new transfer).
-- The body has no semicolon character (\073 is one, in an E'' string): the migration runner (the
-- driver adapter) cuts the script at every semicolon, even inside quotes or $$ bodies.
CREATE FUNCTION "ledger_transfer_append_only"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN RAISE EXCEPTION ''LedgerTransfer is append-only: % refused'', TG_OP USING ERRCODE = ''restrict_violation''\073 END';

CREATE TRIGGER "ledger_transfer_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "LedgerTransfer"
  FOR EACH ROW EXECUTE FUNCTION "ledger_transfer_append_only"();

CREATE TRIGGER "ledger_transfer_no_truncate"
  BEFORE TRUNCATE ON "LedgerTransfer"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_transfer_append_only"();
