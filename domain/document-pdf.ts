// INV-1: an issued document as a PDF/A-3b, rendered from its frozen record only. Invoices and
// credit notes are Factur-X files (EN 16931): the CII XML embedded as factur-x.xml, named in the
// catalog's /AF array, and declared in the XMP metadata with the Factur-X extension schema. Fonts
// are embedded (PDF/A forbids relying on the reader's); every date inside the file is the
// document's issue instant, so the same record renders the same bytes.
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { DocumentParty, IssuedDocument } from './issued-document';
import { formatMoney } from './money';

const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

const TITLES = { invoice: 'Invoice', credit_note: 'Credit note', purchase_order: 'Purchase order' } as const;
const FRENCH = { invoice: 'Facture', credit_note: 'Avoir', purchase_order: 'Bon de commande' } as const;

/** "20%", "5.5%". */
export const ratePercent = (bp: number) => `${bp / 100}%`;

/** The Factur-X XMP extension (Factur-X 1.0, §6.2.2): what the embedded XML is, for validators. */
function facturXmp(): string {
  return `
        <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
            <fx:DocumentType>INVOICE</fx:DocumentType>
            <fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
            <fx:Version>1.0</fx:Version>
            <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
            <pdfaExtension:schemas>
                <rdf:Bag>
                    <rdf:li rdf:parseType="Resource">
                        <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                        <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
                        <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                        <pdfaSchema:property>
                            <rdf:Seq>
                                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>name of the embedded XML invoice file</pdfaProperty:description></rdf:li>
                                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>INVOICE</pdfaProperty:description></rdf:li>
                                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The actual version of the Factur-X XML schema</pdfaProperty:description></rdf:li>
                                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The conformance level of the embedded Factur-X data</pdfaProperty:description></rdf:li>
                            </rdf:Seq>
                        </pdfaSchema:property>
                    </rdf:li>
                </rdf:Bag>
            </pdfaExtension:schemas>
        </rdf:Description>
        `;
}

function partyLines(p: DocumentParty, withIdentifiers: boolean): string[] {
  const lines = [p.tradeName ? `${p.name} (${p.tradeName})` : p.name, `${p.address}, ${p.country}`];
  if (withIdentifiers && p.registrationNumber) lines.push(`SIREN / registration: ${p.registrationNumber}`);
  if (p.vatNumber) lines.push(`VAT number: ${p.vatNumber}`);
  lines.push([p.email, p.phone].filter(Boolean).join(', '));
  return lines;
}

export function renderDocumentPdf(d: IssuedDocument, facturXml?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const issuedAt = new Date(d.issuedAt);
    const title = `${TITLES[d.kind]} ${d.number}`;
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      pdfVersion: '1.7',
      subset: 'PDF/A-3b',
      lang: 'en',
      info: { Title: title, Author: d.seller.name, Subject: `${TITLES[d.kind]} issued ${d.issueDate}`, Creator: 'Marketplace back-office', Producer: 'Marketplace back-office (pdfkit)', CreationDate: issuedAt, ModDate: issuedAt },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('regular', REGULAR);
    doc.registerFont('bold', BOLD);
    const m = (c: number) => formatMoney(c, d.currency);
    const left = doc.page.margins.left;
    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

    doc.font('bold').fontSize(16).text(title);
    doc.font('regular').fontSize(9).text(`${FRENCH[d.kind]} n° ${d.number}. Issue date: ${d.issueDate}${d.orderNumber ? `. Order ${d.orderNumber}` : ''}`);
    if (d.corrects) doc.text(`Corrects invoice ${d.corrects.number} of ${d.corrects.issueDate} (avoir rectificatif).`);
    doc.moveDown();

    const top = doc.y;
    doc.font('bold').text(d.onBehalf ? 'Seller' : 'Issuer', left, top, { width: width / 2 - 10 });
    doc.font('regular');
    for (const l of partyLines(d.seller, true)) doc.text(l, { width: width / 2 - 10 });
    const leftBottom = doc.y;
    doc.font('bold').text('Customer', left + width / 2, top, { width: width / 2 });
    doc.font('regular');
    for (const l of partyLines(d.customer, false)) doc.text(l, { width: width / 2 });
    doc.x = left;
    doc.y = Math.max(leftBottom, doc.y);
    doc.moveDown();

    if (d.onBehalf) {
      doc.text(`${TITLES[d.kind]} issued by ${d.issuer.name}, ${d.issuer.address}, SIREN ${d.issuer.registrationNumber}, VAT ${d.issuer.vatNumber}, in the name and on behalf of ${d.seller.name}.`);
      doc.text(`Document établi par ${d.issuer.name} au nom et pour le compte de ${d.seller.name}.`);
      if (d.billingMandate) doc.text(`Billing mandate ${d.billingMandate.version}, accepted ${d.billingMandate.acceptedAt.slice(0, 10)}.`);
      doc.moveDown();
    }

    // Lines: description and period, then quantity × unit price, rate, amount excl. VAT.
    const cols = [
      { label: 'Description, service period', x: left, w: width * 0.44 },
      { label: 'Qty', x: left + width * 0.45, w: width * 0.07 },
      { label: 'Unit price excl. VAT', x: left + width * 0.53, w: width * 0.17 },
      { label: 'VAT rate', x: left + width * 0.71, w: width * 0.1 },
      { label: 'Amount excl. VAT', x: left + width * 0.82, w: width * 0.18 },
    ];
    const row = (cells: string[], font: 'regular' | 'bold') => {
      if (doc.y > doc.page.height - doc.page.margins.bottom - 60) doc.addPage();
      const y = doc.y;
      let bottom = y;
      doc.font(font);
      cells.forEach((c, i) => {
        doc.text(c, cols[i].x, y, { width: cols[i].w });
        bottom = Math.max(bottom, doc.y);
      });
      doc.x = left;
      doc.y = bottom + 3;
    };
    row(cols.map((c) => c.label), 'bold');
    for (const l of d.lines) {
      const period = l.periodStart && l.periodEnd ? `\nPeriod: ${l.periodStart} to ${l.periodEnd}` : '';
      row([`${l.description}${period}`, String(l.quantity), m(l.unitExclVatCents), ratePercent(l.vatRateBp), m(l.exclVatCents)], 'regular');
    }
    doc.moveDown();

    doc.font('bold').text('VAT breakdown');
    doc.font('regular');
    for (const v of d.vatBreakdown) doc.text(`VAT ${ratePercent(v.vatRateBp)} on ${m(v.baseCents)}: ${m(v.vatCents)}`);
    doc.moveDown(0.5);
    doc.text(`Total excl. VAT: ${m(d.totals.exclVatCents)}`);
    doc.text(`Total VAT: ${m(d.totals.vatCents)}`);
    doc.font('bold').text(`Total incl. VAT: ${m(d.totals.totalCents)}`);
    doc.font('regular').moveDown();

    doc.font('bold').text('Payment');
    doc.font('regular');
    doc.text(`${d.payment.status === 'paid' ? 'Paid' : 'Due'}; due date: ${d.payment.dueDate}. ${d.payment.terms}.`);
    if (d.latePayment) {
      doc.text(`Late-payment penalties: ${d.latePayment.penaltyRate}. Fixed recovery fee for business customers: ${formatMoney(d.latePayment.recoveryFeeCents, d.latePayment.recoveryFeeCurrency)} (Code de commerce L441-10).`);
    }
    for (const n of d.notes) doc.text(n);

    if (facturXml) {
      // `relationship` (the file's /AFRelationship) is in pdfkit since 0.16, not yet in its types.
      doc.file(Buffer.from(facturXml, 'utf8'), {
        name: 'factur-x.xml',
        type: 'text/xml',
        // Factur-X EN 16931: the XML is the invoice's data, the PDF its human-readable view.
        relationship: 'Data',
        description: `Factur-X (EN 16931) of ${title}`,
        creationDate: issuedAt,
        modifiedDate: issuedAt,
      } as PDFKit.Mixins.PDFAttachmentOptions);
      doc.appendXML(facturXmp());
    }
    doc.end();
  });
}
