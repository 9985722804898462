// PYO-1: a payout statement as a PDF, rendered from its frozen content only. The creation date is
// the statement's own, so the same statement renders to the same bytes at every download and in
// its e-mail (the hash a seller's accountant files stays true).
import PDFDocument from 'pdfkit';
import { formatMoney } from './money';
import type { StatementContent } from './payout-statement';
import { formatDateTime } from './time-format';

export function renderStatementPdf(s: StatementContent, createdAt: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Payout statement ${s.payoutId}`, CreationDate: createdAt, ModDate: createdAt } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const m = (c: number) => formatMoney(c, s.currency);
    doc.fontSize(16).text(`Payout statement, ${s.date}`);
    doc.fontSize(10).text(`${s.sellerName} (seller ${s.sellerId}), ${s.currency}; payout ${s.payoutId}: ${s.status}`);
    doc.text(`Pays what was released by ${formatDateTime(s.cutoff)} (PYO-1), net of the marketplace fee (FEE-1) and of refunds.`);
    doc.moveDown();
    doc.text(`${s.deficitInCents > 0 ? 'Deficit carried in' : 'Opening balance'}: ${m(s.openingCents)}`);
    for (const r of s.rows) doc.text(`${formatDateTime(r.at)}  ${r.description}: ${m(r.amountCents)}`);
    doc.text(`${s.deficitOutCents > 0 ? 'Deficit carried to the next payout' : 'Closing balance'}: ${m(s.closingCents)}`);
    doc.moveDown();
    doc.fontSize(12).text(`Paid: ${m(s.payoutCents)}`);
    doc.fontSize(10);
    if (s.held.length > 0) {
      doc.moveDown();
      doc.text('Still held:');
      for (const h of s.held) doc.text(`payment ${h.paymentId}, line ${h.lineId}: ${m(h.netCents)}, held until ${formatDateTime(h.heldUntil)}, paid on ${h.paidOn}`);
    }
    doc.end();
  });
}
