// INV-1: the Factur-X XML (profile EN 16931, UN/CEFACT CII D16B) of an issued invoice or credit
// note, rendered from its frozen record only. Elements are written in the order of the XSD
// sequences (test/fixtures/factur-x/en16931); a renderer change that breaks the order fails the
// XSD test. The output is a pure function of the record: the stored file's SHA-256 stays stable.
import { create } from 'xmlbuilder2';
import type { DocumentLine, DocumentParty, IssuedDocument } from './issued-document';
import { formatMoney } from './money';
import { SIREN } from './billing-identity';

export const FACTUR_X_PROFILE_URN = 'urn:cen.eu:en16931:2017';

const NAMESPACES = {
  '@xmlns:rsm': 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  '@xmlns:qdt': 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  '@xmlns:ram': 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  '@xmlns:udt': 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
};

/** UNTDID 1001: commercial invoice, credit note. */
const TYPE_CODE = { invoice: '380', credit_note: '381' } as const;

/**
 * BT-120. The record keeps no exemption ground per line (see the report on IssuedDocument): the
 * document's notes carry the mention, and EN 16931 (BR-E-10) needs a reason on the E row.
 */
const EXEMPTION_REASON = 'Exempt from VAT: see the exemption mention in the notes of this document';

// xmlbuilder2's object form: keys in insertion order are the element order; undefined is omitted.
type Xml = string | { [key: string]: Xml | Xml[] | undefined };

/** Minor units as a decimal with 2 places, by integer arithmetic (no float rounding). */
function amount(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount is not integer minor units: ${cents}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Basis points as a percentage without trailing zeros: 2000 → "20", 550 → "5.5". */
function percent(bp: number): string {
  if (!Number.isSafeInteger(bp) || bp < 0) throw new RangeError(`VAT rate is not basis points: ${bp}`);
  const fraction = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return fraction ? `${Math.floor(bp / 100)}.${fraction}` : String(Math.floor(bp / 100));
}

function quantity(q: number): string {
  const text = String(q);
  // String() switches to exponent notation for very large or small numbers: not an xs:decimal.
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`quantity is not a plain positive decimal: ${q}`);
  return text;
}

/** UNTDID 2379 format 102: CCYYMMDD. */
function format102(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a YYYY-MM-DD date: ${day}`);
  return day.replaceAll('-', '');
}

const date102 = (day: string): Xml => ({ 'udt:DateTimeString': { '@format': '102', '#': format102(day) } });

function period(start: string | null, end: string | null): Xml | undefined {
  if (!start || !end) return undefined;
  return { 'ram:StartDateTime': date102(start), 'ram:EndDateTime': date102(end) };
}

/** BG-14: from the first day of the earliest line period to the last day of the latest. */
function billingPeriod(lines: DocumentLine[]): Xml | undefined {
  const periods = lines.filter((l) => l.periodStart && l.periodEnd);
  if (periods.length === 0) return undefined;
  const starts = periods.map((l) => l.periodStart!).sort();
  const ends = periods.map((l) => l.periodEnd!).sort();
  return period(starts[0], ends[ends.length - 1]);
}

/** The record keeps a rate, not a VAT category: a zero rate is the exemption its notes state. */
const category = (bp: number) => (bp === 0 ? 'E' : 'S');

const exemptionReason = (bp: number) => (bp === 0 ? EXEMPTION_REASON : undefined);

function lineTax(bp: number): Xml {
  // EN 16931 reads the reason from the breakdown row (BR-E-10); the line repeats it for its readers.
  return { 'ram:TypeCode': 'VAT', 'ram:ExemptionReason': exemptionReason(bp), 'ram:CategoryCode': category(bp), 'ram:RateApplicablePercent': percent(bp) };
}

function lineItem(l: DocumentLine, index: number): Xml {
  return {
    'ram:AssociatedDocumentLineDocument': { 'ram:LineID': String(index + 1) },
    'ram:SpecifiedTradeProduct': { 'ram:Name': l.description },
    'ram:SpecifiedLineTradeAgreement': { 'ram:NetPriceProductTradePrice': { 'ram:ChargeAmount': amount(l.unitExclVatCents) } },
    // C62: "one", the unit of a subscription period or a licence.
    'ram:SpecifiedLineTradeDelivery': { 'ram:BilledQuantity': { '@unitCode': 'C62', '#': quantity(l.quantity) } },
    'ram:SpecifiedLineTradeSettlement': {
      'ram:ApplicableTradeTax': lineTax(l.vatRateBp),
      'ram:BillingSpecifiedPeriod': period(l.periodStart, l.periodEnd),
      'ram:SpecifiedTradeSettlementLineMonetarySummation': { 'ram:LineTotalAmount': amount(l.exclVatCents) },
    },
  };
}

/** BT-30 / BT-47: a SIREN under ICD 0002 (SIRENE); another register's number without a scheme. */
function legalOrganization(p: DocumentParty): Xml | undefined {
  const number = p.registrationNumber?.replace(/\s/g, '');
  if (!number && !p.tradeName) return undefined;
  return {
    'ram:ID': number ? (SIREN.test(number) ? { '@schemeID': '0002', '#': number } : number) : undefined,
    'ram:TradingBusinessName': p.tradeName ?? undefined,
  };
}

function tradeParty(p: DocumentParty): Xml {
  return {
    'ram:Name': p.name,
    'ram:SpecifiedLegalOrganization': legalOrganization(p),
    // The record keeps the address as printed: one text, no separate postcode and city.
    'ram:PostalTradeAddress': { 'ram:LineOne': p.address, 'ram:CountryID': p.country },
    // BT-34 / BT-49, scheme EM (EAS code list): an e-mail address.
    'ram:URIUniversalCommunication': p.email ? { 'ram:URIID': { '@schemeID': 'EM', '#': p.email } } : undefined,
    'ram:SpecifiedTaxRegistration': p.vatNumber ? { 'ram:ID': { '@schemeID': 'VA', '#': p.vatNumber } } : undefined,
  };
}

function note(content: string, subjectCode?: string): Xml {
  return { 'ram:Content': content, 'ram:SubjectCode': subjectCode };
}

/** The notes printed on the document, then (business customers) L441-10's late-payment terms. */
function notes(doc: IssuedDocument): Xml[] {
  const all = doc.notes.map((n) => note(n));
  if (doc.latePayment) {
    // French Factur-X usage of UNTDID 4451: PMD for the penalty rate, PMT for the recovery fee.
    all.push(note(`Late payment penalties: ${doc.latePayment.penaltyRate}.`, 'PMD'));
    all.push(
      note(
        `Fixed compensation for recovery costs in case of late payment (Code de commerce L441-10, D441-5): ${formatMoney(doc.latePayment.recoveryFeeCents, doc.latePayment.recoveryFeeCurrency)}.`,
        'PMT',
      ),
    );
  }
  return all;
}

/**
 * EN 16931 BR-27: an item's net price is never negative. A discount the record keeps as a line of
 * its own (POL-3's −20 %, exclVatCents < 0) is a document-level allowance (BG-20) in the XML,
 * UNTDID 5189 code 95 ("Discount"), in the VAT category of its rate: the printed document shows it
 * as a line, the XML as an allowance, with the same amounts and the same totals (BR-CO-13).
 */
function splitDiscounts(lines: DocumentLine[]): { items: DocumentLine[]; allowances: DocumentLine[] } {
  return { items: lines.filter((l) => l.exclVatCents >= 0), allowances: lines.filter((l) => l.exclVatCents < 0) };
}

function allowance(l: DocumentLine): Xml {
  return {
    'ram:ChargeIndicator': { 'udt:Indicator': 'false' },
    'ram:ActualAmount': amount(-l.exclVatCents),
    'ram:ReasonCode': '95',
    'ram:Reason': l.description,
    'ram:CategoryTradeTax': { 'ram:TypeCode': 'VAT', 'ram:CategoryCode': category(l.vatRateBp), 'ram:RateApplicablePercent': percent(l.vatRateBp) },
  };
}

function headerSettlement(doc: IssuedDocument): Xml {
  const prepaid = doc.payment.status === 'paid' ? doc.totals.totalCents : 0;
  const { items, allowances } = splitDiscounts(doc.lines);
  const sum = (ls: DocumentLine[]) => ls.reduce((s, l) => s + l.exclVatCents, 0);
  return {
    'ram:InvoiceCurrencyCode': doc.currency,
    'ram:ApplicableTradeTax': doc.vatBreakdown.map((row) => ({
      'ram:CalculatedAmount': amount(row.vatCents),
      'ram:TypeCode': 'VAT',
      'ram:ExemptionReason': exemptionReason(row.vatRateBp),
      'ram:BasisAmount': amount(row.baseCents),
      'ram:CategoryCode': category(row.vatRateBp),
      'ram:RateApplicablePercent': percent(row.vatRateBp),
    })),
    'ram:BillingSpecifiedPeriod': billingPeriod(doc.lines),
    'ram:SpecifiedTradeAllowanceCharge': allowances.length ? allowances.map(allowance) : undefined,
    'ram:SpecifiedTradePaymentTerms': { 'ram:Description': doc.payment.terms, 'ram:DueDateDateTime': date102(doc.payment.dueDate) },
    'ram:SpecifiedTradeSettlementHeaderMonetarySummation': {
      // BR-CO-10: the sum of the items; BR-CO-13: the tax basis is that less the allowances.
      'ram:LineTotalAmount': amount(sum(items)),
      'ram:AllowanceTotalAmount': allowances.length ? amount(-sum(allowances)) : undefined,
      'ram:TaxBasisTotalAmount': amount(doc.totals.exclVatCents),
      'ram:TaxTotalAmount': { '@currencyID': doc.currency, '#': amount(doc.totals.vatCents) },
      'ram:GrandTotalAmount': amount(doc.totals.totalCents),
      'ram:TotalPrepaidAmount': amount(prepaid),
      'ram:DuePayableAmount': amount(doc.totals.totalCents - prepaid),
    },
    // BG-3: the invoice a credit note corrects.
    'ram:InvoiceReferencedDocument': doc.corrects
      ? { 'ram:IssuerAssignedID': doc.corrects.number, 'ram:FormattedIssueDateTime': { 'qdt:DateTimeString': { '@format': '102', '#': format102(doc.corrects.issueDate) } } }
      : undefined,
  };
}

/** The CII XML of an invoice or credit note (UTF-8 text; same record, same bytes). */
export function facturXml(doc: IssuedDocument): string {
  if (doc.kind !== 'invoice' && doc.kind !== 'credit_note') throw new RangeError(`no Factur-X XML for a ${doc.kind}`);
  const invoice: Xml = {
    ...NAMESPACES,
    'rsm:ExchangedDocumentContext': { 'ram:GuidelineSpecifiedDocumentContextParameter': { 'ram:ID': FACTUR_X_PROFILE_URN } },
    'rsm:ExchangedDocument': {
      'ram:ID': doc.number,
      'ram:TypeCode': TYPE_CODE[doc.kind],
      'ram:IssueDateTime': date102(doc.issueDate),
      'ram:IncludedNote': notes(doc),
    },
    'rsm:SupplyChainTradeTransaction': {
      'ram:IncludedSupplyChainTradeLineItem': splitDiscounts(doc.lines).items.map(lineItem),
      'ram:ApplicableHeaderTradeAgreement': {
        'ram:SellerTradeParty': tradeParty(doc.seller),
        'ram:BuyerTradeParty': tradeParty(doc.customer),
        // BT-14: the marketplace order is the seller's sales order.
        'ram:SellerOrderReferencedDocument': doc.orderNumber ? { 'ram:IssuerAssignedID': doc.orderNumber } : undefined,
      },
      // Services: no delivery party or date, the service periods are the billing periods. Required
      // by the XSD even empty (the Schematron's PEPPOL-EN16931-R008 warns on it, nothing more).
      'ram:ApplicableHeaderTradeDelivery': {},
      'ram:ApplicableHeaderTradeSettlement': headerSettlement(doc),
    },
  };
  // Characters XML 1.0 cannot carry at all (C0 controls, lone surrogates) are dropped, not escaped.
  return create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' }, { 'rsm:CrossIndustryInvoice': invoice }).end({ prettyPrint: true });
}
