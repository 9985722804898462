/*
  Warnings:

  - Added the required column `fingerprint` to the `SandboxAttempt` table without a default value. This is not possible if the table is not empty.
  - Added the required column `kind` to the `SandboxAttempt` table without a default value. This is not possible if the table is not empty.

  The sandbox gateway's idempotency records (PAY-1): the rows of the old SandboxAttempt only
  counted the attempts of the "fails once" test card and hold no fingerprint, so they are
  dropped, and a key whose capture is in SandboxTransaction is still answered with that capture.
*/
DELETE FROM "SandboxAttempt";

-- DropIndex
DROP INDEX "SandboxTransaction_reference_key";

-- AlterTable
ALTER TABLE "SandboxAttempt" ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "declineCode" TEXT,
ADD COLUMN     "declineMessage" TEXT,
ADD COLUMN     "fingerprint" TEXT NOT NULL,
ADD COLUMN     "hardDecline" BOOLEAN,
ADD COLUMN     "kind" TEXT NOT NULL,
ADD COLUMN     "reference" TEXT,
ADD COLUMN     "status" TEXT;

-- AlterTable
ALTER TABLE "SandboxTransaction" DROP CONSTRAINT "SandboxTransaction_pkey",
ALTER COLUMN "idempotencyKey" DROP NOT NULL,
ADD CONSTRAINT "SandboxTransaction_pkey" PRIMARY KEY ("reference");

-- CreateTable
CREATE TABLE "SandboxCard" (
    "token" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "brand" TEXT NOT NULL,
    "behaviour" TEXT NOT NULL,
    "expMonth" INTEGER NOT NULL,
    "expYear" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SandboxCard_pkey" PRIMARY KEY ("token")
);

-- CreateIndex
CREATE UNIQUE INDEX "SandboxTransaction_idempotencyKey_key" ON "SandboxTransaction"("idempotencyKey");

-- CreateIndex
CREATE INDEX "SandboxTransaction_chargeRef_idx" ON "SandboxTransaction"("chargeRef");
