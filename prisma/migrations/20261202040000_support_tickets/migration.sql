
-- AlterTable
ALTER TABLE "Offer" ADD COLUMN     "supportTier" TEXT NOT NULL DEFAULT 'basic';

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "dueAt" TIMESTAMP(3),
ADD COLUMN     "ticketId" TEXT,
ALTER COLUMN "orderId" DROP NOT NULL,
ALTER COLUMN "paymentId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "SupportContact" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "SupportContact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Ticket" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "sellerId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),
    "closeReason" TEXT,
    "invoiceId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Ticket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TicketMessage" (
    "id" TEXT NOT NULL,
    "ticketId" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TicketMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SupportBar" (
    "customerId" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "ticketId" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "creditNoteId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SupportBar_pkey" PRIMARY KEY ("customerId")
);

-- CreateTable
CREATE TABLE "SupportPayment" (
    "id" TEXT NOT NULL,
    "ticketId" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "gatewayKey" TEXT NOT NULL,
    "gatewayRef" TEXT,
    "declineCode" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SupportPayment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SupportContact_subscriptionId_idx" ON "SupportContact"("subscriptionId");

-- CreateIndex
CREATE INDEX "Ticket_customerId_openedAt_idx" ON "Ticket"("customerId", "openedAt");

-- CreateIndex
CREATE INDEX "Ticket_subscriptionId_openedAt_idx" ON "Ticket"("subscriptionId", "openedAt");

-- CreateIndex
CREATE INDEX "Ticket_sellerId_openedAt_idx" ON "Ticket"("sellerId", "openedAt");

-- CreateIndex
CREATE INDEX "Ticket_status_openedAt_idx" ON "Ticket"("status", "openedAt");

-- CreateIndex
CREATE INDEX "TicketMessage_ticketId_createdAt_idx" ON "TicketMessage"("ticketId", "createdAt");

-- CreateIndex
CREATE INDEX "SupportPayment_ticketId_idx" ON "SupportPayment"("ticketId");

-- CreateIndex
CREATE INDEX "SupportPayment_customerId_idx" ON "SupportPayment"("customerId");

