-- X-2: SMTP transmissions per outbox e-mail, and one mailbox copy per Message-ID.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Email" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    CONSTRAINT "Email_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
-- A message already sent was transmitted once, as far as anyone knows.
INSERT INTO "new_Email" ("attempts", "createdAt", "customerId", "id", "messageId", "sentAt", "status", "subject", "text", "toAddress") SELECT CASE WHEN "status" = 'sent' THEN 1 ELSE 0 END, "createdAt", "customerId", "id", "messageId", "sentAt", "status", "subject", "text", "toAddress" FROM "Email";
DROP TABLE "Email";
ALTER TABLE "new_Email" RENAME TO "Email";
CREATE INDEX "Email_customerId_idx" ON "Email"("customerId");
CREATE TABLE "new_MailboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "messageId" TEXT NOT NULL,
    "fromAddr" TEXT NOT NULL,
    "toAddrs" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "copies" INTEGER NOT NULL DEFAULT 1
);
-- One copy per Message-ID: the first received, with the number of copies.
INSERT INTO "new_MailboxMessage" ("copies", "fromAddr", "id", "messageId", "receivedAt", "subject", "text", "toAddrs") SELECT d."n", m."fromAddr", m."id", m."messageId", m."receivedAt", m."subject", m."text", m."toAddrs" FROM "MailboxMessage" m JOIN (SELECT MIN("id") AS "id", COUNT(*) AS "n" FROM "MailboxMessage" GROUP BY "messageId") d ON d."id" = m."id";
DROP TABLE "MailboxMessage";
ALTER TABLE "new_MailboxMessage" RENAME TO "MailboxMessage";
CREATE UNIQUE INDEX "MailboxMessage_messageId_key" ON "MailboxMessage"("messageId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

