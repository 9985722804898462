// INV-1: the frozen record of a document being issued (domain/issued-document.ts), read once from
// the live rows inside the issuing transaction. After this, nothing a document shows is read
// from the seller, customer or order again.
import { DateTime } from 'luxon';
import type { Prisma } from '@prisma/client';
import { BILLING_MANDATE, LATE_PAYMENT, sellerVatNumber } from '../domain/billing-identity';
import { vatBreakdown, type DocumentKind, type DocumentLine, type DocumentParty, type IssuedDocument } from '../domain/issued-document';
import { MARKETPLACE_ISSUER_ID, marketplaceIdentity } from '../domain/marketplace';
import { lineAmounts, sumAmounts } from '../domain/money';
import { businessTimeZone, formatDate } from '../domain/time-format';

export interface SnapshotLineInput {
  description: string;
  /** The line's amount excl. VAT (quantity × unit price). */
  exclVatCents: number;
  vatRateBp: number;
  quantity?: number;
  /** The service period: its first instant and the instant it ends (exclusive), ISO. */
  periodStart?: string | null;
  periodEnd?: string | null;
  /** Or the period as another document printed it (a credit note repeats its invoice's days). */
  periodDays?: { periodStart: string | null; periodEnd: string | null };
}

export interface SnapshotInput {
  kind: DocumentKind;
  number: string;
  issuedAt: string;
  sellerId: string;
  customerId: string;
  orderId?: string | null;
  paymentId?: string | null;
  ticketId?: string | null;
  dueAt?: string | null;
  currency: string;
  lines: SnapshotLineInput[];
  /** Credit notes: the invoice corrected. */
  creditedInvoiceId?: string | null;
}

/** A calendar day in the business time zone, YYYY-MM-DD. */
export function businessDay(iso: string | Date): string {
  const dt = typeof iso === 'string' ? DateTime.fromISO(iso, { zone: 'utc' }) : DateTime.fromJSDate(iso, { zone: 'utc' });
  return dt.setZone(businessTimeZone()).toISODate()!;
}

/** A service period as documents print it: its first day and its last day (the end is exclusive). */
export function servicePeriod(startIso: string, endIso: string): { periodStart: string; periodEnd: string } {
  const last = DateTime.fromISO(endIso, { zone: 'utc' }).setZone(businessTimeZone()).minus({ milliseconds: 1 });
  return { periodStart: businessDay(startIso), periodEnd: last.toISODate()! };
}

function documentLine(l: SnapshotLineInput): DocumentLine {
  const quantity = l.quantity ?? 1;
  const amounts = lineAmounts(l.exclVatCents, l.vatRateBp);
  const period = l.periodDays ?? (l.periodStart && l.periodEnd ? servicePeriod(l.periodStart, l.periodEnd) : { periodStart: null, periodEnd: null });
  return {
    description: l.description,
    quantity,
    unitExclVatCents: Math.round(l.exclVatCents / quantity),
    exclVatCents: amounts.exclVatCents,
    vatRateBp: l.vatRateBp,
    vatCents: amounts.vatCents,
    totalCents: amounts.totalCents,
    ...period,
  };
}

async function sellerParty(tx: Prisma.TransactionClient, sellerId: string) {
  if (sellerId === MARKETPLACE_ISSUER_ID) return { party: issuerParty(), mandate: null };
  const s = await tx.seller.findUniqueOrThrow({ where: { id: sellerId } });
  const party: DocumentParty = {
    name: s.legalName,
    tradeName: s.name !== s.legalName ? s.name : null,
    address: s.address,
    country: s.country,
    email: s.contactEmail,
    phone: s.contactPhone,
    registrationNumber: s.registrationNumber,
    vatNumber: sellerVatNumber(s.vatNumber, s.registrationNumber),
  };
  const mandate = s.billingMandateVersion && s.billingMandateAcceptedAt ? { version: s.billingMandateVersion, acceptedAt: s.billingMandateAcceptedAt.toISOString() } : null;
  return { party, mandate };
}

function issuerParty(): DocumentParty {
  const m = marketplaceIdentity();
  return { name: m.legalName, tradeName: m.name, address: m.address, country: m.country, email: m.contactEmail, phone: m.contactPhone, registrationNumber: m.registrationNumber, vatNumber: m.vatNumber };
}

/** The buyer: as its order's checkout declared it, else (support invoices) as its account says. */
async function customerParty(tx: Prisma.TransactionClient, customerId: string, orderId: string | null | undefined): Promise<DocumentParty> {
  const c = await tx.customer.findUniqueOrThrow({ where: { id: customerId } });
  const o = orderId ? await tx.order.findUnique({ where: { id: orderId } }) : null;
  const type = (o?.customerType ?? c.type) === 'business' ? 'business' : 'individual';
  return {
    name: o?.customerName ?? c.name,
    address: o?.customerAddress ?? c.address ?? 'address not given',
    country: o?.customerCountry ?? c.country ?? 'FR',
    // Not a mandatory mention (CGI ann. II art. 242 nonies A: name and address): left off, so an
    // invoice kept for 10 years holds no contact an account closure would have to erase (ACC-3).
    email: '',
    vatNumber: type === 'business' ? (o?.customerVatNumber ?? c.vatNumber ?? null) : null,
    registrationNumber: type === 'business' ? (o?.customerRegistrationNumber ?? c.registrationNumber ?? null) : null,
    type,
  };
}

function paymentTerms(input: SnapshotInput, issueDate: string): IssuedDocument['payment'] {
  const paidOn = formatDate(input.issuedAt);
  if (input.kind === 'credit_note') {
    return input.paymentId
      ? { status: 'paid', paymentReference: input.paymentId, paidAt: input.issuedAt, dueDate: issueDate, terms: `Refunded to the card of payment ${input.paymentId} on ${paidOn}` }
      : { status: 'paid', paymentReference: null, paidAt: null, dueDate: issueDate, terms: 'Cancels the invoice corrected: nothing is due on it' };
  }
  if (input.paymentId) {
    return { status: 'paid', paymentReference: input.paymentId, paidAt: input.issuedAt, dueDate: issueDate, terms: `Paid by card on ${paidOn} (payment ${input.paymentId}); no discount for early payment` };
  }
  const due = input.dueAt ?? input.issuedAt;
  return { status: 'due', paymentReference: input.ticketId ? `ticket ${input.ticketId}` : null, paidAt: null, dueDate: businessDay(due), terms: `Payable by card by ${formatDate(due)}; no discount for early payment` };
}

/** Everything the document will show, read now (inside the issuing transaction). */
export async function documentSnapshot(tx: Prisma.TransactionClient, input: SnapshotInput): Promise<IssuedDocument> {
  const [{ party: seller, mandate }, customer, order, credited] = await Promise.all([
    sellerParty(tx, input.sellerId),
    customerParty(tx, input.customerId, input.orderId),
    input.orderId ? tx.order.findUnique({ where: { id: input.orderId }, select: { number: true } }) : null,
    input.creditedInvoiceId ? tx.invoice.findUnique({ where: { id: input.creditedInvoiceId }, select: { number: true, issuedAt: true } }) : null,
  ]);
  const lines = input.lines.map(documentLine);
  const issueDate = businessDay(input.issuedAt);
  const onBehalf = input.sellerId !== MARKETPLACE_ISSUER_ID;
  const notes: string[] = [];
  if (onBehalf) notes.push(`Billing mandate: ${BILLING_MANDATE.summary}`);
  if (lines.some((l) => l.vatRateBp === 0)) notes.push('VAT exempt lines: exemption under the article of the CGI stated by the seller');
  if (input.ticketId) notes.push(`Support ticket ${input.ticketId}`);
  const totals = sumAmounts(lines);
  return {
    schema: 1,
    kind: input.kind,
    number: input.number,
    issuedAt: input.issuedAt,
    issueDate,
    currency: input.currency,
    seller,
    issuer: issuerParty(),
    onBehalf,
    billingMandate: onBehalf ? mandate : null,
    customer,
    lines,
    vatBreakdown: vatBreakdown(lines),
    totals: { exclVatCents: totals.exclVatCents, vatCents: totals.vatCents, totalCents: totals.totalCents },
    payment: paymentTerms(input, issueDate),
    latePayment: customer.type === 'business' && input.kind !== 'purchase_order' ? { ...LATE_PAYMENT } : null,
    corrects: credited ? { number: credited.number, issueDate: businessDay(credited.issuedAt) } : null,
    orderNumber: order?.number ?? null,
    notes,
  };
}
