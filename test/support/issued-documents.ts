// INV-1: frozen document records (domain/issued-document.ts) built in memory, for the renderers'
// tests (XML, PDF) that need no database. Amounts follow SPEC conventions (VAT rounded per line),
// and the breakdown and totals are derived from the lines unless a test overrides them.
import { LATE_PAYMENT } from '../../domain/billing-identity';
import { vatBreakdown, type DocumentLine, type DocumentParty, type IssuedDocument } from '../../domain/issued-document';
import { lineAmounts, sumAmounts } from '../../domain/money';

export const SAMPLE_SELLER: DocumentParty = {
  name: 'Acme Software SAS',
  tradeName: null,
  address: '12 rue de la Paix, 75002 Paris',
  country: 'FR',
  email: 'billing@acme-software.example',
  phone: null,
  registrationNumber: '552100554',
  vatNumber: 'FR96552100554',
};

export const SAMPLE_ISSUER: DocumentParty = {
  name: 'Marketplace SAS',
  tradeName: 'Marketplace',
  address: '10 place de la Bourse, 75002 Paris',
  country: 'FR',
  email: 'billing@marketplace.example',
  phone: null,
  registrationNumber: '443061841',
  vatNumber: 'FR64443061841',
};

export const SAMPLE_INDIVIDUAL: DocumentParty = {
  name: 'Jeanne Martin',
  address: '5 rue des Lilas, 69003 Lyon',
  country: 'FR',
  email: 'jeanne.martin@example.com',
  vatNumber: null,
  type: 'individual',
};

export const SAMPLE_BUSINESS: DocumentParty = {
  name: 'Globex SARL',
  address: '8 avenue Jean Jaurès, 31000 Toulouse',
  country: 'FR',
  email: 'accounts@globex.example',
  registrationNumber: '732829320',
  vatNumber: 'FR44732829320',
  type: 'business',
};

/** One line: its VAT and total computed as the issuing code computes them. */
export function sampleLine(l: { description: string; exclVatCents: number; vatRateBp: number; quantity?: number; periodStart?: string; periodEnd?: string }): DocumentLine {
  const quantity = l.quantity ?? 1;
  return {
    description: l.description,
    quantity,
    unitExclVatCents: Math.round(l.exclVatCents / quantity),
    ...lineAmounts(l.exclVatCents, l.vatRateBp),
    vatRateBp: l.vatRateBp,
    periodStart: l.periodStart ?? null,
    periodEnd: l.periodEnd ?? null,
  };
}

/**
 * A document as issued on behalf of Acme Software to an individual, paid by card: one 99.99 EUR
 * line at 20 %. Overrides replace fields whole; a business customer gets the late-payment mention.
 */
export function sampleDocument(overrides: Partial<IssuedDocument> = {}): IssuedDocument {
  const lines = overrides.lines ?? [sampleLine({ description: 'Acme CRM, monthly plan', exclVatCents: 9999, vatRateBp: 2000 })];
  const customer = overrides.customer ?? SAMPLE_INDIVIDUAL;
  const kind = overrides.kind ?? 'invoice';
  return {
    schema: 1,
    kind,
    number: 'INV-acme-2026-000042',
    issuedAt: '2026-03-03T09:15:00.000Z',
    issueDate: '2026-03-03',
    currency: 'EUR',
    seller: SAMPLE_SELLER,
    issuer: SAMPLE_ISSUER,
    onBehalf: true,
    billingMandate: { version: 'billing-mandate-2026-09', acceptedAt: '2026-01-10T08:00:00.000Z' },
    customer,
    lines,
    vatBreakdown: vatBreakdown(lines),
    totals: sumAmounts(lines),
    payment: {
      status: 'paid',
      paymentReference: 'pay_123',
      paidAt: '2026-03-03T09:15:00.000Z',
      dueDate: '2026-03-03',
      terms: 'Paid by card on 3 March 2026 (payment pay_123); no discount for early payment',
    },
    latePayment: customer.type === 'business' && kind !== 'purchase_order' ? { ...LATE_PAYMENT } : null,
    corrects: null,
    orderNumber: 'ORD-2026-000017',
    notes: ['Billing mandate: the marketplace issues this document in the name and on behalf of the seller.'],
    ...overrides,
  };
}
