// The support invoice of an incident ticket on the time-skipping server: due 30 days after issue
// with a reminder 7 days before, paid by card (DIA-4); contested, the customer pays nothing and
// loses support for good (DIA-5); unpaid on the due date, counted as contested (DIA-6); a barred
// customer's ticket opening refused with the reason, nothing written (DIA-7).
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { ticketIdOf } from '../api/ticket-opening';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { ticketWorkflowId } from '../workflows/ticket';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { DAY, MINUTE, deleteNow, waitState, type SeededLine } from './support/subscriptions';
import type { TestSystem } from './support/system';
import { openTicketAs, openTicketBody, supportedService, ticketCommand, waitTicket, type SupportedService } from './support/tickets';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const ZONE = 'Europe/Paris';
const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123' });
const GOOD_CARD = card(TEST_CARDS.success);
const DECLINED_CARD = card(TEST_CARDS.declined);

const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();
/** `days` calendar days after `iso` in Paris, at the same wall-clock time. */
const parisDaysAfter = (iso: string, days: number) => DateTime.fromISO(iso).setZone(ZONE).plus({ days }).toUTC().toISO()!;

async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

// Each test's subscriptions are ended after it, so their renewals do not load the later months.
const started: SeededLine[] = [];
afterEach(async () => {
  for (const line of started.splice(0)) await deleteNow(env.client, sys, line);
});

async function newService(): Promise<SupportedService> {
  const s = await supportedService(env.client, sys, { paidAt: await nowIso(), offerId: DEMO.offers.acmeMail.id });
  started.push(s);
  return s;
}

/** An incident on `s` brought to awaiting_payment: consent to 20.00 EUR, then diagnosed `fixed` (DIA-2). */
async function invoicedTicket(s: SupportedService): Promise<{ ticketId: string; view: any }> {
  const opened = await openTicketAs(sys, s, 'incident');
  const consent = await ticketCommand(sys, opened.ticketId, 'consent', { acceptedPriceCents: 2000 }, s.customerKey);
  expect(consent.status, JSON.stringify(consent.body)).toBe(200);
  const diagnosed = await ticketCommand(sys, opened.ticketId, 'diagnosis', { outcome: 'fixed' }, DEMO_KEYS.support);
  expect(diagnosed.status, JSON.stringify(diagnosed.body)).toBe(200);
  expect(diagnosed.body.status).toBe('awaiting_payment');
  return { ticketId: opened.ticketId, view: diagnosed.body };
}

const pay = (ticketId: string, s: SupportedService, c = GOOD_CARD) => ticketCommand(sys, ticketId, 'pay', { card: c }, s.customerKey);
const contest = (ticketId: string, s: SupportedService) => ticketCommand(sys, ticketId, 'contest', { reason: 'I do not agree with this invoice' }, s.customerKey);
const getTicket = (ticketId: string, key: string) => http(sys.apiUrl, 'GET', `/tickets/${ticketId}`, { key });
const email = (ticketId: string, kind: string) => sys.db.email.findUnique({ where: { id: `ticket:${ticketId}:${kind}` } });
/** The outbox row of a ticket e-mail (delivery of a business-hours tier's mail waits for business hours). */
const emailWritten = (ticketId: string, kind: string) => eventually(async () => (await email(ticketId, kind)) ?? undefined, 20_000, `e-mail ${kind} of ${ticketId}`);

/** The credit note cancelling `invoiceId`: its own document in the credit-note series, for the same amounts (DIA-5). */
async function expectCreditNoteOf(creditNoteId: string, invoiceId: string) {
  const invoice = await sys.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
  const note = await sys.db.invoice.findUniqueOrThrow({ where: { id: creditNoteId } });
  expect(note).toMatchObject({
    kind: 'credit_note',
    creditedInvoiceId: invoice.id,
    customerId: invoice.customerId,
    sellerId: 'marketplace',
    exclVatCents: invoice.exclVatCents,
    vatCents: invoice.vatCents,
    totalCents: invoice.totalCents,
  });
  expect(note.number).toMatch(/^CN-marketplace-\d{4}-\d{6}$/);
  return note;
}

/** The opening refused for a barred customer (DIA-7), with the invoice that caused the bar. */
function expectBarredRefusal(res: { status: number; body: any }, invoiceNumber: string, cause: 'contested' | 'unpaid') {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body).toMatchObject({ reason: 'SupportBarred', rule: 'DIA-7', bar: { cause, invoiceNumber } });
  expect(res.body.detail).toContain(invoiceNumber);
}

describe('DIA-4: the support invoice', () => {
  it('DIA-4: due 30 days after issue, reminded on day 23, paid by card on day 29 with a receipt; paid once, never contested', async () => {
    const s = await newService();
    const { ticketId, view } = await invoicedTicket(s);
    const inv = view.invoice;
    // Issued at the moment of the diagnosis, in the marketplace's own series, 20.00 + 20 % VAT.
    expect(inv.issuedAt).toBe(view.diagnosis.at);
    expect(inv).toMatchObject({ exclVatCents: 2000, vatCents: 400, totalCents: 2400, currency: 'EUR', remindedAt: null });
    expect(inv.number).toMatch(/^INV-marketplace-\d{4}-\d{6}$/);
    expect(inv.dueAt).toBe(parisDaysAfter(inv.issuedAt, 30));
    expect(DateTime.fromISO(inv.dueAt).setZone(ZONE).toFormat('HH:mm:ss.SSS')).toBe(DateTime.fromISO(inv.issuedAt).setZone(ZONE).toFormat('HH:mm:ss.SSS'));
    expect(inv.reminderAt).toBe(parisDaysAfter(inv.issuedAt, 23));
    expect(view.amountDueCents).toBe(2400);
    const row = await sys.db.invoice.findUniqueOrThrow({ where: { id: inv.invoiceId } });
    expect(row).toMatchObject({ kind: 'invoice', number: inv.number, ticketId, customerId: s.customerId, totalCents: 2400 });
    expect(row.dueAt?.toISOString()).toBe(inv.dueAt);

    // Day 23 minus a minute: no reminder yet.
    await sleepUntil(inv.reminderAt, -MINUTE);
    expect((await waitTicket(env.client, ticketId, () => true)).invoice!.remindedAt).toBeNull();
    expect(await email(ticketId, 'payment_reminder')).toBeNull();

    // Day 23: the reminder goes out, naming the invoice.
    await sleepUntil(inv.reminderAt, 5_000);
    const reminded = await waitTicket(env.client, ticketId, (x) => x.invoice?.remindedAt !== null, 'reminder sent');
    expect(Date.parse(reminded.invoice!.remindedAt!)).toBeGreaterThanOrEqual(Date.parse(inv.reminderAt));
    expect(Date.parse(reminded.invoice!.remindedAt!)).toBeLessThan(Date.parse(inv.reminderAt) + MINUTE);
    expect(reminded.status).toBe('awaiting_payment');
    const reminder = await emailWritten(ticketId, 'payment_reminder');
    expect(reminder.subject).toContain(inv.number);

    // Day 29: paid by card, the invoice's total captured, a receipt e-mailed.
    await sleepUntil(parisDaysAfter(inv.issuedAt, 29));
    const paid = await pay(ticketId, s);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', amountDueCents: 0, payment: { amountCents: 2400 } });
    const payment = await sys.db.supportPayment.findUniqueOrThrow({ where: { id: paid.body.payment.paymentId } });
    expect(payment).toMatchObject({ ticketId, invoiceId: inv.invoiceId, customerId: s.customerId, status: 'captured', amountCents: inv.totalCents });
    const receipt = await emailWritten(ticketId, 'paid');
    expect(receipt.subject).toContain(inv.number);

    // Paid once: a second payment is refused, and a paid invoice cannot be contested (DIA-5).
    const cards = await sys.db.paymentCard.count({ where: { customerId: s.customerId } });
    const again = await pay(ticketId, s);
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect.soft(again.body.reason).toBe('AlreadyPaid');
    // api/ticket-payment.ts: "a card the workflow refuses (nothing to pay, closed) is removed again".
    expect.soft(await sys.db.paymentCard.count({ where: { customerId: s.customerId } })).toBe(cards);
    const contested = await contest(ticketId, s);
    expect(contested.status, JSON.stringify(contested.body)).toBe(409);
    expect(await sys.db.supportPayment.count({ where: { ticketId, status: 'captured' } })).toBe(1);
    expect(await sys.db.supportBar.findUnique({ where: { customerId: s.customerId } })).toBeNull();
  });

  it('DIA-4: a declined card is refused with the reason, the invoice stays due, and a good card then pays it', async () => {
    const s = await newService();
    const { ticketId, view } = await invoicedTicket(s);

    const declined = await pay(ticketId, s, DECLINED_CARD);
    expect(declined.status, JSON.stringify(declined.body)).toBe(422);
    expect(declined.body.reason).toBe('PaymentDeclined');
    const after = await getTicket(ticketId, s.customerKey);
    expect(after.body).toMatchObject({ status: 'awaiting_payment', payment: null, amountDueCents: 2400 });
    expect(after.body.paymentAttempts).toEqual([expect.objectContaining({ code: 'card_declined' })]);
    expect(await sys.db.supportPayment.findMany({ where: { ticketId }, select: { status: true } })).toEqual([{ status: 'declined' }]);

    const paid = await pay(ticketId, s);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', payment: { amountCents: view.invoice.totalCents } });
    expect(await sys.db.supportPayment.count({ where: { ticketId, status: 'captured', amountCents: view.invoice.totalCents } })).toBe(1);
  });
});

describe('DIA-6: unpaid on the due date', () => {
  it('DIA-6: unpaid at 30 days counts as contested: credit note, support bar; the subscription still renews; DIA-7: the next opening is refused', async () => {
    const s = await newService();
    const { ticketId, view } = await invoicedTicket(s);
    const inv = view.invoice;

    await sleepUntil(inv.dueAt, -MINUTE);
    expect((await waitTicket(env.client, ticketId, () => true)).status).toBe('awaiting_payment');
    expect(await sys.db.supportBar.findUnique({ where: { customerId: s.customerId } })).toBeNull();

    await sleepUntil(inv.dueAt, 5_000);
    const contested = await waitTicket(env.client, ticketId, (x) => x.status === 'contested', 'contested when unpaid');
    expect(contested.contest).toMatchObject({ cause: 'unpaid', at: inv.dueAt });
    expect(contested.payment).toBeNull();
    await expectCreditNoteOf(contested.contest!.creditNoteId, inv.invoiceId);
    expect(await sys.db.supportBar.findUnique({ where: { customerId: s.customerId } })).toMatchObject({
      cause: 'unpaid',
      ticketId,
      invoiceId: inv.invoiceId,
      creditNoteId: contested.contest!.creditNoteId,
    });
    expect(await sys.db.supportPayment.count({ where: { ticketId } })).toBe(0);

    // DIA-5: services can still be used and renewed.
    const sub = await waitState(env.client, s.lineId, (x) => x.status === 'active');
    await sleepUntil(sub.nextDueAt!, MINUTE);
    const renewed = await waitState(env.client, s.lineId, (x) => x.paidPeriods > sub.paidPeriods, 'renewed after the bar');
    expect(renewed.status).toBe('active');

    const refused = await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body: openTicketBody(s, 'incident') });
    expectBarredRefusal(refused, inv.number, 'unpaid');
  });
});

describe('DIA-5: contesting the invoice', () => {
  /** A second service of the same customer: its row and named contact are what an opening checks. */
  async function secondService(s: SupportedService): Promise<SupportedService> {
    const lineId = `${s.lineId}_2`;
    const offer = DEMO.offers.initechWiki;
    await sys.db.subscription.create({
      data: { id: lineId, orderId: s.orderId, customerId: s.customerId, sellerId: offer.sellerId, offerId: offer.id, status: 'active', renewalMode: 'auto', nextDueAt: new Date(Date.now() + 30 * DAY), cardLast4: '4242', paidPeriods: 1, startedAt: new Date() },
    });
    const contact = await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/support-contacts`, { key: s.customerKey, body: { name: 'Second Contact', email: `contact-${lineId}@example.test` } });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    return { ...s, lineId, contactId: contact.body.contactId };
  }

  it("DIA-5: contested before payment: credit note, nothing paid, no support any more (shown to the customer and staff), the customer's other open tickets closed with the reason", async () => {
    const s = await newService();
    const question = await openTicketAs(sys, s, 'support');
    expect(question.status).toBe('awaiting_support');
    const { ticketId, view } = await invoicedTicket(s);
    const inv = view.invoice;

    const res = await contest(ticketId, s);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'contested', amountDueCents: 0, payment: null, contest: { cause: 'contested' } });
    expect(res.body.closeReason).toContain('DIA-5');
    await expectCreditNoteOf(res.body.contest.creditNoteId, inv.invoiceId);
    expect(await sys.db.supportPayment.count({ where: { customerId: s.customerId } })).toBe(0);
    expect(await email(ticketId, 'contested')).not.toBeNull();

    const bar = { cause: 'contested', rule: 'DIA-5', ticketId, invoiceId: inv.invoiceId, invoiceNumber: inv.number, creditNoteNumber: res.body.contest.creditNoteNumber };
    const mine = await http(sys.apiUrl, 'GET', '/me/support', { key: s.customerKey });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ customerId: s.customerId, barred: true, bar });
    const staff = await http(sys.apiUrl, 'GET', `/customers/${s.customerId}/support`, { key: DEMO_KEYS.support });
    expect(staff.status).toBe(200);
    expect(staff.body).toMatchObject({ customerId: s.customerId, barred: true, bar });

    // The open support ticket closes, saying why.
    const closed = await waitTicket(env.client, question.ticketId, (x) => x.status === 'closed', 'support ticket closed by the bar');
    expect(closed.closeReason).toContain('DIA-5');
    expect(closed.closeReason).toContain(inv.number);
    await eventually(async () => (await sys.db.ticket.findUniqueOrThrow({ where: { id: question.ticketId } })).status === 'closed', 20_000, 'closed ticket row');

    // No support at all, on any of the customer's services (DIA-7); the services keep running.
    expectBarredRefusal(await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body: openTicketBody(s, 'incident') }), inv.number, 'contested');
    expectBarredRefusal(await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body: openTicketBody(s, 'support') }), inv.number, 'contested');
    const other = await secondService(s);
    expectBarredRefusal(await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body: openTicketBody(other, 'support') }), inv.number, 'contested');
    expect((await waitState(env.client, s.lineId, () => true)).status).toBe('active');
  });
});

describe('DIA-7: a barred customer cannot open a ticket', () => {
  it('DIA-7: the refusal gives the reason, the rule and the invoice; nothing is written', async () => {
    const s = await newService();
    const { ticketId, view } = await invoicedTicket(s);
    expect((await contest(ticketId, s)).status).toBe(200);
    const ticketsBefore = await sys.db.ticket.count({ where: { customerId: s.customerId } });
    const quotaBefore = (await http(sys.apiUrl, 'GET', `/subscriptions/${s.lineId}/support`, { key: s.customerKey })).body.quota.used;

    const body = openTicketBody(s, 'incident');
    const refused = await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body });
    expectBarredRefusal(refused, view.invoice.number, 'contested');
    expect(refused.body.bar).toMatchObject({ ticketId, invoiceId: view.invoice.invoiceId, creditNoteNumber: expect.stringMatching(/^CN-/) });

    // No ticket row, message, workflow or quota use for the refused request.
    const refusedId = ticketIdOf(s.customerId, body.requestId);
    expect(await sys.db.ticket.findUnique({ where: { id: refusedId } })).toBeNull();
    expect(await sys.db.ticketMessage.count({ where: { ticketId: refusedId } })).toBe(0);
    expect(await sys.db.ticket.count({ where: { customerId: s.customerId } })).toBe(ticketsBefore);
    await expect(env.client.workflow.getHandle(ticketWorkflowId(refusedId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await http(sys.apiUrl, 'GET', `/subscriptions/${s.lineId}/support`, { key: s.customerKey })).body.quota.used).toBe(quotaBefore);
  });
});
