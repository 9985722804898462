-- PYO-1 statements, and e-mail attachments (the statement's PDF and CSV go with its e-mail).
ALTER TABLE "Email" ADD COLUMN "attachments" JSONB;
ALTER TABLE "MailboxMessage" ADD COLUMN "attachments" JSONB;

CREATE TABLE "PayoutStatement" (
    "payoutId" TEXT NOT NULL,
    "sellerId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "openingCents" BIGINT NOT NULL,
    "movementsCents" BIGINT NOT NULL,
    "closingCents" BIGINT NOT NULL,
    "accountCents" BIGINT NOT NULL,
    "reconciled" BOOLEAN NOT NULL,
    "content" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PayoutStatement_pkey" PRIMARY KEY ("payoutId")
);
CREATE INDEX "PayoutStatement_sellerId_currency_date_idx" ON "PayoutStatement"("sellerId", "currency", "date");

CREATE TABLE "PayoutStatementItem" (
    "transferId" TEXT NOT NULL,
    "payoutId" TEXT NOT NULL,
    CONSTRAINT "PayoutStatementItem_pkey" PRIMARY KEY ("transferId")
);
CREATE INDEX "PayoutStatementItem_payoutId_idx" ON "PayoutStatementItem"("payoutId");
