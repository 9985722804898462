// The signed links of e-mails (api/signed-links.ts) and the dates e-mails show
// (domain/time-format.ts), as pure functions: what a token binds, and how a date reads. Then the
// support invoice's payment link (DIA-4) through the API (api/routes/links.ts), on a ticket billed
// by its workflow: what its page shows, that only its form pays, and how a bad link is refused.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { checkLink, deletionLinkSubject, LINK_PURPOSES, parseDeletionLinkSubject, signLink, windowEnd } from '../api/signed-links';
import { formatDate, formatDateTime, withArticle, zoneLabel } from '../domain/time-format';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import type { TestSystem } from './support/system';
import { openTicketAs, supportedService, ticketCommand, waitTicket } from './support/tickets';

const later = new Date(Date.now() + 3_600_000);

describe('signed links', () => {
  it('X-6: a link opens the page of its purpose on its subject, until its expiry, and nothing else', () => {
    for (const purpose of LINK_PURPOSES) {
      const token = signLink(purpose, 'order:ord_a:checkout:sel_acme', later);
      expect(checkLink(purpose, token)).toEqual({ status: 'valid', subject: 'order:ord_a:checkout:sel_acme', expiresAt: new Date(Math.floor(later.getTime() / 1000) * 1000) });
      for (const other of LINK_PURPOSES.filter((p) => p !== purpose)) expect(checkLink(other, token).status).toBe('invalid');
    }
  });

  it('X-6: a changed subject, expiry or signature is invalid; an expired link says so only when genuine', () => {
    const token = signLink('withdrawal', 'ord_a', later);
    const [subject, exp, sig] = token.split('.');
    const otherSubject = `${Buffer.from('ord_b').toString('base64url')}.${exp}.${sig}`;
    const longer = `${subject}.${Number(exp) + 86_400}.${sig}`;
    const flipped = `${subject}.${exp}.${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    for (const t of [otherSubject, longer, flipped, 'x', `${token}.x`, '']) expect(checkLink('withdrawal', t).status, t).toBe('invalid');
    const expired = signLink('withdrawal', 'ord_a', new Date(Date.now() - 1000));
    expect(checkLink('withdrawal', expired).status).toBe('expired');
    // At the instant of expiry the link no longer works.
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
    expect(checkLink('withdrawal', signLink('withdrawal', 'ord_a', at), at.getTime()).status).toBe('expired');
    expect(checkLink('withdrawal', signLink('withdrawal', 'ord_a', at), at.getTime() - 1).status).toBe('valid');
  });

  it('SUB-10: a deletion link names its request, and carries no code', () => {
    const subject = deletionLinkSubject('lin_abc_1', 3);
    expect(parseDeletionLinkSubject(subject)).toEqual({ subscriptionId: 'lin_abc_1', request: 3 });
    expect(parseDeletionLinkSubject('lin_abc_1')).toBeNull();
    expect(parseDeletionLinkSubject('ord_x:1')).toBeNull();
    const token = signLink('deletion-confirmation', subject, later);
    expect(Buffer.from(token.split('.')[0], 'base64url').toString()).toBe('lin_abc_1:3');
  });

  it('SUB-5, SUB-6: a window end given is the expiry; none given, seven days', () => {
    expect(windowEnd('2030-01-08T10:00:00.000Z').toISOString()).toBe('2030-01-08T10:00:00.000Z');
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(windowEnd(null, now).toISOString()).toBe('2030-01-08T00:00:00.000Z');
    expect(windowEnd('not a date', now).toISOString()).toBe('2030-01-08T00:00:00.000Z');
  });
});

describe('dates in e-mails', () => {
  it('SUB-7, SUB-11: dates read in Paris time, summer and winter, never as ISO UTC', () => {
    expect(formatDateTime('2026-12-03T14:24:00.000Z', 'Europe/Paris')).toBe('3 December 2026, 15:24 (Paris time)');
    expect(formatDateTime('2026-07-03T14:24:00.000Z', 'Europe/Paris')).toBe('3 July 2026, 16:24 (Paris time)');
    // A due date at 00:30 in Paris is that day, not the UTC day before.
    expect(formatDate('2026-03-14T23:30:00.000Z', 'Europe/Paris')).toBe('15 March 2026');
    expect(formatDateTime(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('1 January 2026, 00:00 (UTC)');
    expect(zoneLabel('America/New_York')).toBe('New York time');
    expect(() => formatDateTime('nope')).toThrow();
  });

  it('SUB-11: an individual customer, a business customer', () => {
    expect(withArticle('individual')).toBe('an individual');
    expect(withArticle('business')).toBe('a business');
  });
});

describe('the support invoice payment link (DIA-4)', () => {
  let env: TestWorkflowEnvironment;
  let sys: TestSystem;
  useTestSystem('time-skipping', (e, s) => {
    env = e;
    sys = s;
  });

  const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  const FORM = { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' };
  const card = (number: string) => ({ number, expMonth: '12', expYear: '2030', cvc: '123' });

  /** An incident ticket whose fixed diagnostic is invoiced (2000 excl. VAT), and the token of the link its e-mail carries. */
  async function invoicedTicket() {
    const s = await supportedService(env.client, sys, { paidAt: new Date(await env.currentTimeMs()).toISOString() });
    const t = await openTicketAs(sys, s, 'incident');
    const consent = await ticketCommand(sys, t.ticketId, 'consent', { acceptedPriceCents: t.diagnostic.priceNowCents }, s.customerKey);
    expect(consent.status, JSON.stringify(consent.body)).toBe(200);
    const diagnosed = await ticketCommand(sys, t.ticketId, 'diagnosis', { outcome: 'fixed' });
    expect(diagnosed.body).toMatchObject({ status: 'awaiting_payment', invoice: { totalCents: 2400 } });
    const invoice = await sys.db.invoice.findUniqueOrThrow({ where: { id: `ticket:${t.ticketId}:invoice` } });
    // The outbox row is written at once (its delivery may wait for business hours, POL-5).
    const email = await eventually(async () => (await sys.db.email.findUnique({ where: { id: `ticket:${t.ticketId}:invoiced` } })) ?? undefined, 20_000, 'invoiced e-mail');
    const m = /\/links\/support-payment\/([A-Za-z0-9._-]+)/.exec(email.text);
    expect(m, email.text).not.toBeNull();
    return { s, ticketId: t.ticketId as string, invoice, token: m![1] };
  }

  const path = (token: string) => `/links/support-payment/${token}`;
  const browse = (p: string, init: RequestInit = {}) => fetch(`${sys.apiUrl}${p}`, { ...init, headers: { ...BROWSER, ...(init.headers ?? {}) } });
  const postForm = (p: string, body: Record<string, string>) => fetch(`${sys.apiUrl}${p}`, { method: 'POST', headers: FORM, body: new URLSearchParams(body).toString() });
  const payments = (ticketId: string) => sys.db.supportPayment.findMany({ where: { ticketId }, orderBy: { id: 'asc' } });

  it('DIA-4: the invoice e-mail links a page with the ticket, invoice number, amount incl. VAT, due date in Paris time and a card form; opening it pays nothing', async () => {
    const { s, ticketId, invoice, token } = await invoicedTicket();
    // The link names the ticket and works until the invoice's due date (then DIA-6 applies).
    expect(checkLink('support-payment', token)).toEqual({ status: 'valid', subject: ticketId, expiresAt: new Date(Math.floor(invoice.dueAt!.getTime() / 1000) * 1000) });
    const cardsBefore = await sys.db.paymentCard.count({ where: { customerId: s.customerId } });

    for (let i = 0; i < 2; i++) {
      const res = await browse(path(token));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(text).toContain(ticketId);
      expect(text).toContain(invoice.number);
      expect(text).toContain('24.00 EUR incl. VAT (20.00 EUR excl. VAT + 4.00 EUR VAT)');
      expect(text).toContain(formatDateTime(invoice.dueAt!, 'Europe/Paris'));
      expect(text).toMatch(/\(Paris time\)/);
      expect(text).toMatch(/<form method="post"[^>]*>[\s\S]*name="number"[\s\S]*name="cvc"[\s\S]*id="submit"/);
    }
    // Mail scanners open links: the GETs charged nothing, saved no card, and the ticket still awaits payment.
    expect(await payments(ticketId)).toEqual([]);
    expect(await sys.db.paymentCard.count({ where: { customerId: s.customerId } })).toBe(cardsBefore);
    expect(await waitTicket(env.client, ticketId, () => true)).toMatchObject({ status: 'awaiting_payment', payment: null, paymentAttempts: [] });
  });

  it('DIA-4: the form sent from the link pays the invoice by card, as the ticket\u2019s customer; the link then has nothing to pay', async () => {
    const { s, ticketId, invoice, token } = await invoicedTicket();
    const res = await postForm(path(token), card(TEST_CARDS.success));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(text).toContain(`invoice ${invoice.number} (24.00 EUR) is paid`);
    expect(text).toContain(`Ticket ${ticketId} is closed`);

    const state = await waitTicket(env.client, ticketId, (x) => x.status === 'paid');
    expect(state.payment).toMatchObject({ amountCents: 2400 });
    expect(await payments(ticketId)).toMatchObject([{ id: `ticket:${ticketId}:payment:1`, status: 'captured', amountCents: 2400, customerId: s.customerId, invoiceId: invoice.id }]);
    expect(await sys.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).toMatchObject({ status: 'paid' });

    // Paid: the page says so, with no form; a second payment is refused before any card is taken.
    const again = await browse(path(token));
    const page = await again.text();
    expect(again.status).toBe(409);
    expect(page).toContain('Nothing to pay');
    expect(page).toContain(`invoice ${invoice.number} was already paid on`);
    expect(page).not.toContain('<form');
    const api = await http(sys.apiUrl, 'POST', path(token), { body: card(TEST_CARDS.success) });
    expect(api.status).toBe(409);
    expect(api.contentType).toContain('application/problem+json');
    expect(api.body).toMatchObject({ status: 409, title: 'Nothing to pay', reason: 'NothingToPay' });
    expect(await payments(ticketId)).toHaveLength(1);
  });

  it('DIA-4: a declined card shows the form again with the reason to a browser, a 422 PaymentDeclined problem to an API client; a good card sent as JSON then pays', async () => {
    const { ticketId, invoice, token } = await invoicedTicket();
    const declined = await postForm(path(token), card(TEST_CARDS.declined));
    const page = await declined.text();
    expect(declined.status).toBe(422);
    expect(declined.headers.get('content-type')).toContain('text/html');
    expect(page).toMatch(/id="error"[^>]*>the payment was declined \(The card was declined\.\); invoice /);
    expect(page).toContain(invoice.number);
    expect(page).toContain('<form method="post"');

    const api = await http(sys.apiUrl, 'POST', path(token), { body: card(TEST_CARDS.insufficientFunds) });
    expect(api.status).toBe(422);
    expect(api.contentType).toContain('application/problem+json');
    expect(api.body).toMatchObject({ status: 422, reason: 'PaymentDeclined' });
    expect(api.body.detail).toContain('Insufficient funds on the card.');
    expect(await waitTicket(env.client, ticketId, () => true)).toMatchObject({ status: 'awaiting_payment', payment: null, paymentAttempts: [{ code: 'card_declined' }, { code: 'insufficient_funds' }] });
    expect((await payments(ticketId)).map((p) => p.status)).toEqual(['declined', 'declined']);

    const paid = await http(sys.apiUrl, 'POST', path(token), { body: card(TEST_CARDS.success) });
    expect(paid.status).toBe(200);
    expect(paid.contentType).toContain('text/html');
    expect(paid.body).toContain(`invoice ${invoice.number} (24.00 EUR) is paid`);
    await waitTicket(env.client, ticketId, (x) => x.status === 'paid');
    expect((await payments(ticketId)).map((p) => p.status)).toEqual(['declined', 'declined', 'captured']);
  });

  it('X-6: a support-payment link altered, made for another ticket or page, or expired is refused: a page to a browser, a problem to an API client; nothing is paid', async () => {
    const { ticketId, token } = await invoicedTicket();
    const [subject, exp, sig] = token.split('.');
    const flipped = `${subject}.${exp}.${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    const otherTicket = `${Buffer.from('tkt_someone_else').toString('base64url')}.${exp}.${sig}`;
    const longer = `${subject}.${Number(exp) + 86_400}.${sig}`;
    const cases: [string, number, string][] = [
      [path(flipped), 404, 'Link not valid'],
      [path(otherTicket), 404, 'Link not valid'],
      [path(longer), 404, 'Link not valid'],
      // A link of the same ticket for another page, and this link on another page.
      [path(signLink('document', ticketId, new Date(Date.now() + 3_600_000))), 404, 'Link not valid'],
      [`/links/card-update/${token}`, 404, 'Link not valid'],
      [path(signLink('support-payment', ticketId, new Date(Date.now() - 60_000))), 410, 'Link expired'],
    ];
    for (const [p, status, title] of cases) {
      const page = await browse(p);
      const text = await page.text();
      expect(page.status, p).toBe(status);
      expect(page.headers.get('content-type'), p).toContain('text/html');
      expect(text, p).toContain(title);
      expect(text, p).not.toContain('<form');
      if (status === 410) expect(text).toMatch(/this link expired on \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d \(Paris time\)/);
      const posted = await postForm(p, card(TEST_CARDS.success));
      expect(posted.status, p).toBe(status);
      expect(posted.headers.get('content-type'), p).toContain('text/html');
      for (const method of ['GET', 'POST'] as const) {
        const api = await http(sys.apiUrl, method, p, method === 'POST' ? { body: card(TEST_CARDS.success) } : {});
        expect(api.status, `${method} ${p}`).toBe(status);
        expect(api.contentType).toContain('application/problem+json');
        expect(api.body).toMatchObject({ status, title, errors: [{ field: 'params.token' }] });
      }
    }
    expect(await payments(ticketId)).toEqual([]);
    expect(await waitTicket(env.client, ticketId, () => true)).toMatchObject({ status: 'awaiting_payment', payment: null });
  });
});
