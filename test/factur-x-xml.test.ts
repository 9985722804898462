// INV-1: the Factur-X XML of issued documents, validated against the official EN 16931 profile
// XSD (test/fixtures/factur-x/en16931, see its README) with xmllint compiled to WebAssembly.
import { describe, expect, it } from 'vitest';
import { FACTUR_X_PROFILE_URN, facturXml } from '../domain/factur-x-xml';
import { expectValidFacturX as expectValid, validateFacturX as validate } from './support/factur-x-xsd';
import { SAMPLE_BUSINESS, SAMPLE_INDIVIDUAL, sampleDocument, sampleLine } from './support/issued-documents';

const checkout = sampleDocument({
  number: 'INV-acme-2026-000042',
  // Markup characters to escape, and a control character XML 1.0 cannot carry at all.
  customer: { ...SAMPLE_INDIVIDUAL, name: 'Jeanne "Jo" Martin & Fils <SARL>\u0007' },
});

const renewal = sampleDocument({
  number: 'INV-acme-2026-000043',
  issuedAt: '2026-04-03T09:15:00.000Z',
  issueDate: '2026-04-03',
  lines: [sampleLine({ description: 'Acme CRM, monthly plan, period 2', exclVatCents: 9999, vatRateBp: 2000, periodStart: '2026-04-03', periodEnd: '2026-05-02' })],
});

const creditNote = sampleDocument({
  kind: 'credit_note',
  number: 'CN-acme-2026-000007',
  issuedAt: '2026-03-10T14:00:00.000Z',
  issueDate: '2026-03-10',
  lines: [sampleLine({ description: 'Refund (withdrawal): Acme CRM, monthly plan, period 1', exclVatCents: 9999, vatRateBp: 2000, periodStart: '2026-03-03', periodEnd: '2026-04-02' })],
  payment: { status: 'paid', paymentReference: 'pay_123', paidAt: '2026-03-10T14:00:00.000Z', dueDate: '2026-03-10', terms: 'Refunded to the card of payment pay_123 on 10 March 2026' },
  corrects: { number: 'INV-acme-2026-000042', issueDate: '2026-03-03' },
});

const multiRate = sampleDocument({
  number: 'INV-acme-2026-000044',
  customer: SAMPLE_BUSINESS,
  lines: [
    sampleLine({ description: 'Acme CRM, yearly plan', exclVatCents: 120000, vatRateBp: 2000, periodStart: '2026-03-03', periodEnd: '2027-03-02' }),
    sampleLine({ description: 'Acme e-books, 3 licences', exclVatCents: 4500, vatRateBp: 550, quantity: 3 }),
  ],
  payment: { status: 'due', paymentReference: null, paidAt: null, dueDate: '2026-04-02', terms: 'Payable by card by 2 April 2026; no discount for early payment' },
});

describe('Factur-X XML (EN 16931 profile)', () => {
  it('INV-1 a checkout invoice is XSD-valid, escapes its text and renders the same bytes twice', async () => {
    const xml = facturXml(checkout);
    await expectValid(xml);
    expect(xml).toContain(`<ram:ID>${FACTUR_X_PROFILE_URN}</ram:ID>`);
    expect(xml).toContain('<ram:TypeCode>380</ram:TypeCode>');
    expect(xml).toContain('<udt:DateTimeString format="102">20260303</udt:DateTimeString>');
    expect(xml).toContain('<ram:Name>Jeanne "Jo" Martin &amp; Fils &lt;SARL&gt;</ram:Name>');
    expect(xml).toContain('<ram:ID schemeID="0002">552100554</ram:ID>');
    expect(xml).toContain('<ram:ID schemeID="VA">FR96552100554</ram:ID>');
    expect(xml).toContain('<ram:ChargeAmount>99.99</ram:ChargeAmount>');
    expect(xml).toContain('<ram:BilledQuantity unitCode="C62">1</ram:BilledQuantity>');
    expect(xml).toContain('<ram:TaxTotalAmount currencyID="EUR">20.00</ram:TaxTotalAmount>');
    expect(xml).toContain('<ram:GrandTotalAmount>119.99</ram:GrandTotalAmount>');
    expect(xml).toContain('<ram:TotalPrepaidAmount>119.99</ram:TotalPrepaidAmount>');
    expect(xml).toContain('<ram:DuePayableAmount>0.00</ram:DuePayableAmount>');
    // An individual buyer: one VAT number in the document, the seller's.
    expect(xml.match(/schemeID="VA"/g)).toHaveLength(1);
    expect(xml).not.toContain('PMD');
    expect(facturXml(structuredClone(checkout))).toBe(xml);
  });

  it('INV-1 a renewal invoice carries its service period on the line and in the header', async () => {
    const xml = facturXml(renewal);
    await expectValid(xml);
    const period = '<ram:StartDateTime>\\s*<udt:DateTimeString format="102">20260403</udt:DateTimeString>\\s*</ram:StartDateTime>\\s*<ram:EndDateTime>\\s*<udt:DateTimeString format="102">20260502</udt:DateTimeString>';
    expect(xml.match(new RegExp(`<ram:BillingSpecifiedPeriod>\\s*${period}`, 'g'))).toHaveLength(2);
  });

  it('INV-1 a credit note is type 381 with positive amounts and references the invoice it corrects', async () => {
    const xml = facturXml(creditNote);
    await expectValid(xml);
    expect(xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(xml).toMatch(
      /<ram:InvoiceReferencedDocument>\s*<ram:IssuerAssignedID>INV-acme-2026-000042<\/ram:IssuerAssignedID>\s*<ram:FormattedIssueDateTime>\s*<qdt:DateTimeString format="102">20260303<\/qdt:DateTimeString>/,
    );
    expect(xml).toContain('<ram:GrandTotalAmount>119.99</ram:GrandTotalAmount>');
    expect(xml).not.toMatch(/>-\d/);
  });

  it('INV-1 a multi-rate invoice to a business has one breakdown row per rate, its VAT number and the late-payment mention', async () => {
    const xml = facturXml(multiRate);
    await expectValid(xml);
    const settlement = xml.slice(xml.indexOf('<ram:ApplicableHeaderTradeSettlement>'));
    const rows = [...settlement.matchAll(/<ram:ApplicableTradeTax>([\s\S]*?)<\/ram:ApplicableTradeTax>/g)].map((m) => m[1]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/<ram:CalculatedAmount>240.00<\/ram:CalculatedAmount>[\s\S]*<ram:BasisAmount>1200.00<\/ram:BasisAmount>[\s\S]*<ram:CategoryCode>S<\/ram:CategoryCode>\s*<ram:RateApplicablePercent>20<\/ram:RateApplicablePercent>/);
    expect(rows[1]).toMatch(/<ram:CalculatedAmount>2.48<\/ram:CalculatedAmount>[\s\S]*<ram:BasisAmount>45.00<\/ram:BasisAmount>[\s\S]*<ram:CategoryCode>S<\/ram:CategoryCode>\s*<ram:RateApplicablePercent>5.5<\/ram:RateApplicablePercent>/);
    expect(xml).toContain('<ram:ChargeAmount>15.00</ram:ChargeAmount>');
    expect(xml).toContain('<ram:BilledQuantity unitCode="C62">3</ram:BilledQuantity>');
    expect(xml).toContain('<ram:ID schemeID="VA">FR44732829320</ram:ID>');
    expect(xml).toMatch(/<ram:Content>Late payment penalties: [^<]*<\/ram:Content>\s*<ram:SubjectCode>PMD<\/ram:SubjectCode>/);
    expect(xml).toMatch(/<ram:Content>[^<]*40.00 EUR.<\/ram:Content>\s*<ram:SubjectCode>PMT<\/ram:SubjectCode>/);
    expect(xml).toContain('<ram:TotalPrepaidAmount>0.00</ram:TotalPrepaidAmount>');
    expect(xml).toContain('<ram:DuePayableAmount>1487.48</ram:DuePayableAmount>');
    expect(xml).toMatch(/<ram:DueDateDateTime>\s*<udt:DateTimeString format="102">20260402</);
  });

  it('INV-1, POL-3 a discount line is a document-level allowance in the XML (EN 16931 BR-27: no negative item price), with the same totals', async () => {
    const doc = sampleDocument({
      lines: [
        sampleLine({ description: 'Acme CRM, 5 seats', exclVatCents: 50000, vatRateBp: 2000, quantity: 5 }),
        sampleLine({ description: 'Education discount 20 % (POL-3)', exclVatCents: -10000, vatRateBp: 2000 }),
      ],
    });
    const xml = facturXml(doc);
    await expectValid(xml);
    // One item, at its positive price; no negative amount anywhere.
    expect(xml.match(/<ram:IncludedSupplyChainTradeLineItem>/g)).toHaveLength(1);
    expect(xml).not.toMatch(/>-\d/);
    expect(xml).toContain('<ram:ChargeAmount>100.00</ram:ChargeAmount>');
    expect(xml).toMatch(
      /<ram:SpecifiedTradeAllowanceCharge>\s*<ram:ChargeIndicator>\s*<udt:Indicator>false<\/udt:Indicator>\s*<\/ram:ChargeIndicator>\s*<ram:ActualAmount>100.00<\/ram:ActualAmount>\s*<ram:ReasonCode>95<\/ram:ReasonCode>\s*<ram:Reason>Education discount 20 % \(POL-3\)<\/ram:Reason>\s*<ram:CategoryTradeTax>\s*<ram:TypeCode>VAT<\/ram:TypeCode>\s*<ram:CategoryCode>S<\/ram:CategoryCode>\s*<ram:RateApplicablePercent>20<\/ram:RateApplicablePercent>/,
    );
    // BR-CO-10, BR-CO-13: items 500.00 less the allowance 100.00 is the basis the VAT is on.
    expect(xml).toMatch(/<ram:LineTotalAmount>500.00<\/ram:LineTotalAmount>\s*<ram:AllowanceTotalAmount>100.00<\/ram:AllowanceTotalAmount>\s*<ram:TaxBasisTotalAmount>400.00<\/ram:TaxBasisTotalAmount>/);
    expect(xml).toMatch(/<ram:CalculatedAmount>80.00<\/ram:CalculatedAmount>[\s\S]*<ram:BasisAmount>400.00<\/ram:BasisAmount>/);
    expect(xml).toContain('<ram:GrandTotalAmount>480.00</ram:GrandTotalAmount>');
    // Without a discount there is no allowance at all.
    expect(facturXml(checkout)).not.toContain('AllowanceCharge');
  });

  it('INV-1 a zero-rated line is an exemption (E) with its reason', async () => {
    const doc = sampleDocument({ lines: [sampleLine({ description: 'Training session', exclVatCents: 50000, vatRateBp: 0 })] });
    const xml = facturXml(doc);
    await expectValid(xml);
    // On the line and on its breakdown row (BR-E-10), with the rate 0 (BR-E-05, BR-E-06).
    expect(xml.match(/<ram:ExemptionReason>[^<]+<\/ram:ExemptionReason>\s*(<ram:BasisAmount>500.00<\/ram:BasisAmount>\s*)?<ram:CategoryCode>E<\/ram:CategoryCode>\s*<ram:RateApplicablePercent>0<\/ram:RateApplicablePercent>/g)).toHaveLength(2);
  });

  it('INV-1 the validator rejects a document missing a required element (the XSD check can fail)', async () => {
    const broken = facturXml(checkout).replace(/<ram:GrandTotalAmount>[^<]*<\/ram:GrandTotalAmount>/, '');
    const result = await validate(broken);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/TotalPrepaidAmount': This element is not expected[\s\S]*GrandTotalAmount/);
  });

  it('INV-1 a purchase order has no Factur-X XML', () => {
    expect(() => facturXml(sampleDocument({ kind: 'purchase_order' }))).toThrow(RangeError);
  });
});
