// INV-1: an invoice rendered as a PDF on demand, from its immutable row (never stored edited).
import { formatDate } from '../domain/time-format';
import PDFDocument from 'pdfkit';
import { formatMoney } from '../domain/money';
import type { Db } from '../infra/db';
import { MARKETPLACE_ISSUER_ID, marketplaceIdentity } from '../domain/marketplace';

export interface InvoicePdfInput {
  kind: string;
  number: string;
  creditedInvoiceId: string | null;
  issuedAt: Date;
  currency: string;
  lines: { description: string; vatRateBp: number; exclVatCents: number; vatCents: number; totalCents: number }[];
  exclVatCents: number;
  vatCents: number;
  totalCents: number;
  seller: { legalName: string; name: string; address: string; contactEmail: string; contactPhone: string };
  customer: { name: string; email: string };
  paymentId: string | null;
  /** Support invoices (DIA-4): issued unpaid, payable by this date. */
  dueAt?: Date | null;
  ticketId?: string | null;
  /** The marketplace's own invoice (DIA-4) rather than one in a seller's name. */
  ownInvoice?: boolean;
}

export function renderInvoicePdf(inv: InvoicePdfInput): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const title = inv.kind === 'credit_note' ? 'Credit note' : 'Invoice';
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${title} ${inv.number}` } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const m = (c: number) => formatMoney(c, inv.currency);
    doc.fontSize(18).text(`${title} ${inv.number}`);
    doc.fontSize(10).text(
      inv.kind === 'credit_note'
        ? `Issued ${formatDate(inv.issuedAt)}: ${inv.paymentId ? `refund of payment ${inv.paymentId}` : 'cancellation'}, correcting ${inv.creditedInvoiceId ?? 'the payment'}`
        : inv.paymentId
          ? `Issued ${formatDate(inv.issuedAt)}, paid (payment ${inv.paymentId})`
          : `Issued ${formatDate(inv.issuedAt)}, due ${inv.dueAt ? formatDate(inv.dueAt) : 'on receipt'}${inv.ticketId ? ` (support ticket ${inv.ticketId})` : ''}`,
    );
    doc.moveDown();
    doc.text(`${inv.ownInvoice ? 'Issuer' : 'Seller'}: ${inv.seller.legalName} (${inv.seller.name})`);
    doc.text(inv.seller.address);
    doc.text(`${inv.seller.contactEmail}, ${inv.seller.contactPhone}`);
    doc.text(inv.ownInvoice ? "Issued by the marketplace in its own name (support, DIA-4)." : "Issued in the seller's name and sent by the marketplace.");
    doc.moveDown();
    doc.text(`Customer: ${inv.customer.name} <${inv.customer.email}>`);
    doc.moveDown();
    for (const l of inv.lines) {
      doc.text(`${l.description}: ${m(l.exclVatCents)} excl. VAT + ${m(l.vatCents)} VAT (${l.vatRateBp / 100}%) = ${m(l.totalCents)}`);
    }
    doc.moveDown();
    doc.text(`Total excl. VAT: ${m(inv.exclVatCents)}`);
    doc.text(`VAT: ${m(inv.vatCents)}`);
    doc.text(`Total incl. VAT: ${m(inv.totalCents)}`);
    doc.end();
  });
}

/**
 * A stored invoice or credit note as a PDF download (the authenticated route and the e-mail link):
 * rendered from its row, with its seller and customer, under a file name made of its number.
 */
export async function invoicePdfDownload(db: Db, inv: Omit<InvoicePdfInput, 'lines' | 'seller' | 'customer'> & { lines: string; sellerId: string; customerId: string }, headers: Record<string, string> = {}) {
  const ownInvoice = inv.sellerId === MARKETPLACE_ISSUER_ID;
  const [seller, customer] = await Promise.all([
    ownInvoice ? marketplaceIdentity() : db.seller.findUniqueOrThrow({ where: { id: inv.sellerId } }),
    db.customer.findUniqueOrThrow({ where: { id: inv.customerId } }),
  ]);
  const pdf = await renderInvoicePdf({ ...inv, lines: JSON.parse(inv.lines), seller, customer, ownInvoice });
  return {
    status: 200,
    body: pdf,
    contentType: 'application/pdf',
    headers: { ...headers, 'content-disposition': `attachment; filename="${inv.number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"` },
  };
}
