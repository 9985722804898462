// The paid diagnostic of an incident ticket (DIA-1, DIA-2, DIA-3, DIA-8) on the time-skipping
// server: the price announced and consented to (and free before the promotion's end), every
// diagnosis outcome with the exact amounts billed, the quote and its 14-day boundary, who may do
// what, what GET /tickets/:id shows and the e-mails of each step.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { ticketWorkflowId } from '../workflows/ticket';
import { BusinessStatusKey, CustomerIdKey, TicketIdKey } from '../workflows/search-attributes';
import { useTestSystem } from './support/environments';
import { eventually, http, type HttpResponse } from './support/http';
import { DAY, MINUTE } from './support/subscriptions';
import { openTicketAs, supportedService, ticketCommand, waitTicket, type SupportedService } from './support/tickets';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const ZONE = 'Europe/Paris';
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
const WORK = { amountCents: 15_000, description: 'Rebuild the mail index' };

// --- helpers -----------------------------------------------------------------------------------

/** Moves the time-skipping clock to `atMs` (time only skips while the test sleeps). */
async function sleepUntil(atMs: number): Promise<void> {
  const ms = atMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/** A running basic-tier service (acmeMail) of a new customer, with an incident opened on it. */
async function openIncident(): Promise<{ s: SupportedService; t: any }> {
  const s = await supportedService(env.client, sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId: DEMO.offers.acmeMail.id });
  return { s, t: await openTicketAs(sys, s, 'incident') };
}

/** A command that must succeed: its answer is the ticket view. */
async function ok(res: Promise<HttpResponse>): Promise<any> {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const consent = (s: SupportedService, ticketId: string, acceptedPriceCents: number) => ticketCommand(sys, ticketId, 'consent', { acceptedPriceCents }, s.customerKey);
const diagnose = (ticketId: string, outcome: string, quote?: typeof WORK) => ticketCommand(sys, ticketId, 'diagnosis', quote ? { outcome, quote } : { outcome }, DEMO_KEYS.support);
const answerQuote = (s: SupportedService, ticketId: string, accept: boolean) => ticketCommand(sys, ticketId, 'quote', { accept }, s.customerKey);
const getTicket = (ticketId: string, key: string) => http(sys.apiUrl, 'GET', `/tickets/${ticketId}`, { key });

/** An incident consented to at the full price, then diagnosed with `outcome`. */
async function diagnosed(outcome: string, quote?: typeof WORK): Promise<{ s: SupportedService; t: any; view: any }> {
  const { s, t } = await openIncident();
  await ok(consent(s, t.ticketId, 2000));
  return { s, t, view: await ok(diagnose(t.ticketId, outcome, quote)) };
}

/** The support invoices (not credit notes) issued for a ticket. */
const invoicesOf = (ticketId: string) => sys.db.invoice.findMany({ where: { ticketId, kind: 'invoice' } });
const invoiceLines = (inv: { lines: string }) => (JSON.parse(inv.lines) as { exclVatCents: number; vatCents: number }[]).map((l) => [l.exclVatCents, l.vatCents]);

/** The outbox keys of a ticket's e-mails to the customer, without the `ticket:<id>:` prefix. */
async function emailKinds(ticketId: string): Promise<string[]> {
  const rows = await sys.db.email.findMany({ where: { id: { startsWith: `ticket:${ticketId}:` } } });
  return rows.map((r) => r.id.slice(`ticket:${ticketId}:`.length)).sort();
}

/** Whole days on the Paris calendar, as the workflow counts its deadlines. */
const plusParisDays = (iso: string, days: number) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(ZONE).plus({ days }).toMillis();

/** The promotion setting this file started with: every test ends with it back in place. */
const promotionAtStart = process.env.DIAGNOSTIC_FREE_UNTIL;
function restorePromotion(): void {
  if (promotionAtStart === undefined) delete process.env.DIAGNOSTIC_FREE_UNTIL;
  else process.env.DIAGNOSTIC_FREE_UNTIL = promotionAtStart;
}
// A test that times out leaves its body running (vitest does not cancel it), so its `finally`
// never runs in time: restoring here keeps one slow promotion test from giving every later ticket
// a free diagnostic.
afterEach(restorePromotion);

/** Runs `fn` with the promotion ending at `untilMs` (read at each opening), restoring the setting after. */
async function withPromotionUntil(untilMs: number, fn: () => Promise<void>): Promise<void> {
  process.env.DIAGNOSTIC_FREE_UNTIL = new Date(untilMs).toISOString();
  try {
    await fn();
  } finally {
    restorePromotion();
  }
}

function expectMarketplaceInvoice(inv: { sellerId: string; number: string }): void {
  expect(inv.sellerId).toBe('marketplace');
  expect(inv.number).toMatch(/^INV-marketplace-\d{4}-\d{6}$/);
}

// --- DIA-1 -------------------------------------------------------------------------------------

describe('DIA-1: the diagnostic price, announced and consented to', () => {
  it('DIA-1: opening announces 20.00 EUR excl. VAT and nothing starts before consent; consent records price, promotion, time and actor; a stale price is refused', async () => {
    const { s, t } = await openIncident();
    expect(t.status).toBe('awaiting_consent');
    expect(t.diagnostic).toMatchObject({ priceCents: 2000, priceNowCents: 2000, freeNow: false, currency: 'EUR', vatRateBp: 2000, freeUntil: null });
    expect(t.consent).toBeNull();
    expect(t.firstResponse.running).toBe(false);

    // Nothing starts before consent: support cannot diagnose yet.
    const early = await diagnose(t.ticketId, 'fixed');
    expect(early.status, JSON.stringify(early.body)).toBe(409);
    expect(early.body.reason).toBe('WrongTicketState');

    const stale = await consent(s, t.ticketId, 1500);
    expect(stale.status, JSON.stringify(stale.body)).toBe(422);
    expect(stale.body.reason).toBe('PriceChanged');
    expect((await ok(getTicket(t.ticketId, s.customerKey))).status).toBe('awaiting_consent');

    const before = await env.currentTimeMs();
    const c = await ok(consent(s, t.ticketId, 2000));
    expect(c.status).toBe('diagnosing');
    expect(c.consent).toMatchObject({ priceCents: 2000, promotion: false, by: `customer:${s.customerId}` });
    expect(Date.parse(c.consent.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(c.consent.at)).toBeLessThanOrEqual((await env.currentTimeMs()) + 1000);

    const audit = await sys.db.auditLog.findFirst({ where: { entityType: 'ticket', entityId: t.ticketId, action: 'ticket.consented' } });
    expect(audit).not.toBeNull();
    expect(audit!.workflowId).toBe(ticketWorkflowId(t.ticketId));
    expect(JSON.parse(audit!.data)).toMatchObject({ priceCents: 2000, promotion: false });
    expect(Math.abs(audit!.at.getTime() - Date.parse(c.consent.at))).toBeLessThan(5000);

    // A second consent is refused: the diagnostic already started.
    expect((await consent(s, t.ticketId, 2000)).status).toBe(409);
  });

  it("DIA-1 (X-4): the consent's audit row names the customer who consented as its actor", async () => {
    const { s, t } = await openIncident();
    await ok(consent(s, t.ticketId, 2000));
    const audit = await sys.db.auditLog.findFirstOrThrow({ where: { entityType: 'ticket', entityId: t.ticketId, action: 'ticket.consented' } });
    expect(audit.actor).toBe(`customer:${s.customerId}`);
  });

  it('DIA-1: free for a consent just before the promotion ends (nothing billed), 20.00 + 4.00 VAT for a consent at its end', async () => {
    const T = (await env.currentTimeMs()) + 2 * 3600_000;
    await withPromotionUntil(T, async () => {
      const early = await openIncident();
      const late = await openIncident();
      expect(early.t.diagnostic).toMatchObject({ priceCents: 2000, priceNowCents: 0, freeNow: true, freeUntil: new Date(T).toISOString() });

      // T − 1 min: still free.
      await sleepUntil(T - MINUTE);
      expect((await ok(getTicket(early.t.ticketId, early.s.customerKey))).diagnostic).toMatchObject({ priceNowCents: 0, freeNow: true });
      const free = await ok(consent(early.s, early.t.ticketId, 0));
      expect(free.consent).toMatchObject({ priceCents: 0, promotion: true });

      // At T: the full price; the free price read before is refused.
      await sleepUntil(T);
      const stale = await consent(late.s, late.t.ticketId, 0);
      expect(stale.status, JSON.stringify(stale.body)).toBe(422);
      expect(stale.body.reason).toBe('PriceChanged');
      const paid = await ok(consent(late.s, late.t.ticketId, 2000));
      expect(paid.consent).toMatchObject({ priceCents: 2000, promotion: false });
      expect(Date.parse(paid.consent.at)).toBeGreaterThanOrEqual(T);

      // Fixed: the free diagnostic bills nothing, the other one exactly 20.00 + 4.00.
      const freeFixed = await ok(diagnose(early.t.ticketId, 'fixed'));
      expect(freeFixed.status).toBe('closed');
      expect(freeFixed.invoice).toBeNull();
      expect(freeFixed.amountDueCents).toBe(0);
      expect(await invoicesOf(early.t.ticketId)).toHaveLength(0);

      const paidFixed = await ok(diagnose(late.t.ticketId, 'fixed'));
      expect(paidFixed.status).toBe('awaiting_payment');
      expect(paidFixed.invoice).toMatchObject({ exclVatCents: 2000, vatCents: 400, totalCents: 2400 });
      const [inv] = await invoicesOf(late.t.ticketId);
      expect([inv.exclVatCents, inv.vatCents, inv.totalCents]).toEqual([2000, 400, 2400]);
    });
  });

  it("DIA-1 (DIA-8): once the promotion has ended, the ticket shows the full price, with no other event in between", async () => {
    const T = (await env.currentTimeMs()) + 3600_000;
    await withPromotionUntil(T, async () => {
      const { s, t } = await openIncident();
      expect(t.diagnostic).toMatchObject({ priceNowCents: 0, freeNow: true });
      await sleepUntil(T + 1000);
      // What GET shows is what the customer consents to (diagnostic.priceNowCents).
      const shown = await ok(getTicket(t.ticketId, s.customerKey));
      expect(shown.diagnostic).toMatchObject({ priceNowCents: 2000, freeNow: false });
      expect((await consent(s, t.ticketId, shown.diagnostic.priceNowCents)).status).toBe(200);
    });
  });
});

// --- DIA-2 -------------------------------------------------------------------------------------

describe('DIA-2: every diagnosis outcome, with the exact amounts billed', () => {
  it.each(['provider_fault', 'no_quote'])('DIA-2: %s closes the ticket with nothing billed', async (outcome) => {
    const { t, view } = await diagnosed(outcome);
    expect(view.status).toBe('closed');
    expect(view.diagnosis).toMatchObject({ outcome, by: expect.stringMatching(/^staff:/) });
    expect(view.billed).toEqual([]);
    expect(view.invoice).toBeNull();
    expect(view.amountDueCents).toBe(0);
    expect(await invoicesOf(t.ticketId)).toHaveLength(0);
    expect(await sys.db.ticket.findUniqueOrThrow({ where: { id: t.ticketId } })).toMatchObject({ status: 'closed', invoiceId: null });
    expect(await emailKinds(t.ticketId)).toContain('diagnosed');
  });

  it("DIA-2: fixed bills the diagnostic alone, 20.00 + 4.00 VAT = 24.00, in the marketplace's name", async () => {
    const { t, view } = await diagnosed('fixed');
    expect(view.status).toBe('awaiting_payment');
    expect(view.billed).toEqual([expect.objectContaining({ exclVatCents: 2000 })]);
    expect(view.invoice).toMatchObject({ exclVatCents: 2000, vatCents: 400, totalCents: 2400, currency: 'EUR' });
    expect(view.amountDueCents).toBe(2400);
    const invoices = await invoicesOf(t.ticketId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ id: `ticket:${t.ticketId}:invoice`, exclVatCents: 2000, vatCents: 400, totalCents: 2400 });
    expectMarketplaceInvoice(invoices[0]);
    expect(invoiceLines(invoices[0])).toEqual([[2000, 400]]);
  });

  it('DIA-2: quote leaves the ticket awaiting the answer, with its amount and description', async () => {
    const { t, view } = await diagnosed('quote', WORK);
    expect(view.status).toBe('quote_pending');
    expect(view.quote).toMatchObject({ ...WORK, answer: null, answeredAt: null });
    expect(view.invoice).toBeNull();
    expect(view.amountDueCents).toBe(0);
    expect(view.nextDeadline).toMatchObject({ rule: 'DIA-3', at: view.quote.expiresAt });
    expect(await invoicesOf(t.ticketId)).toHaveLength(0);
  });
});

// --- DIA-3 -------------------------------------------------------------------------------------

describe('DIA-3: the quote', () => {
  it('DIA-3: accepted, the work starts at once with no payment; work done invoices diagnostic and work together (170.00 + 34.00 VAT)', async () => {
    const { s, t } = await diagnosed('quote', WORK);
    const accepted = await ok(answerQuote(s, t.ticketId, true));
    expect(accepted.status).toBe('work_in_progress');
    expect(accepted.quote).toMatchObject({ answer: 'accepted' });
    expect(accepted.amountDueCents).toBe(0);
    expect(await sys.db.supportPayment.count({ where: { ticketId: t.ticketId } })).toBe(0);
    expect(await invoicesOf(t.ticketId)).toHaveLength(0);

    // A quote is answered once.
    const again = await answerQuote(s, t.ticketId, false);
    expect(again.status, JSON.stringify(again.body)).toBe(409);

    const done = await ok(ticketCommand(sys, t.ticketId, 'work-done', {}, DEMO_KEYS.support));
    expect(done.status).toBe('awaiting_payment');
    expect(done.invoice).toMatchObject({ exclVatCents: 17_000, vatCents: 3400, totalCents: 20_400 });
    expect(done.amountDueCents).toBe(20_400);
    const invoices = await invoicesOf(t.ticketId);
    expect(invoices).toHaveLength(1);
    expect(invoiceLines(invoices[0])).toEqual([
      [2000, 400],
      [15_000, 3000],
    ]);
    expect([invoices[0].exclVatCents, invoices[0].vatCents, invoices[0].totalCents]).toEqual([17_000, 3400, 20_400]);
    expectMarketplaceInvoice(invoices[0]);
  });

  it('DIA-3: declined, only the diagnostic is billed (24.00), and the answer cannot change', async () => {
    const { s, t } = await diagnosed('quote', WORK);
    const declined = await ok(answerQuote(s, t.ticketId, false));
    expect(declined.status).toBe('awaiting_payment');
    expect(declined.quote).toMatchObject({ answer: 'declined' });
    expect(declined.invoice).toMatchObject({ exclVatCents: 2000, vatCents: 400, totalCents: 2400 });
    const invoices = await invoicesOf(t.ticketId);
    expect(invoices).toHaveLength(1);
    expect(invoiceLines(invoices[0])).toEqual([[2000, 400]]);
    expect((await answerQuote(s, t.ticketId, true)).status).toBe(409);
  });

  it('DIA-3: unanswered, still pending at 13d23h59, counted as declined at 14d00h00 with the diagnostic billed', async () => {
    const { s, t, view } = await diagnosed('quote', WORK);
    const expiresAt = plusParisDays(view.quote.at, 14);
    expect(Date.parse(view.quote.expiresAt)).toBe(expiresAt);

    await sleepUntil(expiresAt - MINUTE);
    const pending = await ok(getTicket(t.ticketId, s.customerKey));
    expect(pending.status).toBe('quote_pending');
    expect(pending.quote.answer).toBeNull();
    expect(await invoicesOf(t.ticketId)).toHaveLength(0);

    await sleepUntil(expiresAt + 5000);
    const expired = await waitTicket(env.client, t.ticketId, (x) => x.status === 'awaiting_payment', 'quote expired');
    expect(expired.quote).toMatchObject({ answer: 'expired', answeredAt: new Date(expiresAt).toISOString() });
    expect(expired.invoice).toMatchObject({ exclVatCents: 2000, vatCents: 400, totalCents: 2400 });
    expect(await invoicesOf(t.ticketId)).toHaveLength(1);
    // Too late to answer now.
    expect((await answerQuote(s, t.ticketId, true)).status).toBe(409);
  });
});

// --- DIA-8 and X-6 -----------------------------------------------------------------------------

describe('DIA-8: who may do what, what a ticket shows, the e-mails', () => {
  it('DIA-8 (X-6): the customer cannot diagnose; support cannot consent, pay or contest; another customer and the seller cannot read an incident', async () => {
    const { s, t } = await openIncident();
    expect(s.sellerId).toBe(DEMO.sellers.acme.id);
    expect((await ticketCommand(sys, t.ticketId, 'consent', { acceptedPriceCents: 2000 }, DEMO_KEYS.support)).status).toBe(403);
    await ok(consent(s, t.ticketId, 2000));
    expect((await ticketCommand(sys, t.ticketId, 'diagnosis', { outcome: 'fixed' }, s.customerKey)).status).toBe(403);
    await ok(diagnose(t.ticketId, 'fixed'));

    // Awaiting payment: only the customer pays or contests.
    expect((await ticketCommand(sys, t.ticketId, 'pay', { card: CARD }, DEMO_KEYS.support)).status).toBe(403);
    expect((await ticketCommand(sys, t.ticketId, 'contest', { reason: 'not mine' }, DEMO_KEYS.support)).status).toBe(403);
    expect((await getTicket(t.ticketId, DEMO_KEYS.customer)).status).toBe(403);
    expect((await ticketCommand(sys, t.ticketId, 'pay', { card: CARD }, DEMO_KEYS.customer)).status).toBe(403);
    expect((await getTicket(t.ticketId, DEMO_KEYS.sellerAcme)).status).toBe(403);
    // Nothing of it happened: still due, nothing charged, nothing contested.
    const view = await ok(getTicket(t.ticketId, DEMO_KEYS.support));
    expect(view).toMatchObject({ status: 'awaiting_payment', amountDueCents: 2400, payment: null, contest: null });
    expect(await sys.db.supportPayment.count({ where: { ticketId: t.ticketId } })).toBe(0);
  });

  it('DIA-8: a closed ticket takes no command', async () => {
    const { s, t } = await diagnosed('provider_fault');
    for (const [path, body, key] of [
      ['consent', { acceptedPriceCents: 2000 }, s.customerKey],
      ['diagnosis', { outcome: 'fixed' }, DEMO_KEYS.support],
      ['quote', { accept: true }, s.customerKey],
      ['work-done', {}, DEMO_KEYS.support],
      ['pay', { card: CARD }, s.customerKey],
      ['contest', { reason: 'too late' }, s.customerKey],
      ['close', { reason: 'again' }, s.customerKey],
    ] as const) {
      const r = await ticketCommand(sys, t.ticketId, path, body, key);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(409);
    }
    expect((await ok(getTicket(t.ticketId, s.customerKey))).status).toBe('closed');
    expect(await invoicesOf(t.ticketId)).toHaveLength(0);
  });

  it('DIA-8: GET /tickets/:id shows status, prices, amount due, the invoice with its due date and the next deadline with its rule', async () => {
    const { s, t } = await openIncident();
    const opened = await ok(getTicket(t.ticketId, s.customerKey));
    expect(opened).toMatchObject({ status: 'awaiting_consent', amountDueCents: 0, invoice: null, diagnostic: { priceCents: 2000, priceNowCents: 2000 } });
    await ok(consent(s, t.ticketId, 2000));
    await ok(diagnose(t.ticketId, 'quote', WORK));

    const quoted = await ok(getTicket(t.ticketId, s.customerKey));
    expect(quoted).toMatchObject({ status: 'quote_pending', amountDueCents: 0, quote: WORK, nextDeadline: { rule: 'DIA-3', at: quoted.quote.expiresAt } });

    await ok(answerQuote(s, t.ticketId, true));
    await ok(ticketCommand(sys, t.ticketId, 'work-done', {}, DEMO_KEYS.support));
    const due = await ok(getTicket(t.ticketId, s.customerKey));
    expect(due).toMatchObject({
      status: 'awaiting_payment',
      consent: { priceCents: 2000, promotion: false },
      billed: [{ exclVatCents: 2000 }, { exclVatCents: 15_000 }],
      amountDueCents: 20_400,
      invoice: { exclVatCents: 17_000, vatCents: 3400, totalCents: 20_400 },
    });
    // DIA-4: due 30 days after issue, reminded 7 days before: the reminder is the next deadline.
    expect(Date.parse(due.invoice.dueAt)).toBe(plusParisDays(due.invoice.issuedAt, 30));
    expect(Date.parse(due.invoice.reminderAt)).toBe(plusParisDays(due.invoice.dueAt, -7));
    expect(due.nextDeadline).toMatchObject({ rule: 'DIA-4', at: due.invoice.reminderAt });
    const [inv] = await invoicesOf(t.ticketId);
    expect(inv.dueAt?.toISOString()).toBe(due.invoice.dueAt);
    // Support staff read the same ticket.
    expect(await ok(getTicket(t.ticketId, DEMO_KEYS.support))).toMatchObject({ status: 'awaiting_payment', amountDueCents: 20_400 });

    const paid = await ok(ticketCommand(sys, t.ticketId, 'pay', { card: CARD }, s.customerKey));
    expect(paid).toMatchObject({ status: 'paid', amountDueCents: 0, payment: { amountCents: 20_400 } });
    expect(await ok(getTicket(t.ticketId, s.customerKey))).toMatchObject({ status: 'paid', amountDueCents: 0, nextDeadline: null });
  });

  it('DIA-8: a command that closes the ticket answers with no deadline left', async () => {
    const fault = await diagnosed('provider_fault');
    expect(fault.view).toMatchObject({ status: 'closed', nextDeadline: null });

    const { s, t } = await diagnosed('fixed');
    expect((await ok(getTicket(t.ticketId, s.customerKey))).nextDeadline).toMatchObject({ rule: 'DIA-4' });
    const paid = await ok(ticketCommand(sys, t.ticketId, 'pay', { card: CARD }, s.customerKey));
    expect(paid).toMatchObject({ status: 'paid', nextDeadline: null });
  });

  it('DIA-8: each step of a ticket is e-mailed to the named contact (outbox)', async () => {
    const { s, t } = await openIncident();
    const contact = `contact-${s.lineId}@example.test`;
    const kinds = async () => emailKinds(t.ticketId);
    // The workflow answers the opening before it writes the e-mail.
    await eventually(async () => (await kinds()).includes('opened'), 20_000, 'opened e-mail');
    expect(await kinds()).toEqual(['opened']);
    await ok(consent(s, t.ticketId, 2000));
    await ok(diagnose(t.ticketId, 'quote', WORK));
    await ok(answerQuote(s, t.ticketId, true));
    await ok(ticketCommand(sys, t.ticketId, 'work-done', {}, DEMO_KEYS.support));
    await ok(ticketCommand(sys, t.ticketId, 'pay', { card: CARD }, s.customerKey));
    expect(await kinds()).toEqual(['consented', 'invoiced', 'opened', 'paid', 'quote', 'quote_accepted']);

    const mail = async (kind: string) => sys.db.email.findUniqueOrThrow({ where: { id: `ticket:${t.ticketId}:${kind}` } });
    for (const kind of ['opened', 'consented', 'quote', 'quote_accepted', 'invoiced', 'paid']) {
      expect((await mail(kind)).toAddress, kind).toBe(contact);
    }
    expect((await mail('opened')).text).toContain('20.00 EUR excl. VAT');
    expect((await mail('consented')).text).toContain('20.00 EUR excl. VAT');
    expect((await mail('quote')).text).toContain(`${WORK.description}, 150.00 EUR excl. VAT`);
    const [inv] = await invoicesOf(t.ticketId);
    expect((await mail('invoiced')).text).toContain(`Invoice ${inv.number}`);
    expect((await mail('invoiced')).text).toContain('204.00 EUR incl. VAT');
  });

  it("DIA-8: the ticket's workflow carries TicketId, CustomerId, BusinessStatus and a summary for the Temporal UI", async () => {
    const { s, t } = await openIncident();
    await ok(consent(s, t.ticketId, 2000));
    const description = await env.client.workflow.getHandle(ticketWorkflowId(t.ticketId)).describe();
    expect(description.typedSearchAttributes.get(TicketIdKey)).toBe(t.ticketId);
    expect(description.typedSearchAttributes.get(CustomerIdKey)).toBe(s.customerId);
    expect(description.typedSearchAttributes.get(BusinessStatusKey)).toBe('diagnosing');
    // The customer by id, never by name: no personal data in Temporal (ACC-3).
    expect(await description.staticSummary()).toBe(`Incident ticket ${t.ticketId} · Acme Mail Pro · customer ${s.customerId}`);
  });
});
