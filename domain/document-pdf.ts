// INV-1: an issued document as a PDF/A-3b, rendered from its frozen record only. Invoices and
// credit notes are Factur-X files (EN 16931): the CII XML embedded as factur-x.xml, named in the
// catalog's /AF array, and declared in the XMP metadata with the Factur-X extension schema. Fonts
// are embedded (PDF/A forbids relying on the reader's); every date inside the file is the
// document's issue instant, so the same record renders the same bytes (pdfkit derives the file's
// /ID from the info dictionary, dates included).
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { DocumentParty, IssuedDocument } from './issued-document';
import { formatMoney } from './money';
import { formatDate } from './time-format';

const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

const TITLES = { invoice: 'Invoice', credit_note: 'Credit note', purchase_order: 'Purchase order' } as const;
const FRENCH = { invoice: 'Facture', credit_note: 'Avoir', purchase_order: 'Bon de commande' } as const;
/** "Facture établie par ...": the French participle agrees with the document's gender. */
const FRENCH_ISSUED = { invoice: 'Facture établie', credit_note: 'Avoir établi', purchase_order: 'Bon de commande établi' } as const;

/** "20%", "5.5%". */
export const ratePercent = (bp: number) => `${bp / 100}%`;

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * An info-dictionary string pdfkit can also copy into the XMP packet: pdfkit 0.20.2 interpolates
 * Title and Author into the XML unescaped, so a seller named "Smith & Sons" would make the
 * metadata ill-formed and the file no PDF/A. The XMP reads toString (escaped), the Info dictionary
 * and the file /ID read valueOf (as written), so both stay equal as PDF/A wants.
 */
function infoString(s: string): string {
  const value = new String(s);
  value.toString = () => s.replace(/[&<>"]/g, (c) => XML_ENTITIES[c]);
  return value as unknown as string;
}

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

function partyLines(p: DocumentParty): string[] {
  const lines = [p.tradeName ? `${p.name} (${p.tradeName})` : p.name, `${p.address}, ${p.country}`];
  if (p.registrationNumber) lines.push(`SIREN / registration: ${p.registrationNumber}`);
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
      // Pages stay in memory until the end, so each can say "page n of N".
      bufferPages: true,
      info: { Title: infoString(title), Author: infoString(d.seller.name), Subject: `${TITLES[d.kind]} issued ${d.issueDate}`, Creator: 'Marketplace back-office', Producer: 'Marketplace back-office (pdfkit)', CreationDate: issuedAt, ModDate: issuedAt },
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
    doc.font('regular').fontSize(9).text(`${FRENCH[d.kind]} n° ${d.number}. Issue date: ${d.issueDate}${d.orderNumber ? `. Order number: ${d.orderNumber}` : ''}`);
    if (d.corrects) doc.text(`Corrects invoice ${d.corrects.number} of ${d.corrects.issueDate} (avoir rectificatif).`);
    doc.moveDown();

    const top = doc.y;
    doc.font('bold').text('Seller', left, top, { width: width / 2 - 10 });
    doc.font('regular');
    for (const l of partyLines(d.seller)) doc.text(l, { width: width / 2 - 10 });
    const leftBottom = doc.y;
    doc.font('bold').text('Customer', left + width / 2, top, { width: width / 2 });
    doc.font('regular');
    for (const l of partyLines(d.customer)) doc.text(l, { width: width / 2 });
    doc.x = left;
    doc.y = Math.max(leftBottom, doc.y);
    doc.moveDown();

    if (d.onBehalf) {
      const mandate = d.billingMandate ? ` (billing mandate ${d.billingMandate.version} accepted ${formatDate(d.billingMandate.acceptedAt)})` : '';
      doc.text(`${TITLES[d.kind]} issued by ${d.issuer.name} in the name and on behalf of ${d.seller.name}${mandate}.`);
      doc.text(`${FRENCH_ISSUED[d.kind]} par ${d.issuer.name} au nom et pour le compte de ${d.seller.name}.`);
      doc.text(`Issuer: ${d.issuer.name}, ${d.issuer.address}, ${d.issuer.country}; SIREN ${d.issuer.registrationNumber}; VAT number ${d.issuer.vatNumber}.`);
      doc.moveDown();
    }

    // Lines: description and period, then quantity × unit price, rate, amount excl. VAT. A row
    // that would cross the bottom margin starts a new page under the column headings again.
    const cols = [
      { label: 'Description, service period', x: left, w: width * 0.44 },
      { label: 'Qty', x: left + width * 0.45, w: width * 0.07 },
      { label: 'Unit price excl. VAT', x: left + width * 0.53, w: width * 0.17 },
      { label: 'VAT rate', x: left + width * 0.71, w: width * 0.1 },
      { label: 'Amount excl. VAT', x: left + width * 0.82, w: width * 0.18 },
    ];
    const bottomY = () => doc.page.height - doc.page.margins.bottom;
    const draw = (cells: string[], font: 'regular' | 'bold') => {
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
    const heading = () => draw(cols.map((c) => c.label), 'bold');
    const row = (cells: string[]) => {
      doc.font('regular');
      const height = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: cols[i].w })));
      if (doc.y + height > bottomY()) {
        doc.addPage();
        heading();
      }
      draw(cells, 'regular');
    };
    heading();
    for (const l of d.lines) {
      const period = l.periodStart && l.periodEnd ? `\nPeriod: ${l.periodStart} to ${l.periodEnd}` : '';
      row([`${l.description}${period}`, String(l.quantity), m(l.unitExclVatCents), ratePercent(l.vatRateBp), m(l.exclVatCents)]);
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
    doc.text(`Status: ${d.payment.status === 'paid' ? 'paid' : 'due'}. Due date: ${d.payment.dueDate}.${d.payment.paymentReference ? ` Payment reference: ${d.payment.paymentReference}.` : ''}`);
    doc.text(`Terms: ${d.payment.terms}.`);
    if (d.latePayment) {
      doc.text(`Late-payment penalties: ${d.latePayment.penaltyRate}; fixed recovery fee for business customers: ${formatMoney(d.latePayment.recoveryFeeCents, d.latePayment.recoveryFeeCurrency)} (Code de commerce L441-10).`);
    }
    for (const n of d.notes) doc.text(n);

    // "page n of N" in the bottom margin: the margin is lifted while writing, or pdfkit would
    // take the footer for an overflow and add a page.
    const pages = doc.bufferedPageRange();
    for (let i = 0; i < pages.count; i++) {
      doc.switchToPage(pages.start + i);
      const margin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font('regular').fontSize(8).text(`${title}, page ${i + 1} of ${pages.count}`, left, doc.page.height - margin / 2 - 4, { width, align: 'center', lineBreak: false });
      doc.page.margins.bottom = margin;
    }

    if (facturXml) {
      // `relationship` (the file's /AFRelationship) is in pdfkit since 0.16, not yet in its types.
      // pdfkit lists every attached file in the catalog's /AF array (PDF/A-3's associated files).
      doc.file(Buffer.from(facturXml, 'utf8'), {
        name: 'factur-x.xml',
        type: 'text/xml',
        // Factur-X allows Data, Source or Alternative; Data (the XML is the invoice's data, the
        // PDF its view) is what the FNFE-MPE's reference library (akretion/factur-x) writes.
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
