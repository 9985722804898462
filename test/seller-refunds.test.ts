// POL-4: a seller refunds a payment of its subscription, in full or in part, within 30 days of it
// (the end of the 30th calendar day after the payment day, Paris time); a service never. Each
// refund has its credit note (INV-1, total = the refund to the cent), its ledger transfers (PAY-1,
// FEE-1) and the customer's e-mail; refunds never exceed what was paid, raced or retried. Each test
// has a fresh seller (its own ledger accounts and document series) and a paid line (checkout of
// 10.00 + 20 % VAT = 12.00, fee 3 % = 0.36) whose Subscription workflow runs on the time-skipping
// server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { checkoutInvoiceId, creditNoteId } from '../activities/invoices';
import { checkoutPaymentId } from '../activities/payments';
import { createSellerRefunds, sellerRefundEmailId, sellerRefundId } from '../activities/seller-refunds';
import { createSubscriptionActivities } from '../activities/subscriptions';
import type { PaymentGateway } from '../infra/payment-gateway';
import { DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import { emailSent, newIdempotencyKey } from './support/orders';
import { freshSeller } from './support/sellers';
import { seedPaidLine, startSubscription } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const PAID = 1200;

/** A fresh seller's subscription, paid at checkout now; its offer a service if asked. */
async function paidSubscription(kind: 'subscription' | 'service' = 'subscription') {
  const seller = await freshSeller(sys.db);
  await sys.db.offer.update({ where: { id: seller.offerId }, data: { productKind: kind } });
  const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId: seller.offerId });
  await startSubscription(env.client, sys, line);
  return { seller, line, paymentId: checkoutPaymentId(line.orderId) };
}

const refund = (key: string, subscriptionId: string, body: unknown, idempotencyKey = newIdempotencyKey()) =>
  http(sys.apiUrl, 'POST', `/seller/subscriptions/${subscriptionId}/refunds`, { key, body, headers: { 'idempotency-key': idempotencyKey } });

const refunds = (gateway: PaymentGateway = sys.activityDeps.gateway) => createSellerRefunds({ db: sys.db, gateway, publicUrl: sys.activityDeps.publicUrl });

/** The start of today in Paris: the payment-day arithmetic of POL-4 is in calendar days there. */
const parisToday = () => DateTime.now().setZone('Europe/Paris').startOf('day');
const capturedAt = (paymentId: string, at: DateTime) => sys.db.payment.update({ where: { id: paymentId }, data: { createdAt: at.toJSDate() } });

async function ledgerOf(refundId: string): Promise<[string, number][]> {
  const transfers = await sys.db.ledgerTransfer.findMany({ where: { refundId }, orderBy: { id: 'asc' } });
  return transfers.map((t) => [t.code, Number(t.amount)]);
}

async function heldCents(sellerId: string): Promise<number> {
  const a = await sys.db.ledgerAccount.findUniqueOrThrow({ where: { id: `seller:${sellerId}:EUR:held` } });
  return Number(a.creditsPosted - a.debitsPosted);
}

describe('seller refunds (POL-4)', () => {
  it('POL-4: a refund on the 30th day after the payment (its last millisecond, Paris time) is accepted; at the first millisecond of the 31st it is refused, naming the deadline', async () => {
    const { seller, line, paymentId } = await paidSubscription();
    const today = parisToday();
    // Paid at noon 31 days before today: the 30th day after the payment day ends when today starts.
    await capturedAt(paymentId, today.minus({ days: 31 }).plus({ hours: 12 }));
    const ask = (at: DateTime) => refunds().grant({ subscriptionId: line.lineId, sellerId: seller.sellerId, paymentId, amountCents: 100, reason: 'Goodwill', actor: `seller:${seller.sellerId}`, at: at.toUTC().toISO()! });

    const lastDay = today.minus({ milliseconds: 1 }).setLocale('en-GB').toFormat('d MMMM yyyy');
    await expect(ask(today)).rejects.toMatchObject({ kind: 'refused', slug: 'refund-window-over', field: 'body.paymentId', message: expect.stringContaining(`until the end of ${lastDay} (Paris time)`) });
    expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(0);

    const granted = await ask(today.minus({ milliseconds: 1 }));
    expect(granted).toMatchObject({ refundId: sellerRefundId(paymentId, line.lineId, 1), amountCents: 100, refundedSoFarCents: 100, refundableLeftCents: PAID - 100 });

    // Through the API, now: a payment of 31 days ago is refused (422 naming the field and the day), one of 30 days ago accepted.
    await capturedAt(paymentId, today.minus({ days: 31 }).plus({ hours: 12 }));
    const late = await refund(seller.key, line.lineId, { paymentId, amountCents: 100, reason: 'Goodwill' });
    expect(late.status, JSON.stringify(late.body)).toBe(422);
    expect(late.contentType).toContain('application/problem+json');
    expect(late.body.errors).toEqual([{ field: 'body.paymentId', message: expect.stringContaining(`until the end of ${lastDay}`) }]);
    expect(late.body.deadline).toBe(today.toUTC().toISO());
    await capturedAt(paymentId, today.minus({ days: 30 }).plus({ hours: 12 }));
    const inTime = await refund(seller.key, line.lineId, { paymentId, amountCents: 100, reason: 'Goodwill' });
    expect(inTime.status, JSON.stringify(inTime.body)).toBe(201);
  });

  it('POL-4: two partial refunds, then one more than is left is refused naming what remains; each refund has its credit note (total = the refund, to the cent), its ledger transfers and its e-mail', async () => {
    const { seller, line, paymentId } = await paidSubscription();
    const first = await refund(seller.key, line.lineId, { paymentId, amountCents: 500, reason: 'Outage on 3 March' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ refundId: sellerRefundId(paymentId, line.lineId, 1), subscriptionId: line.lineId, paymentId, amountCents: 500, currency: 'EUR', refundedSoFarCents: 500, refundableLeftCents: 700 });
    const second = await refund(seller.key, line.lineId, { paymentId, amountCents: 400, reason: 'Outage on 9 March' });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({ refundId: sellerRefundId(paymentId, line.lineId, 2), refundedSoFarCents: 900, refundableLeftCents: 300 });

    const over = await refund(seller.key, line.lineId, { paymentId, amountCents: 301, reason: 'One cent too many' });
    expect(over.status, JSON.stringify(over.body)).toBe(422);
    expect(over.body).toMatchObject({ refundableLeftCents: 300, errors: [{ field: 'body.amountCents', message: expect.stringContaining('only 3.00 EUR') }] });

    // 0.03 incl. 20 % VAT is no single line's total (0.02 + 0.00 or 0.03 + 0.01): two lines make it exact.
    const third = await refund(seller.key, line.lineId, { paymentId, amountCents: 3, reason: 'Rounding gesture' });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    expect(third.body).toMatchObject({ refundedSoFarCents: 903, refundableLeftCents: 297 });

    for (const [res, amount] of [[first, 500], [second, 400], [third, 3]] as const) {
      const note = await sys.db.invoice.findUniqueOrThrow({ where: { id: creditNoteId(res.body.refundId) } });
      expect(res.body.creditNote).toEqual({ invoiceId: note.id, number: note.number });
      expect(note).toMatchObject({ kind: 'credit_note', totalCents: amount, refundId: res.body.refundId, paymentId, creditedInvoiceId: checkoutInvoiceId(line.orderId, seller.sellerId) });
      expect(note.number).toMatch(new RegExp(`^CN-${seller.sellerId}-\\d{4}-\\d{6}$`));
      const { email } = await emailSent(sys.db, sellerRefundEmailId(res.body.refundId));
      expect(email.toAddress).toBe(line.email);
      expect(email.text).toContain(`Credit note ${note.number} (PDF): http`);
      expect(email.maskedText).toContain(`Credit note ${note.number} (PDF): [hidden]`);
    }
    expect(JSON.parse((await sys.db.invoice.findUniqueOrThrow({ where: { id: creditNoteId(third.body.refundId) } })).lines).map((l: { exclVatCents: number; vatCents: number }) => [l.exclVatCents, l.vatCents])).toEqual([[2, 0], [1, 0]]);

    // FEE-1: the 0.36 fee is given back cumulatively, half-up: 0.15 for 5.00, 0.27 in all for 9.00, nothing more for 0.03.
    expect(await ledgerOf(first.body.refundId)).toEqual([['refund', 500], ['fee_reversal', 15]]);
    expect(await ledgerOf(second.body.refundId)).toEqual([['refund', 400], ['fee_reversal', 12]]);
    expect(await ledgerOf(third.body.refundId)).toEqual([['refund', 3]]);
    expect(await heldCents(seller.sellerId)).toBe(PAID - 36 - 903 + 27);
    const moved = await sys.db.sandboxTransaction.findMany({ where: { kind: 'refund', idempotencyKey: { in: [first, second, third].map((r) => r.body.refundId) } } });
    expect(moved.map((t) => t.amountCents).sort((a, b) => a - b)).toEqual([3, 400, 500]);

    const list = await http(sys.apiUrl, 'GET', `/seller/subscriptions/${line.lineId}/refunds?limit=2`, { key: seller.key });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items).toHaveLength(2);
    const rest = await http(sys.apiUrl, 'GET', `/seller/subscriptions/${line.lineId}/refunds?cursor=${list.body.nextCursor}`, { key: DEMO_KEYS.finance });
    expect(rest.status, JSON.stringify(rest.body)).toBe(200);
    expect([...list.body.items, ...rest.body.items].map((r: { amountCents: number }) => r.amountCents).sort((a: number, b: number) => a - b)).toEqual([3, 400, 500]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it("POL-4: a renewal payment is refundable up to its own amount, apart from the checkout's; its credit note corrects the renewal's invoice", async () => {
    const { seller, line, paymentId: checkout } = await paidSubscription();
    const subscriptions = createSubscriptionActivities(sys.activityDeps);
    const { cardId } = await sys.db.order.findUniqueOrThrow({ where: { id: line.orderId } });
    const at = DateTime.now().toUTC();
    const charged = await subscriptions.chargeRenewal({ subscriptionId: line.lineId, orderId: line.orderId, period: 2, attempt: 1, cardId, priceCents: 1000, vatRateBp: 2000, currency: 'EUR', at: at.toISO()!, workflowId: 'seller-refunds-test' });
    expect(charged.status).toBe('captured');
    const renewal = charged.paymentId;
    await subscriptions.issueRenewalInvoice({ subscriptionId: line.lineId, period: 2, periodStart: at.toISO()!, periodEnd: at.plus({ months: 1 }).toISO()!, priceCents: 1000, vatRateBp: 2000, at: at.toISO()! });

    const over = await refund(seller.key, line.lineId, { paymentId: renewal, amountCents: PAID + 1, reason: 'Too much' });
    expect(over.status, JSON.stringify(over.body)).toBe(422);
    expect(over.body.refundableLeftCents).toBe(PAID);
    const whole = await refund(seller.key, line.lineId, { paymentId: renewal, amountCents: PAID, reason: 'Renewed by mistake' });
    expect(whole.status, JSON.stringify(whole.body)).toBe(201);
    expect(whole.body).toMatchObject({ refundId: sellerRefundId(renewal, line.lineId, 1), refundedSoFarCents: PAID, refundableLeftCents: 0 });
    const note = await sys.db.invoice.findUniqueOrThrow({ where: { id: creditNoteId(whole.body.refundId) } });
    expect(note).toMatchObject({ kind: 'credit_note', totalCents: PAID, creditedInvoiceId: renewal, paymentId: renewal });
    expect(await ledgerOf(whole.body.refundId)).toEqual([['refund', PAID], ['fee_reversal', 36]]);
    // The checkout's 12.00 is its own: still refundable in full.
    const first = await refund(seller.key, line.lineId, { paymentId: checkout, amountCents: PAID, reason: 'And the first month' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ refundedSoFarCents: PAID, refundableLeftCents: 0 });
  });

  it("POL-4: a quantity increase's prorated charge is a payment of the subscription, refundable up to its own amount; its credit note names the quantity change and corrects that charge's invoice", async () => {
    const { seller, line } = await paidSubscription();
    const subscriptions = createSubscriptionActivities(sys.activityDeps);
    const { cardId } = await sys.db.order.findUniqueOrThrow({ where: { id: line.orderId } });
    const at = DateTime.now().toUTC();
    // 5.00 excl. VAT for the added units, prorated: 6.00 charged, fee 3 % = 0.18.
    const charged = await subscriptions.chargeQuantityIncrease({ subscriptionId: line.lineId, orderId: line.orderId, change: 1, period: 1, attempt: 1, cardId, amountCents: 600, currency: 'EUR', at: at.toISO()!, workflowId: 'seller-refunds-test' });
    expect(charged).toMatchObject({ status: 'captured', paymentId: `sub:${line.lineId}:quantity:1` });
    const added = charged.paymentId;
    await subscriptions.issueQuantityInvoice({ subscriptionId: line.lineId, change: 1, lines: [{ description: 'Added units', quantity: 1, exclVatCents: 500, vatRateBp: 2000 }], periodStart: at.toISO()!, periodEnd: at.plus({ months: 1 }).toISO()!, at: at.toISO()! });

    const part = await refund(seller.key, line.lineId, { paymentId: added, amountCents: 200, reason: 'Seats added by mistake' });
    expect(part.status, JSON.stringify(part.body)).toBe(201);
    expect(part.body).toMatchObject({ refundId: sellerRefundId(added, line.lineId, 1), paymentId: added, refundedSoFarCents: 200, refundableLeftCents: 400 });
    const note = await sys.db.invoice.findUniqueOrThrow({ where: { id: creditNoteId(part.body.refundId) } });
    expect(note).toMatchObject({ kind: 'credit_note', totalCents: 200, creditedInvoiceId: added, paymentId: added });
    expect(note.lines).toContain('added units, quantity change 1 (period 1)');
    expect(await ledgerOf(part.body.refundId)).toEqual([['refund', 200], ['fee_reversal', 6]]);
    // Never more than the charge itself: the checkout's 12.00 does not count toward it.
    const over = await refund(seller.key, line.lineId, { paymentId: added, amountCents: 401, reason: 'Too much' });
    expect(over.status, JSON.stringify(over.body)).toBe(422);
    expect(over.body.refundableLeftCents).toBe(400);
  });

  it('POL-4: a service is never refunded (422 naming the subscription); nothing is refunded or written', async () => {
    const { seller, line, paymentId } = await paidSubscription('service');
    const res = await refund(seller.key, line.lineId, { paymentId, amountCents: 100, reason: 'Goodwill' });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'params.subscriptionId', message: 'services are never refunded (POL-4)' }]);
    expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(0);
    expect(await sys.db.auditLog.count({ where: { key: { startsWith: `seller-refund:${paymentId}:` } } })).toBe(0);
  });

  it("POL-4, X-6: another seller's refund or list of the subscription is a 404 and moves nothing; a payment of another subscription is refused naming body.paymentId", async () => {
    const { seller, line, paymentId } = await paidSubscription();
    const other = await paidSubscription();
    const foreign = await refund(other.seller.key, line.lineId, { paymentId, amountCents: 100, reason: 'Not mine' });
    expect(foreign.status, JSON.stringify(foreign.body)).toBe(404);
    expect((await http(sys.apiUrl, 'GET', `/seller/subscriptions/${line.lineId}/refunds`, { key: DEMO_KEYS.sellerGlobex })).status).toBe(404);
    const wrongPayment = await refund(seller.key, line.lineId, { paymentId: other.paymentId, amountCents: 100, reason: 'Wrong payment' });
    expect(wrongPayment.status, JSON.stringify(wrongPayment.body)).toBe(422);
    expect(wrongPayment.body.errors).toEqual([{ field: 'body.paymentId', message: expect.stringContaining(`not a captured payment of subscription ${line.lineId}`) }]);
    expect(await sys.db.refund.count({ where: { lineId: { in: [line.lineId, other.line.lineId] } } })).toBe(0);
    for (const p of [paymentId, other.paymentId]) expect(await sys.db.sandboxTransaction.count({ where: { kind: 'refund', idempotencyKey: { startsWith: `seller-refund:${p}:` } } })).toBe(0);
  });

  it('POL-4: two refunds racing never exceed what was paid: one of 7.00 and one of 6.00 on 12.00, one is granted and the other refused', async () => {
    const { seller, line, paymentId } = await paidSubscription();
    const answers = await Promise.all([700, 600].map((amountCents) => refund(seller.key, line.lineId, { paymentId, amountCents, reason: 'Race' })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const rows = await sys.db.refund.findMany({ where: { lineId: line.lineId } });
    expect(rows).toHaveLength(1);
    expect(rows[0].amountCents).toBe(answers.find((a) => a.status === 201)!.body.amountCents);
  });

  it('POL-4, X-3: a crash after the gateway refunded and before the rows is settled by the retry with the same gateway key: the money moves once; meanwhile the reservation counts as refunded', async () => {
    const { seller, line, paymentId } = await paidSubscription();
    const gateway = sys.activityDeps.gateway;
    const crashing: PaymentGateway = {
      ...gateway,
      refund: async (req) => {
        await gateway.refund(req);
        throw new Error('the API process died before writing the refund');
      },
    };
    const refundId = sellerRefundId(paymentId, line.lineId, 1);
    await expect(refunds(crashing).grant({ subscriptionId: line.lineId, sellerId: seller.sellerId, paymentId, amountCents: 1000, reason: 'Outage', actor: `seller:${seller.sellerId}`, at: new Date().toISOString() })).rejects.toThrow('died');
    expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(0);

    const meanwhile = await refund(seller.key, line.lineId, { paymentId, amountCents: 201, reason: 'Too much while the first is unsettled' });
    expect(meanwhile.status, JSON.stringify(meanwhile.body)).toBe(422);
    expect(meanwhile.body.refundableLeftCents).toBe(200);

    const settled = await refunds().settle(refundId);
    expect(settled).toMatchObject({ refundId, amountCents: 1000, refundedSoFarCents: 1000, refundableLeftCents: 200 });
    expect(await sys.db.sandboxTransaction.count({ where: { kind: 'refund', idempotencyKey: refundId } })).toBe(1);
    expect(await ledgerOf(refundId)).toEqual([['refund', 1000], ['fee_reversal', 30]]);
    expect((await sys.db.invoice.findUniqueOrThrow({ where: { id: creditNoteId(refundId) } })).totalCents).toBe(1000);
  });

  it('POL-4, X-3: a repeat with the same Idempotency-Key answers the first refund again and refunds nothing more; the key with another body is refused', async () => {
    const { seller, line, paymentId } = await paidSubscription();
    const key = newIdempotencyKey();
    const body = { paymentId, amountCents: 250, reason: 'Goodwill' };
    const first = await refund(seller.key, line.lineId, body, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await refund(seller.key, line.lineId, body, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(1);
    const reused = await refund(seller.key, line.lineId, { ...body, amountCents: 251 }, key);
    expect(reused.status, JSON.stringify(reused.body)).toBe(422);
    expect(reused.body.errors).toEqual([{ field: 'headers.idempotency-key', message: expect.any(String) }]);
  });
});
