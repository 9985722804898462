// Customer commands over the HTTP API on the time-skipping server: checkout to renewal end to end
// (ORD-8, SUB-1), manual renewal with reminders and payment in advance (SUB-6), immediate deletion
// (SUB-10), withdrawal (SUB-11), authorization (X-6), invoices and their PDF (INV-1).
import { formatDateTime } from '../domain/time-format';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { dueDate } from '../domain/calendar';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { plusDays } from '../domain/subscription';
import { http } from './support/http';
import { emailSent, linesAwaitingValidation, placeOrder } from './support/orders';
import { DAY, HOUR, MINUTE, deleteNow, seedPaidLine, startSubscription, waitState, type SeededLine } from './support/subscriptions';
import type { TestSystem } from './support/system';
import { expectValidFacturX } from './support/factur-x-xsd';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const TZ = 'Europe/Paris';
const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();
async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
async function newSubscription(opts: Omit<Parameters<typeof seedPaidLine>[1], 'paidAt'> = {}): Promise<SeededLine> {
  const line = await seedPaidLine(sys, { paidAt: await nowIso(), ...opts });
  await startSubscription(env.client, sys, line);
  return line;
}
const api = (method: string, path: string, key: string, body?: unknown) => http(sys.apiUrl, method, path, { key, body: body ?? (method === 'POST' ? {} : undefined) });
const sub = (line: SeededLine, cmd = '') => `/subscriptions/${line.lineId}${cmd ? `/${cmd}` : ''}`;

describe('end to end', () => {
  it('ORD-8, SUB-1, X-6: checkout, seller accepts, the subscription anchored at payment renews automatically; only its customer commands it', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const [line] = order.lines;
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/accept`, {
      key: DEMO_KEYS.sellerAcme,
      body: { accessInstructions: 'Sign in at https://mail.acme.test' },
    });
    expect(accepted.status).toBe(200);
    const s0 = await waitState(env.client, line.lineId, (s) => s.paidPeriods === 1);
    expect(s0.anchor).toBe(order.paidAt);
    expect(s0.nextDueAt).toBe(dueDate(order.paidAt, 'monthly', 1, TZ));
    await sleepUntil(s0.nextDueAt!, MINUTE);
    await waitState(env.client, line.lineId, (s) => s.paidPeriods === 2);
    const key = order.customerApiKey!;
    const view = await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ status: 'active', paidPeriods: 2, renewalMode: 'auto', nextDueAt: dueDate(order.paidAt, 'monthly', 2, TZ) });
    expect((await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key: DEMO_KEYS.sellerAcme })).status).toBe(200);
    expect((await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key: DEMO_KEYS.support })).status).toBe(200);
    expect((await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key: DEMO_KEYS.sellerGlobex })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key: DEMO_KEYS.customer })).status).toBe(403);
    expect((await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/terminate`, { key: DEMO_KEYS.sellerAcme, body: {} })).status).toBe(403);
    expect((await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/terminate`, { key: DEMO_KEYS.customer, body: {} })).status).toBe(403);
    const bad = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/renewal-mode`, { key, body: { mode: 'sometimes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.mode');
    // INV-1: the checkout invoice and the renewal invoice, both listed and downloadable.
    const list = await http(sys.apiUrl, 'GET', `/customers/${order.customerId}/invoices?kind=invoice`, { key });
    expect(list.body.items.map((i: { invoiceId: string }) => i.invoiceId).sort()).toEqual([`order:${order.orderId}:checkout:sel_acme`, `sub:${line.lineId}:period:2`]);
    // The renewal invoice's Factur-X XML (newest first): valid EN 16931, with the period it bills.
    expect(list.body.items[0].invoiceId).toBe(`sub:${line.lineId}:period:2`);
    const xml = await fetch(`${sys.apiUrl}${list.body.items[0].xml}`, { headers: { authorization: `Bearer ${key}` } });
    const cii = await xml.text();
    await expectValidFacturX(cii);
    expect(cii).toMatch(/<ram:BillingSpecifiedPeriod>\s*<ram:StartDateTime>/);
    const pdf = await fetch(`${sys.apiUrl}${list.body.items[0].pdf}`, { headers: { authorization: `Bearer ${key}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 4).toString()).toBe('%PDF');
    const other = await fetch(`${sys.apiUrl}${list.body.items[0].pdf}`, { headers: { authorization: `Bearer ${DEMO_KEYS.customer}` } });
    expect(other.status).toBe(403);
    expect((await fetch(`${sys.apiUrl}${list.body.items[0].pdf}`, { headers: { authorization: `Bearer ${DEMO_KEYS.finance}` } })).status).toBe(200);
    // Left running: on the time-skipping server, a child workflow (started by the line) that
    // completes after its parent closed leaves the server's clock locked for the rest of the file.
  });
});

describe('manual renewal', () => {
  it('SUB-6: manual mode: reminders 30, 7 and 1 day(s) before the period ends, then unpaid at the end: deleted, not_renewed', async () => {
    const line = await newSubscription({ offerId: DEMO.offers.globexBackup.id }); // annual: all three reminders ahead
    const switched = await api('POST', sub(line, 'renewal-mode'), line.customerKey, { mode: 'manual' });
    expect(switched.status).toBe(200);
    const due = switched.body.state.nextDueAt as string;
    const reminder = (d: number) => `sub:${line.lineId}:period:2:reminder:${d}`;
    for (const d of [30, 7, 1]) {
      await sleepUntil(plusDays(due, -d, TZ), -MINUTE);
      expect(await sys.db.email.count({ where: { id: reminder(d) } })).toBe(0);
      await sleepUntil(plusDays(due, -d, TZ), MINUTE);
      const mail = await emailSent(sys.db, reminder(d));
      expect(mail.email.text).toMatch(/\/links\/manual-payment\/[A-Za-z0-9_.-]+/); // a signed payment link (api/signed-links.ts)
    }
    await sleepUntil(due, -MINUTE);
    expect((await waitState(env.client, line.lineId, () => true)).status).toBe('active');
    await sleepUntil(due, MINUTE);
    const s = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
    expect(s).toMatchObject({ endReason: 'not_renewed', endedAt: due, paidPeriods: 1 });
    await emailSent(sys.db, `sub:${line.lineId}:ended:customer`);
    expect(await sys.db.payment.count({ where: { lineId: line.lineId } })).toBe(0);
  });

  it('SUB-6: switched to manual 5 days before the end: only the 1-day reminder; paid in advance, it renews and the next due date moves on', async () => {
    const line = await newSubscription();
    const due = (await waitState(env.client, line.lineId, () => true)).nextDueAt!;
    await sleepUntil(due, -5 * DAY);
    expect((await api('POST', sub(line, 'renewal-mode'), line.customerKey, { mode: 'manual' })).status).toBe(200);
    await sleepUntil(due, -DAY + MINUTE);
    await emailSent(sys.db, `sub:${line.lineId}:period:2:reminder:1`);
    expect(await sys.db.email.count({ where: { id: { startsWith: `sub:${line.lineId}:period:2:reminder:` } } })).toBe(1);
    const paid = await api('POST', sub(line, 'pay-next-period'), line.customerKey);
    expect(paid.status).toBe(200);
    expect(paid.body.state).toMatchObject({ paidPeriods: 2, renewalMode: 'manual', nextDueAt: dueDate(line.paidAt, 'monthly', 2, TZ) });
    const again = await api('POST', sub(line, 'pay-next-period'), line.customerKey);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('already paid');
    await sleepUntil(due, HOUR);
    expect((await waitState(env.client, line.lineId, () => true)).status).toBe('active');
    await deleteNow(env.client, sys, line);
  });
});

describe('termination and card over the API', () => {
  it('SUB-4, SUB-7, SUB-9: the customer replaces the card, terminates and withdraws the termination; answers give the effective dates, refusals say why', async () => {
    const line = await newSubscription();
    const due = (await waitState(env.client, line.lineId, () => true)).nextDueAt!;
    const badCard = await api('POST', sub(line, 'card'), line.customerKey, { card: { number: '1234 5678 9012 3456', expMonth: 12, expYear: 2031, cvc: '123' } });
    expect(badCard.status).toBe(422);
    expect(badCard.body.errors[0].field).toBe('body.card.number');
    const card = await api('POST', sub(line, 'card'), line.customerKey, { card: { number: '4000 0000 0000 0119', expMonth: 12, expYear: 2031, cvc: '123' } });
    expect(card.status).toBe(200);
    expect(card.body.state.card).toEqual({ last4: '0119' });
    const terminated = await api('POST', sub(line, 'terminate'), line.customerKey);
    expect(terminated.status).toBe(200);
    expect(terminated.body.effectiveAt).toBe(due);
    const twice = await api('POST', sub(line, 'terminate'), line.customerKey);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ reason: 'TerminationPending' });
    // The date as a person reads it, in Paris time (the JSON field above stays ISO UTC).
    expect(twice.body.detail).toContain(`effective ${formatDateTime(due, 'Europe/Paris')}`);
    const undone = await api('POST', sub(line, 'withdraw-termination'), line.customerKey);
    expect(undone.status).toBe(200);
    expect(undone.body.state.pendingTermination).toBeNull();
    expect((await api('POST', sub(line, 'withdraw-termination'), line.customerKey)).status).toBe(409);
    const extra = await api('POST', sub(line, 'terminate'), line.customerKey, { now: true });
    expect(extra.status).toBe(400);
    await sleepUntil(due, MINUTE);
    await waitState(env.client, line.lineId, (x) => x.paidPeriods === 2);
    // The renewal charged the new card: the gateway token saved for it (X-7: the workflow only had its id).
    const payment = await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } });
    expect(payment).toMatchObject({ status: 'captured', gatewayKey: `sub:${line.lineId}:period:2:attempt:1` });
    const tx = await sys.db.sandboxTransaction.findUniqueOrThrow({ where: { idempotencyKey: payment.gatewayKey! } });
    const newCard = await sys.db.paymentCard.findFirstOrThrow({ where: { customerId: line.customerId, last4: '0119' } });
    expect(tx.cardToken).toBe(newCard.token);
    expect(await sys.db.sandboxCard.findUniqueOrThrow({ where: { token: newCard.token } })).toMatchObject({ behaviour: 'fails_once', last4: '0119' });
    await deleteNow(env.client, sys, line);
  });
});

describe('immediate deletion', () => {
  it('SUB-10: deletion asks for the e-mailed one-time code; a wrong code is refused; the right one deletes at once, no refund', async () => {
    const line = await newSubscription();
    const asked = await api('POST', sub(line, 'deletion'), line.customerKey);
    expect(asked.status).toBe(200);
    const mail = await emailSent(sys.db, `sub:${line.lineId}:deletion-code:1`);
    const code = /Confirmation code: (\w+)/.exec(mail.email.text)![1];
    const wrong = await api('POST', sub(line, 'deletion/confirm'), line.customerKey, { code: code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ reason: 'WrongCode', detail: 'wrong confirmation code (4 tries left)', errors: [{ field: 'body.code', message: expect.any(String) }] });
    const ok = await api('POST', sub(line, 'deletion/confirm'), line.customerKey, { code });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toMatchObject({ status: 'terminated', endReason: 'deleted' });
    expect(ok.body.effectiveAt).toBe(ok.body.state.endedAt);
    const reused = await api('POST', sub(line, 'deletion/confirm'), line.customerKey, { code });
    expect(reused.status).toBe(409);
    expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(0);
    expect((await sys.db.subscription.findUniqueOrThrow({ where: { id: line.lineId } })).endReason).toBe('deleted');
  });
});

describe('withdrawal', () => {
  /** A local wall-clock time, `days` calendar days after the payment day (business zone). */
  const dayAfterPayment = (line: SeededLine, days: number, time: string) =>
    DateTime.fromISO(line.paidAt, { zone: 'utc' }).setZone(TZ).startOf('day').plus({ days }).set({ hour: Number(time.slice(0, 2)), minute: Number(time.slice(3)) }).toUTC().toISO()!;

  for (const [type, days] of [['individual', 14], ['business', 7]] as const) {
    it(`SUB-11: ${type}: withdrawal on the last day (day ${days}, 23:30) refunds everything paid on the order and ends the service`, async () => {
      const line = await newSubscription({ type });
      // Paid in advance too: the withdrawal refunds the renewal as well as the checkout.
      await sleepUntil(dayAfterPayment(line, 1, '09:00'));
      expect((await api('POST', sub(line, 'pay-next-period'), line.customerKey)).status).toBe(200);
      await sleepUntil(dayAfterPayment(line, days, '23:30'));
      const res = await api('POST', `/orders/${line.orderId}/withdraw`, line.customerKey);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const s = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
      expect(s.endReason).toBe('withdrawn');
      const refunds = await sys.db.refund.findMany({ where: { lineId: line.lineId } });
      expect(refunds.map((r) => r.id).sort()).toEqual([
        `line:${line.lineId}:withdrawal:order:${line.orderId}:checkout`,
        `line:${line.lineId}:withdrawal:sub:${line.lineId}:period:2`,
      ]);
      expect(refunds.reduce((t, r) => t + r.amountCents, 0)).toBe(2 * line.totalCents);
      // INV-1: a credit note per refund, correcting the checkout invoice and the renewal invoice.
      const notes = await sys.db.invoice.findMany({ where: { customerId: line.customerId, kind: 'credit_note' }, orderBy: { id: 'asc' } });
      expect(notes.map((n) => n.creditedInvoiceId).sort()).toEqual([`order:${line.orderId}:checkout:sel_acme`, `sub:${line.lineId}:period:2`]);
      expect(notes.every((n) => n.totalCents === line.totalCents && /^CN-sel_acme-\d{4}-\d{6}$/.test(n.number))).toBe(true);
      await emailSent(sys.db, `sub:${line.lineId}:withdrawn:customer`);
      await emailSent(sys.db, `sub:${line.lineId}:withdrawn:seller`);
      expect(await sys.db.sandboxTransaction.count({ where: { kind: 'refund', idempotencyKey: { startsWith: `line:${line.lineId}:withdrawal:` } } })).toBe(2);
    });

    it(`SUB-11: ${type}: withdrawal the day after the last day (day ${days + 1}, 00:30) is refused with the reason`, async () => {
      const line = await newSubscription({ type });
      await sleepUntil(dayAfterPayment(line, days + 1, '00:30'));
      const res = await api('POST', `/orders/${line.orderId}/withdraw`, line.customerKey);
      expect(res.status).toBe(422);
      expect(res.body.reason).toBe('WithdrawalPeriodOver');
      expect(res.body.detail).toContain(`${days} days for ${type === 'individual' ? 'an' : 'a'} ${type} customer`);
      expect((await waitState(env.client, line.lineId, () => true)).status).toBe('active');
      expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(0);
      await deleteNow(env.client, sys, line);
    });
  }
});

describe('invoices', () => {
  it('INV-1: invoice and credit-note numbers are gapless per seller and year, and a repeated issue returns the same number', async () => {
    // Purchase orders are numbered after their order, outside the invoice series.
    const invoices = await sys.db.invoice.findMany({ where: { kind: { not: 'purchase_order' } }, orderBy: { number: 'asc' } });
    expect(invoices.length).toBeGreaterThan(3);
    const groups = new Map<string, number[]>();
    for (const inv of invoices) {
      const m = /^(INV|CN)-(.+)-(\d{4})-(\d{6})$/.exec(inv.number)!;
      expect(m[1]).toBe(inv.kind === 'invoice' ? 'INV' : 'CN');
      expect(m[2]).toBe(inv.sellerId);
      const k = `${m[1]}-${m[2]}-${m[3]}`;
      groups.set(k, [...(groups.get(k) ?? []), Number(m[4])]);
    }
    for (const numbers of groups.values()) expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    const acts = createActivities(sys.activityDeps);
    expect([...groups.keys()].some((k) => k.startsWith('CN-'))).toBe(true);
    const renewal = invoices.find((i) => i.id.startsWith('sub:'))!;
    const n = Number(/period:(\d+)$/.exec(renewal.id)![1]);
    // A repeat with other facts (the period's dates, the price) still returns the first number.
    const renewalStart = new Date().toISOString();
    const again = await acts.issueRenewalInvoice({ subscriptionId: renewal.id.split(':')[1], period: n, periodStart: renewalStart, periodEnd: renewalStart, priceCents: 1, vatRateBp: 0, at: new Date().toISOString() });
    expect(again.number).toBe(renewal.number);
    expect(await sys.db.invoice.count({ where: { kind: { not: 'purchase_order' } } })).toBe(invoices.length);
  });
});
