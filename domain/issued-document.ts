// INV-1: what an issued document shows, frozen at issue. Every renderer (the PDF, the Factur-X
// XML, the purchase order) reads only this record, never the live seller, customer or order rows,
// so a document downloaded years later shows what it showed the day it was issued.

export type DocumentKind = 'invoice' | 'credit_note' | 'purchase_order';

/** A party as the document names it (art. 242 nonies A, annexe II CGI: name and address). */
export interface DocumentParty {
  /** The legal name (raison sociale) for companies, the person's name for individuals. */
  name: string;
  /** A trade name shown beside the legal name, when it differs. */
  tradeName?: string | null;
  address: string;
  /** Country, ISO 3166-1 alpha-2 (FR by default). */
  country: string;
  email: string;
  phone?: string | null;
  /** SIREN (9 digits) or another registration number (RCS, foreign register). */
  registrationNumber?: string | null;
  /** Intra-EU VAT number (e.g. FR40303265045). Businesses only on the customer side. */
  vatNumber?: string | null;
  /** The customer only: individual | business (late-payment mentions apply to businesses). */
  type?: 'individual' | 'business';
}

export interface DocumentLine {
  description: string;
  quantity: number;
  /** Unit price excl. VAT, minor units. */
  unitExclVatCents: number;
  /** quantity × unit price. */
  exclVatCents: number;
  /** Basis points: 2000 = 20 %. */
  vatRateBp: number;
  vatCents: number;
  totalCents: number;
  /** The service period (YYYY-MM-DD, business time zone), inclusive: both or neither. */
  periodStart: string | null;
  periodEnd: string | null;
}

export interface VatBreakdownRow {
  vatRateBp: number;
  baseCents: number;
  vatCents: number;
}

export interface IssuedDocument {
  /** Version of this record's shape: renderers of later versions still read version 1. */
  schema: 1;
  kind: DocumentKind;
  number: string;
  /** ISO instant of issue; `issueDate` is its date in the business time zone (YYYY-MM-DD). */
  issuedAt: string;
  issueDate: string;
  currency: string;
  /** In whose name the document is issued: the seller, or the marketplace for its own (DIA-4). */
  seller: DocumentParty;
  /** Who issues and sends it: the marketplace. */
  issuer: DocumentParty;
  /** True when the marketplace issues in the seller's name and on its behalf (billing mandate). */
  onBehalf: boolean;
  /** The seller's billing mandate in force (onBehalf only): its version and acceptance date. */
  billingMandate: { version: string; acceptedAt: string } | null;
  customer: DocumentParty;
  lines: DocumentLine[];
  vatBreakdown: VatBreakdownRow[];
  totals: { exclVatCents: number; vatCents: number; totalCents: number };
  payment: {
    /** paid: captured before or at issue; due: payable by dueDate. */
    status: 'paid' | 'due';
    paymentReference: string | null;
    paidAt: string | null;
    /** YYYY-MM-DD. A paid document's due date is its payment date. */
    dueDate: string;
    /** Payment terms as printed (e.g. "Paid by card at order, 3 March 2026"). */
    terms: string;
  };
  /** Business customers (Code de commerce L441-9, L441-10): penalty rate and the 40 EUR fee. */
  latePayment: { penaltyRate: string; recoveryFeeCents: number; recoveryFeeCurrency: 'EUR' } | null;
  /** Credit notes: the invoice they correct. */
  corrects: { number: string; issueDate: string } | null;
  /** Order documents: the order's number. */
  orderNumber: string | null;
  /** Other mentions printed as they are (VAT exemption, the mandate sentence, ...). */
  notes: string[];
}

/** VAT per rate, from the lines (VAT is computed and rounded on each line: SPEC conventions). */
export function vatBreakdown(lines: Pick<DocumentLine, 'vatRateBp' | 'exclVatCents' | 'vatCents'>[]): VatBreakdownRow[] {
  const byRate = new Map<number, VatBreakdownRow>();
  for (const l of lines) {
    const row = byRate.get(l.vatRateBp) ?? { vatRateBp: l.vatRateBp, baseCents: 0, vatCents: 0 };
    row.baseCents += l.exclVatCents;
    row.vatCents += l.vatCents;
    byRate.set(l.vatRateBp, row);
  }
  return [...byRate.values()].sort((a, b) => b.vatRateBp - a.vatRateBp);
}
