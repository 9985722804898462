// The links e-mails carry, opened as a customer opens them: the link is read from the message the
// embedded SMTP server received, opened in Chromium (no API key: the signed link is the proof),
// the page's form is filled and sent, and the result page is read; the effect is then checked
// through the API and the database. Refused links (expired, altered) answer a readable page to the
// browser and a problem document to an API client. On the shared Temporal dev server, real timing.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../api/signed-links';
import { formatDateTime } from '../domain/time-format';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO } from '../prisma/demo-data';
import { launchBrowser, type TestBrowser } from './support/browser';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { emailSent, linesAwaitingValidation, placeOrder } from './support/orders';
import { seedPaidLine, startSubscription, waitState } from './support/subscriptions';
import type { TestSystem } from './support/system';
import { openTicketAs, supportedService, ticketCommand, waitTicket } from './support/tickets';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
let browser: TestBrowser;

useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** The links of an e-mail point at PUBLIC_URL; the test system's API listens elsewhere. */
const PUBLIC_URL = 'http://api.test';

/** The signed link of `purpose` in a received message, as a URL of the API under test. */
function linkIn(text: string, purpose: string): string {
  const m = new RegExp(`(https?://[^\\s/]+)(/links/${purpose}/[A-Za-z0-9._-]+)`).exec(text);
  expect(m, `no ${purpose} link in:\n${text}`).not.toBeNull();
  expect(m![1]).toBe(PUBLIC_URL);
  return `${sys.apiUrl}${m![2]}`;
}

/** The text of the message with this outbox key, as the SMTP server received it. */
async function received(emailId: string, timeoutMs = 30_000): Promise<string> {
  const mail = await emailSent(sys.db, emailId, timeoutMs);
  return mail.received[0].text ?? '';
}

async function open(url: string): Promise<{ page: Page; status: number }> {
  const page = await browser.context.newPage();
  const res = await page.goto(url);
  return { page, status: res!.status() };
}

/** Submits the page's form and waits for the page it answers. */
async function submit(page: Page): Promise<number> {
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  return res!.status();
}

describe('links in e-mails, opened in a browser', () => {
  it('INV-1: the invoice e-mail links the PDF; opened in the browser, it downloads the document without an API key', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    const invoice = await eventually(async () => (await sys.db.invoice.findFirst({ where: { orderId: order.orderId, kind: 'invoice' } })) ?? undefined, 20_000, 'checkout invoice');
    const text = await received(`invoice:${invoice.id}:email`);
    expect(text).not.toContain('/invoices/'); // no API route that needs a key
    expect(text).toMatch(/issued on \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d \(Paris time\)/);
    const page = await browser.context.newPage();
    const [download] = await Promise.all([page.waitForEvent('download'), page.goto(linkIn(text, 'document')).catch(() => undefined)]);
    expect(download.suggestedFilename()).toBe(`${invoice.number}.pdf`);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    // The same document the customer downloads through the API.
    const viaApi = await fetch(`${sys.apiUrl}/invoices/${encodeURIComponent(invoice.id)}/pdf`, { headers: { authorization: `Bearer ${order.customerApiKey}` } });
    expect(viaApi.status).toBe(200);
    expect(bytes.length).toBeGreaterThan(500);
    await page.close();
  });

  it('SUB-5: the declined-renewal e-mail links a card form; the new card is saved and the overdue period charged at once', async () => {
    // Paid a year ago (annual: no month-end clamp), so the renewal falls due in a few seconds, on a declining card.
    const dueAt = DateTime.now().setZone('Europe/Paris').plus({ seconds: 4 });
    const line = await seedPaidLine(sys, { paidAt: dueAt.minus({ years: 1 }).toUTC().toISO()!, offerId: DEMO.offers.globexBackup.id, renewalCard: TEST_CARDS.declined });
    await startSubscription(env.client, sys, line);
    await waitState(env.client, line.lineId, (s) => s.status === 'past_due');
    const text = await received(`sub:${line.lineId}:period:2:payment-failed:1`);
    expect(text).toMatch(/without payment the service ends on \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d \(Paris time\)/);
    const url = linkIn(text, 'card-update');
    // The link names the subscription and nothing else (no card data).
    expect(Buffer.from(url.split('/').at(-1)!.split('.')[0], 'base64url').toString()).toBe(line.lineId);

    const { page, status } = await open(url);
    expect(status).toBe(200);
    expect(await page.textContent('main')).toContain('Globex Backup 1 TB');
    expect((await waitState(env.client, line.lineId, () => true)).status).toBe('past_due'); // opening the page changed nothing
    await page.fill('#number', TEST_CARDS.success);
    await page.fill('#expMonth', '12');
    await page.fill('#expYear', '2030');
    await page.fill('#cvc', '123');
    expect(await submit(page)).toBe(200);
    expect(await page.textContent('#result')).toContain('The card ending 4242 is now the card of Globex Backup 1 TB');
    expect(await page.textContent('#outcome')).toContain('active');

    const state = await waitState(env.client, line.lineId, (s) => s.paidPeriods === 2);
    expect(state).toMatchObject({ status: 'active', pastDue: null, card: { last4: '4242' } });
    const api = await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key: line.customerKey });
    expect(api.body).toMatchObject({ status: 'active', card: { last4: '4242' } });
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } })).toMatchObject({ status: 'captured' });
    await page.close();
  });

  it('SUB-6: the manual-renewal reminder links a payment page; paying there renews the next period', async () => {
    // The period ends a day and 20 seconds from now: switched to manual, only the 1-day reminder is ahead.
    const dueAt = DateTime.now().setZone('Europe/Paris').plus({ days: 1, seconds: 20 });
    const line = await seedPaidLine(sys, { paidAt: dueAt.minus({ years: 1 }).toUTC().toISO()!, offerId: DEMO.offers.globexBackup.id });
    await startSubscription(env.client, sys, line);
    const switched = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/renewal-mode`, { key: line.customerKey, body: { mode: 'manual' } });
    expect(switched.status, JSON.stringify(switched.body)).toBe(200);
    expect(Date.parse(switched.body.state.nextDueAt) - Date.now()).toBeGreaterThan(86_400_000); // switched before the reminder is due
    const text = await received(`sub:${line.lineId}:period:2:reminder:1`, 60_000);
    expect(text).toContain('(in 1 day)');

    const { page, status } = await open(linkIn(text, 'manual-payment'));
    expect(status).toBe(200);
    expect(await page.textContent('main')).toContain('143.88 EUR'); // 119.90 EUR + 20% VAT
    expect(await sys.db.payment.count({ where: { lineId: line.lineId } })).toBe(0); // opening the page charged nothing
    expect(await submit(page)).toBe(200);
    expect(await page.textContent('#result')).toContain('the next period of Globex Backup 1 TB is paid');

    const state = await waitState(env.client, line.lineId, (s) => s.paidPeriods === 2);
    expect(state).toMatchObject({ status: 'active', renewalMode: 'manual' });
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } })).toMatchObject({ status: 'captured', amountCents: 14388 });
    await page.close();
  });

  it('SUB-10: the deletion e-mail links a page that asks for the code (never in the link); a wrong code is a counted try, the right one deletes', async () => {
    const line = await seedPaidLine(sys, { paidAt: new Date().toISOString() });
    await startSubscription(env.client, sys, line);
    const asked = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/deletion`, { key: line.customerKey, body: {} });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const text = await received(`sub:${line.lineId}:deletion-code:1`);
    const code = /Confirmation code: (\w+)/.exec(text)![1];
    const url = linkIn(text, 'deletion-confirmation');
    expect(url).not.toContain(code);
    expect(Buffer.from(url.split('/').at(-1)!.split('.')[0], 'base64url').toString()).not.toContain(code);

    const { page, status } = await open(url);
    expect(status).toBe(200);
    await page.fill('#code', code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');
    expect(await submit(page)).toBe(422);
    expect(await page.textContent('#error')).toContain('wrong confirmation code (4 tries left)');
    expect((await sys.db.deletionCode.findFirstOrThrow({ where: { subscriptionId: line.lineId } })).attempts).toBe(1);
    await page.fill('#code', code.toLowerCase()); // typed as it comes
    expect(await submit(page)).toBe(200);
    expect(await page.textContent('#result')).toContain('was deleted');

    const state = await waitState(env.client, line.lineId, (s) => s.status === 'terminated');
    expect(state.endReason).toBe('deleted');
    expect(await sys.db.subscription.findUniqueOrThrow({ where: { id: line.lineId } })).toMatchObject({ status: 'terminated', endReason: 'deleted' });
    await page.close();
  });

  it('SUB-11: the purchase order gives the order id, its URL and a withdrawal link; withdrawing there refunds every line in full', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);
    const text = await received(`order:${order.orderId}:purchase-order`);
    expect(text).toContain(`Order id: ${order.orderId}. Follow it at ${PUBLIC_URL}/orders/${order.orderId}`);
    expect(text).toContain('As an individual customer you may withdraw from this order within 14 days');
    expect(text).toMatch(/paid on \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d \(Paris time\)/);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/); // no raw ISO date

    const { page, status } = await open(linkIn(text, 'withdrawal'));
    expect(status).toBe(200);
    expect(await page.textContent('main')).toContain(order.number);
    expect(await sys.db.refund.count({ where: { lineId: { in: order.lines.map((l) => l.lineId) } } })).toBe(0); // opening the page changed nothing
    expect(await submit(page)).toBe(200);
    expect(await page.textContent('#result')).toContain(`Your withdrawal from order ${order.number} is registered`);

    const view = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: order.customerApiKey });
    expect(view.status).toBe(200);
    expect(view.body.lines.map((l: { status: string }) => l.status)).toEqual(['cancelled', 'cancelled']);
    const refunds = await sys.db.refund.findMany({ where: { lineId: { in: order.lines.map((l) => l.lineId) } } });
    expect(refunds.reduce((sum, r) => sum + r.amountCents, 0)).toBe(order.lines.reduce((sum, l) => sum + l.totalCents, 0));
    await page.close();
  });
  it('DIA-4: the support invoice e-mail links a card form; paying there pays the invoice and closes the ticket', async () => {
    // A premium (always-on) tier: its e-mails are not held until business hours (POL-5).
    const service = await supportedService(env.client, sys, { paidAt: new Date().toISOString(), offerId: DEMO.offers.globexBackup.id });
    const ticket = await openTicketAs(sys, service, 'incident');
    const consented = await ticketCommand(sys, ticket.ticketId, 'consent', { acceptedPriceCents: ticket.diagnostic.priceNowCents }, service.customerKey);
    expect(consented.status, JSON.stringify(consented.body)).toBe(200);
    const diagnosed = await ticketCommand(sys, ticket.ticketId, 'diagnosis', { outcome: 'fixed' });
    expect(diagnosed.body).toMatchObject({ status: 'awaiting_payment', invoice: { totalCents: 2400 } });
    const invoice = await sys.db.invoice.findUniqueOrThrow({ where: { id: `ticket:${ticket.ticketId}:invoice` } });
    const text = await received(`ticket:${ticket.ticketId}:invoiced`);
    const url = linkIn(text, 'support-payment');
    // The link names the ticket and nothing else (no card data).
    expect(Buffer.from(url.split('/').at(-1)!.split('.')[0], 'base64url').toString()).toBe(ticket.ticketId);

    const { page, status } = await open(url);
    expect(status).toBe(200);
    const shown = await page.textContent('main');
    expect(shown).toContain(invoice.number);
    expect(shown).toContain('Globex Backup 1 TB');
    expect(shown).toContain('24.00 EUR incl. VAT');
    expect(shown).toContain(formatDateTime(invoice.dueAt!, 'Europe/Paris'));
    expect(await sys.db.supportPayment.count({ where: { ticketId: ticket.ticketId } })).toBe(0); // opening the page charged nothing
    await page.fill('#number', TEST_CARDS.success);
    await page.fill('#expMonth', '12');
    await page.fill('#expYear', '2030');
    await page.fill('#cvc', '123');
    expect(await submit(page)).toBe(200);
    expect(await page.textContent('#result')).toContain(`invoice ${invoice.number} (24.00 EUR) is paid`);

    const state = await waitTicket(env.client, ticket.ticketId, (s) => s.status === 'paid');
    expect(state.payment).toMatchObject({ amountCents: 2400 });
    const api = await http(sys.apiUrl, 'GET', `/tickets/${ticket.ticketId}`, { key: service.customerKey });
    expect(api.body).toMatchObject({ status: 'paid' });
    expect(await sys.db.supportPayment.findUniqueOrThrow({ where: { id: `ticket:${ticket.ticketId}:payment:1` } })).toMatchObject({ status: 'captured', amountCents: 2400 });
    await page.close();
  });
});

describe('refused links', () => {
  it('X-6: an expired link is refused with a readable page (410) that says it expired, and as problem+json to an API client', async () => {
    const token = signLink('card-update', 'lin_expired_1', new Date(Date.now() - 60_000));
    const url = `${sys.apiUrl}/links/card-update/${token}`;
    const { page, status } = await open(url);
    expect(status).toBe(410);
    expect(await page.title()).toContain('Link expired');
    expect(await page.textContent('#reason')).toMatch(/this link expired on \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d \(Paris time\)/);
    await page.close();
    const api = await http(sys.apiUrl, 'GET', `/links/card-update/${token}`);
    expect(api.status).toBe(410);
    expect(api.contentType).toContain('application/problem+json');
    expect(api.body).toMatchObject({ status: 410, title: 'Link expired' });
  });

  it('X-6: an altered link, or one used on another page, is refused with a readable page (404) and changes nothing', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const url = linkIn(await received(`order:${order.orderId}:purchase-order`), 'withdrawal');
    const token = url.split('/').at(-1)!;
    const last = token.at(-1)!;
    const altered = `${token.slice(0, -1)}${last === '0' ? '1' : '0'}`;
    // Another order's id in the same signature: not valid either.
    const otherSubject = `${Buffer.from('ord_someone_else').toString('base64url')}.${token.split('.').slice(1).join('.')}`;
    for (const path of [`/links/withdrawal/${altered}`, `/links/withdrawal/${otherSubject}`, `/links/card-update/${token}`]) {
      const { page, status } = await open(`${sys.apiUrl}${path}`);
      expect(status, path).toBe(404);
      expect(await page.title()).toContain('Link not valid');
      expect(await page.textContent('#reason')).toContain('this link is not valid');
      expect(await page.locator('form').count()).toBe(0);
      await page.close();
    }
    // Sent as a form by a browser, the altered link withdraws nothing.
    const posted = await fetch(`${sys.apiUrl}/links/withdrawal/${altered}`, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(posted.status).toBe(404);
    expect(posted.headers.get('content-type')).toContain('text/html');
    const api = await http(sys.apiUrl, 'POST', `/links/withdrawal/${altered}`, { body: {} });
    expect(api).toMatchObject({ status: 404, body: { status: 404, title: 'Link not valid' } });
    expect(api.contentType).toContain('application/problem+json');
    expect(await sys.db.refund.count({ where: { lineId: order.lines[0].lineId } })).toBe(0);
    expect((await sys.db.orderLine.findUniqueOrThrow({ where: { id: order.lines[0].lineId } })).status).toBe('awaiting_validation');
  });
});
