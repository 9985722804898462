// INV-1: issued documents are PDF/A-3b files (Factur-X requires it), as veraPDF, the PDF
// Association's reference validator, judges them: an invoice and a credit note with their CII XML
// embedded, and a purchase order. A plain PDF (a payout statement, not archival) is refused, so
// the check can fail.
import { describe, expect, it } from 'vitest';
import { renderDocumentPdf } from '../domain/document-pdf';
import { facturXml } from '../domain/factur-x-xml';
import { renderStatementPdf } from '../domain/payout-statement-pdf';
import type { StatementContent } from '../domain/payout-statement';
import { SAMPLE_BUSINESS, sampleDocument, sampleLine } from './support/issued-documents';
import { validatePdfA } from './support/verapdf';

const invoice = sampleDocument({
  customer: SAMPLE_BUSINESS,
  lines: [
    sampleLine({ description: 'Acme CRM, 5 seats, period 2', quantity: 5, exclVatCents: 24_995, vatRateBp: 2000, periodStart: '2026-03-03', periodEnd: '2026-04-02' }),
    sampleLine({ description: 'Acme Academy, online training', exclVatCents: 4_500, vatRateBp: 550 }),
  ],
});
const creditNote = sampleDocument({ kind: 'credit_note', number: 'CN-acme-2026-000007', corrects: { number: invoice.number, issueDate: invoice.issueDate } });
const purchaseOrder = sampleDocument({ kind: 'purchase_order', number: 'PO-O-2026-000017-1' });

describe('PDF/A-3 conformance (INV-1)', () => {
  it('INV-1: an invoice, a credit note (both Factur-X) and a purchase order are PDF/A-3b for veraPDF; a plain PDF is not', async () => {
    const statement: StatementContent = { payoutId: 'payout:sel_acme:EUR:2026-03-15', date: '2026-03-15', sellerId: 'sel_acme', sellerName: 'Acme', currency: 'EUR', status: 'paid', cutoff: '2026-03-15T22:59:59.999Z', openingCents: 0, movementsCents: 0, closingCents: 0, payoutCents: 0, deficitInCents: 0, deficitOutCents: 0, rows: [], held: [] };
    const files = [
      await renderDocumentPdf(invoice, facturXml(invoice)),
      await renderDocumentPdf(creditNote, facturXml(creditNote)),
      await renderDocumentPdf(purchaseOrder),
      await renderStatementPdf(statement, new Date('2026-03-15T00:00:00Z')),
    ];
    const [inv, cn, po, plain] = await validatePdfA(files);
    for (const v of [inv, cn, po]) expect(v, v.failures.join('\n')).toEqual({ compliant: true, failures: [] });
    expect(plain.compliant).toBe(false);
    expect(plain.failures.some((f) => f.startsWith('6.2.11.4.1'))).toBe(true); // its fonts are not embedded
  }, 60_000);
});
