// What a ticket looks like over the API (DIA-8): the workflow's state with the first-response
// clock read now (elapsed, remaining, paused), or, once its process has ended and left the
// server, the ticket row. Sellers see support tickets on their offers without prices.
import type { Ticket } from '@prisma/client';
import { allow, type Principal } from './auth';
import { ALWAYS, BUSINESS_HOURS, workingMsBetween } from '../domain/business-hours';
import type { TicketState } from '../workflows/ticket';
import { z } from './zod';

const iso = z.string();
const money = z.number().int();

export const ticketClock = z
  .strictObject({
    hours: z.enum(['business_hours', 'always']),
    targetHours: z.number(),
    elapsedMinutes: z.number().int(),
    remainingMinutes: z.number().int().openapi({ description: 'Negative once the target is missed' }),
    running: z.boolean(),
    pausedFor: z.string().nullable(),
    dueAt: iso.nullable(),
    respondedAt: iso.nullable(),
    met: z.boolean().nullable(),
    alertedAt: iso.nullable(),
    missedAt: iso.nullable(),
  })
  .openapi('TicketFirstResponseClock');

export const ticketView = z
  .strictObject({
    ticketId: z.string(),
    customerId: z.string(),
    subscriptionId: z.string(),
    sellerId: z.string(),
    kind: z.enum(['incident', 'support']),
    tier: z.string(),
    subject: z.string(),
    status: z.string(),
    openedAt: iso,
    diagnostic: z.strictObject({ priceCents: money, currency: z.string(), vatRateBp: z.number().int(), freeUntil: iso.nullable(), priceNowCents: money, freeNow: z.boolean() }).nullable(),
    consent: z.strictObject({ priceCents: money, promotion: z.boolean(), at: iso, by: z.string() }).nullable(),
    diagnosis: z.strictObject({ outcome: z.string(), at: iso, by: z.string() }).nullable(),
    quote: z
      .strictObject({ amountCents: money, description: z.string(), at: iso, expiresAt: iso, answer: z.enum(['accepted', 'declined', 'expired']).nullable(), answeredAt: iso.nullable() })
      .nullable(),
    workDoneAt: iso.nullable(),
    billed: z.array(z.strictObject({ description: z.string(), exclVatCents: money })),
    invoice: z
      .strictObject({ invoiceId: z.string(), number: z.string(), exclVatCents: money, vatCents: money, totalCents: money, currency: z.string(), issuedAt: iso, dueAt: iso, reminderAt: iso, remindedAt: iso.nullable(), pdf: z.string() })
      .nullable(),
    amountDueCents: money.openapi({ description: 'What the customer owes now, incl. VAT (DIA-8)' }),
    payment: z.strictObject({ paymentId: z.string(), amountCents: money, paidAt: iso }).nullable(),
    paymentAttempts: z.array(z.strictObject({ at: iso, code: z.string(), message: z.string() })),
    contest: z.strictObject({ cause: z.enum(['contested', 'unpaid']), at: iso, creditNoteId: z.string(), creditNoteNumber: z.string() }).nullable(),
    firstResponse: ticketClock.nullable(),
    messages: z.array(z.strictObject({ messageId: z.string(), author: z.string(), at: iso })),
    nextDeadline: z.strictObject({ rule: z.string(), what: z.string(), at: iso }).nullable(),
    closedAt: iso.nullable(),
    closeReason: z.string().nullable(),
  })
  .openapi('Ticket');
export type TicketView = z.infer<typeof ticketView>;

const MINUTE = 60_000;

/** The clock as of `now`: the running span counted in the tier's hours (POL-5). */
export function clockNow(c: TicketState['firstResponse'], now: Date = new Date()): z.infer<typeof ticketClock> {
  const schedule = c.hours === 'always' ? ALWAYS : BUSINESS_HOURS;
  const elapsed = c.elapsedMs + (c.runningSince ? workingMsBetween(c.runningSince, now.toISOString(), schedule) : 0);
  return {
    hours: c.hours,
    targetHours: c.targetMs / 3_600_000,
    elapsedMinutes: Math.floor(elapsed / MINUTE),
    remainingMinutes: Math.ceil((c.targetMs - elapsed) / MINUTE),
    running: c.runningSince !== null,
    pausedFor: c.pausedFor,
    dueAt: c.dueAt,
    respondedAt: c.respondedAt,
    met: c.met,
    alertedAt: c.alertedAt,
    missedAt: c.missedAt,
  };
}

/** The workflow's state, with the subject from the ticket's row (the workflow never holds it). */
export function viewOfState(s: TicketState, subject: string, now: Date = new Date()): TicketView {
  const due = s.status === 'awaiting_payment' && s.invoice && !s.payment ? s.invoice.totalCents : 0;
  return {
    ...s,
    subject,
    diagnostic: s.kind === 'incident' ? s.diagnostic : null,
    invoice: s.invoice ? { ...s.invoice, pdf: `/invoices/${encodeURIComponent(s.invoice.invoiceId)}/pdf` } : null,
    amountDueCents: due,
    firstResponse: clockNow(s.firstResponse, now),
  };
}

/** A ticket whose process has ended and is no longer on the server: what its row keeps. */
export function viewOfRow(t: Ticket): TicketView {
  return {
    ticketId: t.id,
    customerId: t.customerId,
    subscriptionId: t.subscriptionId,
    sellerId: t.sellerId,
    kind: t.kind as TicketView['kind'],
    tier: t.tier,
    subject: t.subject,
    status: t.status,
    openedAt: t.openedAt.toISOString(),
    diagnostic: null,
    consent: null,
    diagnosis: null,
    quote: null,
    workDoneAt: null,
    billed: [],
    invoice: null,
    amountDueCents: 0,
    payment: null,
    paymentAttempts: [],
    contest: null,
    firstResponse: null,
    messages: [],
    nextDeadline: null,
    closedAt: t.closedAt?.toISOString() ?? null,
    closeReason: t.closeReason,
  };
}

/** who may read a ticket: its customer, support and ops staff, and the seller of a `support` ticket's offer. */
export function mayReadTicket(principal: Principal, t: Pick<Ticket, 'customerId' | 'sellerId' | 'kind'>): boolean {
  return (
    (principal.kind === 'customer' && principal.customerId === t.customerId) ||
    allow.staff('support', 'ops')(principal) ||
    (principal.kind === 'seller' && principal.sellerId === t.sellerId && t.kind === 'support')
  );
}

/** What a principal sees of a ticket it may read. */
export function ticketAsSeenBy(principal: Principal, v: TicketView): TicketView {
  if (principal.kind === 'seller') return sellerView(v);
  if (principal.kind !== 'customer') return v;
  // Customers never see staff names (least privilege): "support".
  const who = (by: string) => (by.startsWith('staff:') ? 'support' : by);
  return { ...v, diagnosis: v.diagnosis && { ...v.diagnosis, by: who(v.diagnosis.by) }, messages: v.messages.map((m) => ({ ...m, author: who(m.author) })) };
}

/** a seller reads a support ticket on its offer, without the money of the marketplace's diagnostic. */
export function sellerView(v: TicketView): TicketView {
  return { ...v, diagnostic: null, consent: null, invoice: null, amountDueCents: 0, payment: null, paymentAttempts: [], contest: null, billed: [] };
}

export const ticketListItem = z
  .strictObject({
    ticketId: z.string(),
    kind: z.string(),
    status: z.string(),
    subject: z.string(),
    tier: z.string(),
    customerId: z.string(),
    subscriptionId: z.string(),
    sellerId: z.string(),
    openedAt: iso,
    closedAt: iso.nullable(),
    closeReason: z.string().nullable(),
    invoiceId: z.string().nullable(),
  })
  .openapi('TicketListItem');

export function listItemOf(t: Ticket): z.infer<typeof ticketListItem> {
  return {
    ticketId: t.id,
    kind: t.kind,
    status: t.status,
    subject: t.subject,
    tier: t.tier,
    customerId: t.customerId,
    subscriptionId: t.subscriptionId,
    sellerId: t.sellerId,
    openedAt: t.openedAt.toISOString(),
    closedAt: t.closedAt?.toISOString() ?? null,
    closeReason: t.closeReason,
    invoiceId: t.invoiceId,
  };
}
