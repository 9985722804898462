// INV-1: the PDF of an issued document, rendered from its frozen record alone and read back as a
// reader reads it (pdf.js): every mandatory mention, the Factur-X XML embedded as PDF/A-3's
// associated file and declared in the XMP, the same bytes at every render, long documents over
// several pages, and veraPDF's verdict on the files as PDF/A-3b.
import { describe, expect, it } from 'vitest';
import { renderDocumentPdf } from '../domain/document-pdf';
import { facturXml } from '../domain/factur-x-xml';
import { SAMPLE_BUSINESS, SAMPLE_INDIVIDUAL, SAMPLE_SELLER, sampleDocument, sampleLine } from './support/issued-documents';
import { pdfAttachments, pdfText } from './support/pdf-text';
import { validatePdfA } from './support/verapdf';

const invoice = sampleDocument({
  customer: SAMPLE_BUSINESS,
  seller: { ...SAMPLE_SELLER, tradeName: 'Acme CRM', phone: '+33 1 23 45 67 89' },
  lines: [
    sampleLine({ description: 'Acme CRM, 5 seats, period 2', quantity: 5, exclVatCents: 24_995, vatRateBp: 2000, periodStart: '2026-03-03', periodEnd: '2026-04-02' }),
    sampleLine({ description: 'Acme Academy, online training', exclVatCents: 4_500, vatRateBp: 550 }),
  ],
  payment: { status: 'due', paymentReference: 'ticket T-981', paidAt: null, dueDate: '2026-04-02', terms: 'Payable by card by 2 April 2026; no discount for early payment' },
});
const creditNote = sampleDocument({ kind: 'credit_note', number: 'CN-acme-2026-000007', corrects: { number: invoice.number, issueDate: invoice.issueDate } });
const purchaseOrder = sampleDocument({ kind: 'purchase_order', number: 'PO-ORD-2026-000017-1' });

/** The text without white space: a line may wrap at any space. */
const flat = async (pdf: Buffer) => (await pdfText(pdf)).replace(/\s+/g, '');
const squeeze = (s: string) => s.replace(/\s+/g, '');
/** The XMP packet, stored uncompressed as PDF/A wants. */
const xmp = (pdf: Buffer) => /<x:xmpmeta[\s\S]*<\/x:xmpmeta>/.exec(pdf.toString('utf8'))?.[0] ?? '';

describe('document PDF (INV-1)', () => {
  it("INV-1: a business customer's invoice issued on the seller's behalf shows every mandatory mention", async () => {
    const text = await flat(await renderDocumentPdf(invoice, facturXml(invoice)));
    const mentions = [
      'Invoice INV-acme-2026-000042',
      'Issue date: 2026-03-03',
      'Order number: ORD-2026-000017',
      // The seller, in whose name the invoice is.
      'Acme Software SAS (Acme CRM)',
      '12 rue de la Paix, 75002 Paris, FR',
      'SIREN / registration: 552100554',
      'VAT number: FR96552100554',
      'billing@acme-software.example, +33 1 23 45 67 89',
      // The customer.
      'Globex SARL',
      '8 avenue Jean Jaurès, 31000 Toulouse, FR',
      'SIREN / registration: 732829320',
      'VAT number: FR44732829320',
      // The billing mandate, in English and in French.
      'Invoice issued by Marketplace SAS in the name and on behalf of Acme Software SAS (billing mandate billing-mandate-2026-09 accepted 10 January 2026).',
      'Facture établie par Marketplace SAS au nom et pour le compte de Acme Software SAS.',
      'SIREN 443061841; VAT number FR64443061841',
      // The lines: quantity, unit price, rate, amount, period.
      'Acme CRM, 5 seats, period 2',
      'Period: 2026-03-03 to 2026-04-02',
      '549.99 EUR20%249.95 EUR',
      'Acme Academy, online training',
      '145.00 EUR5.5%45.00 EUR',
      // VAT per rate, then the totals.
      'VAT 20% on 249.95 EUR: 49.99 EUR',
      'VAT 5.5% on 45.00 EUR: 2.48 EUR',
      'Total excl. VAT: 294.95 EUR',
      'Total VAT: 52.47 EUR',
      'Total incl. VAT: 347.42 EUR',
      // Payment.
      'Status: due. Due date: 2026-04-02. Payment reference: ticket T-981.',
      'Terms: Payable by card by 2 April 2026; no discount for early payment.',
      "Late-payment penalties: the European Central Bank's refinancing rate plus 10 percentage points; fixed recovery fee for business customers: 40.00 EUR (Code de commerce L441-10).",
      ...invoice.notes,
    ];
    for (const m of mentions) expect(text, m).toContain(squeeze(m));
  });

  it("INV-1: an individual's invoice has no late-payment mentions, and no registration or VAT number of the customer", async () => {
    const individual = sampleDocument({ customer: SAMPLE_INDIVIDUAL });
    expect(individual.latePayment).toBeNull();
    const text = await flat(await renderDocumentPdf(individual, facturXml(individual)));
    expect(text).toContain(squeeze('Jeanne Martin'));
    expect(text).toContain(squeeze('Status: paid. Due date: 2026-03-03. Payment reference: pay_123.'));
    for (const absent of ['Late-payment', 'L441-10', '40.00 EUR', 'FR44732829320']) expect(text).not.toContain(squeeze(absent));
  });

  it('INV-1: a credit note names the invoice it corrects; a purchase order is titled as one and embeds no Factur-X XML', async () => {
    const note = await flat(await renderDocumentPdf(creditNote, facturXml(creditNote)));
    for (const m of ['Credit note CN-acme-2026-000007', 'Corrects invoice INV-acme-2026-000042 of 2026-03-03', 'Credit note issued by Marketplace SAS in the name and on behalf of Acme Software SAS', 'Avoir établi par Marketplace SAS au nom et pour le compte de Acme Software SAS.']) expect(note, m).toContain(squeeze(m));

    const poPdf = await renderDocumentPdf(purchaseOrder);
    const po = await flat(poPdf);
    for (const m of ['Purchase order PO-ORD-2026-000017-1', 'Order number: ORD-2026-000017', 'Bon de commande établi par Marketplace SAS']) expect(po, m).toContain(squeeze(m));
    expect(po).not.toContain('Corrects');
    expect(await pdfAttachments(poPdf)).toEqual([]);
    expect(xmp(poPdf)).not.toContain('factur-x');
  });

  it('INV-1: the Factur-X XML is embedded byte for byte as factur-x.xml, an associated file (/AF) of relationship Data, declared in the XMP; the file says PDF/A-3B', async () => {
    const xml = facturXml(invoice);
    const pdf = await renderDocumentPdf(invoice, xml);
    expect(await pdfAttachments(pdf)).toEqual([{ name: 'factur-x.xml', content: Buffer.from(xml, 'utf8'), relationship: 'Data' }]);

    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    const meta = squeeze(xmp(pdf));
    for (const m of [
      '<pdfaid:part>3</pdfaid:part>',
      '<pdfaid:conformance>B</pdfaid:conformance>',
      'xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"',
      '<fx:DocumentType>INVOICE</fx:DocumentType>',
      '<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>',
      '<fx:Version>1.0</fx:Version>',
      '<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>',
      '<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>',
      '<pdfaSchema:prefix>fx</pdfaSchema:prefix>',
    ]) expect(meta, m).toContain(squeeze(m));
  });

  it('INV-1: the same record renders the same bytes (dates and file /ID come from the issue instant); another instant, another /ID', async () => {
    const xml = facturXml(invoice);
    const [a, b] = [await renderDocumentPdf(invoice, xml), await renderDocumentPdf(invoice, xml)];
    expect(a.equals(b)).toBe(true);
    const id = (pdf: Buffer) => /\/ID \[(<[0-9a-f]+>)/.exec(pdf.toString('latin1'))?.[1];
    const later = { ...invoice, issuedAt: '2026-03-03T09:15:01.000Z' };
    expect(id(a)).toBeDefined();
    expect(id(await renderDocumentPdf(later, facturXml(later)))).not.toBe(id(a));
  });

  it('INV-1: a long invoice runs over several pages, each with the column headings and "page n of N", every line shown once', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => sampleLine({ description: `Seat add-on ${i + 1}`, exclVatCents: 1000 + i, vatRateBp: 2000, periodStart: '2026-03-03', periodEnd: '2026-04-02' }));
    const long = sampleDocument({ lines });
    const text = await pdfText(await renderDocumentPdf(long, facturXml(long)));
    const pages = Number(/page 1 of (\d+)/.exec(text)?.[1]);
    expect(pages).toBeGreaterThan(2);
    for (let n = 1; n <= pages; n++) expect(text).toContain(`Invoice INV-acme-2026-000042, page ${n} of ${pages}`);
    expect(squeeze(text).match(/Unitpriceexcl\.VAT/g)).toHaveLength(pages);
    for (const l of lines) expect(text.match(new RegExp(`${l.description}\\n`, 'g')), l.description).toHaveLength(1);
    expect(squeeze(text)).toContain(squeeze(`Total incl. VAT: ${(long.totals.totalCents / 100).toFixed(2)} EUR`));
  });

  it('INV-1: veraPDF finds a multi-page invoice of a seller named with XML characters and a credit note compliant PDF/A-3b', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => sampleLine({ description: `Seat add-on ${i + 1}`, exclVatCents: 1000, vatRateBp: 2000 }));
    // "&" and "<" go into the XMP metadata (the author): unescaped, it would not be well-formed.
    const long = sampleDocument({ customer: SAMPLE_BUSINESS, seller: { ...SAMPLE_SELLER, name: 'Smith & <Sons> Logiciels SARL' }, lines });
    const verdicts = await validatePdfA([await renderDocumentPdf(long, facturXml(long)), await renderDocumentPdf(creditNote, facturXml(creditNote))], '3b');
    for (const v of verdicts) expect(v, v.failures.join('\n')).toEqual({ compliant: true, failures: [] });
  }, 60_000);
});
