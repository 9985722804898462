-- INV-1: documents that hold up in law. What a document shows is frozen into its row at issue
-- (Invoice.document) and its rendered files are stored with their hash (DocumentFile): a
-- download returns those bytes, whatever changes later in the seller, customer or order rows.

-- The seller's legal identifiers (art. 242 nonies A, annexe II CGI) and its billing mandate.
ALTER TABLE "Seller" ADD COLUMN "registrationNumber" TEXT;
ALTER TABLE "Seller" ADD COLUMN "vatNumber" TEXT;
ALTER TABLE "Seller" ADD COLUMN "country" TEXT NOT NULL DEFAULT 'FR';
ALTER TABLE "Seller" ADD COLUMN "billingMandateVersion" TEXT;
ALTER TABLE "Seller" ADD COLUMN "billingMandateAcceptedAt" TIMESTAMP(3);

ALTER TABLE "SellerApplication" ADD COLUMN "vatNumber" TEXT;
ALTER TABLE "SellerApplication" ADD COLUMN "billingMandateVersion" TEXT;
ALTER TABLE "SellerApplication" ADD COLUMN "billingMandateAcceptedAt" TIMESTAMP(3);

-- The buyer's billing identity: as each checkout declared it (the order's), and the account's.
ALTER TABLE "Customer" ADD COLUMN "address" TEXT;
ALTER TABLE "Customer" ADD COLUMN "country" TEXT;
ALTER TABLE "Customer" ADD COLUMN "vatNumber" TEXT;
ALTER TABLE "Customer" ADD COLUMN "registrationNumber" TEXT;
ALTER TABLE "Order" ADD COLUMN "customerAddress" TEXT;
ALTER TABLE "Order" ADD COLUMN "customerCountry" TEXT;
ALTER TABLE "Order" ADD COLUMN "customerVatNumber" TEXT;
ALTER TABLE "Order" ADD COLUMN "customerRegistrationNumber" TEXT;

-- Chronology of a numbering series: a number is never dated before the one it follows.
ALTER TABLE "Counter" ADD COLUMN "lastAt" TIMESTAMP(3);

ALTER TABLE "Invoice" ADD COLUMN "document" JSONB;

CREATE TABLE "DocumentFile" (
    "invoiceId" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DocumentFile_pkey" PRIMARY KEY ("invoiceId","format")
);

ALTER TABLE "DocumentFile" ADD CONSTRAINT "DocumentFile_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Issued documents are facts: never changed, never removed (a correction is a credit note).
-- No semicolon in the body (\073 is one, in an E'' string): the migration runner cuts the script
-- at every semicolon, even inside quotes.
CREATE FUNCTION "issued_document_append_only"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN RAISE EXCEPTION ''% is append-only: % refused'', TG_TABLE_NAME, TG_OP USING ERRCODE = ''restrict_violation''\073 END';

CREATE TRIGGER "invoice_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "Invoice"
  FOR EACH ROW EXECUTE FUNCTION "issued_document_append_only"();

CREATE TRIGGER "invoice_no_truncate"
  BEFORE TRUNCATE ON "Invoice"
  FOR EACH STATEMENT EXECUTE FUNCTION "issued_document_append_only"();

CREATE TRIGGER "document_file_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "DocumentFile"
  FOR EACH ROW EXECUTE FUNCTION "issued_document_append_only"();

CREATE TRIGGER "document_file_no_truncate"
  BEFORE TRUNCATE ON "DocumentFile"
  FOR EACH STATEMENT EXECUTE FUNCTION "issued_document_append_only"();
