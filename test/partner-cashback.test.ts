// PRT-6: cashback = public price − partner price, credited to the partner's prepaid ledger account
// with the capture it comes from, once per payment and line, for the partnership in force at
// that capture: on the customer's own purchase (checkout through the API) and on a renewal (the
// Subscription workflow on the time-skipping server). The discount case (no cashback) is in
// test/partner-access.test.ts, where the partner orders on its own card.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { cashbackReversalId, cashbackTransferId, creditCashback } from '../activities/partner-cashback';
import { checkoutPaymentId } from '../activities/payments';
import { subscriptionStateQuery, subscriptionWorkflowId } from '../workflows/subscription';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { newIdempotencyKey } from './support/orders';
import { activePartnership, freshAccount, freshPartner, sellerOffering } from './support/partner-access-fixtures';
import { deleteNow, MINUTE, seedPaidLine, startSubscription, waitState } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

/** What a partner's prepaid account holds in a currency (null: never credited). */
async function prepaid(partnerId: string, currency: string): Promise<number | null> {
  const a = await sys.db.ledgerAccount.findUnique({ where: { id: `partner:${partnerId}:${currency}:prepaid` } });
  return a ? Number(a.creditsPosted - a.debitsPosted) : null;
}

async function sleepUntil(iso: string, offsetMs: number): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

describe('cashback (PRT-6)', () => {
  it("PRT-6: the customer's own purchase under complete access earns its partner 347.20 − 277.76 = 69.44 CHF on its prepaid account, funded by the marketplace, once", async () => {
    const seller = await sellerOffering(sys, { priceCents: 34720, currency: 'CHF', partnerDiscountBp: 2000 });
    const [customer, partner] = [await freshAccount(sys), await freshPartner(sys)];
    await activePartnership(sys, { customerId: customer.customerId, partnerId: partner.partnerId, access: 'complete', payer: 'partner' });

    const body = checkoutBody({ email: customer.email, offers: [seller.offerId], terms: [{ sellerId: seller.sellerId, version: seller.terms }] });
    const res = await http(sys.apiUrl, 'POST', '/checkout', { key: customer.key, body, headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const paymentId = checkoutPaymentId(res.body.orderId);
    const lineId = res.body.lines[0].lineId;

    const transfer = await sys.db.ledgerTransfer.findUniqueOrThrow({ where: { id: cashbackTransferId(paymentId, lineId) } });
    expect(transfer).toMatchObject({ code: 'cashback', amount: 6944n, currency: 'CHF', debitAccountId: 'marketplace:CHF:partner_cashback', creditAccountId: `partner:${partner.partnerId}:CHF:prepaid`, paymentId, lineId });
    expect(await prepaid(partner.partnerId, 'CHF')).toBe(6944);
    const audit = await sys.db.auditLog.findUniqueOrThrow({ where: { key: `${transfer.id}:credited` } });
    expect(JSON.parse(audit.data)).toMatchObject({ customerId: customer.customerId, amountCents: 6944 });

    // crediting the same payment again (a retried capture) moves nothing more.
    await sys.db.$transaction((tx) => creditCashback(tx, { paymentId }));
    expect(await prepaid(partner.partnerId, 'CHF')).toBe(6944);
    // The seller's share is untouched: its held account has the capture less the fee, as without a partner.
    const held = await sys.db.ledgerAccount.findUniqueOrThrow({ where: { id: `seller:${seller.sellerId}:CHF:held` } });
    expect(Number(held.creditsPosted - held.debitsPosted)).toBe(res.body.lines[0].totalCents - Math.round(res.body.lines[0].totalCents * 0.03));
  });

  it("PRT-6: a seller's refunds of a purchase take its cashback back in the proportion refunded (a third, then the rest: all of it), from the prepaid account to the marketplace", async () => {
    const seller = await sellerOffering(sys, { priceCents: 20125, currency: 'EUR', partnerDiscountBp: 2000 });
    const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId: seller.offerId });
    await startSubscription(env.client, sys, line);
    const partner = await freshPartner(sys);
    await activePartnership(sys, { customerId: line.customerId, partnerId: partner.partnerId, access: 'limited', productIds: [seller.offerId] });
    // The seeded checkout earns its cashback as a capture would: 201.25 − 161.00 = 40.25 EUR.
    const paymentId = checkoutPaymentId(line.orderId);
    await sys.db.$transaction((tx) => creditCashback(tx, { paymentId }));
    expect(await prepaid(partner.partnerId, 'EUR')).toBe(4025);
    const { totalCents } = await sys.db.orderLine.findUniqueOrThrow({ where: { id: line.lineId } });

    const refund = (amountCents: number) =>
      http(sys.apiUrl, 'POST', `/seller/subscriptions/${line.lineId}/refunds`, { key: seller.key, body: { paymentId, amountCents, reason: 'Goodwill' }, headers: { 'idempotency-key': newIdempotencyKey() } });
    const third = Math.floor(totalCents / 3);
    const first = await refund(third);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const back = Math.floor((2 * 4025 * third + totalCents) / (2 * totalCents)); // half-up(4025 × third ÷ paid)
    expect(back).toBeGreaterThan(1300);
    const reversal = await sys.db.ledgerTransfer.findUniqueOrThrow({ where: { id: cashbackReversalId(first.body.refundId) } });
    expect(reversal).toMatchObject({ code: 'cashback_reversal', amount: BigInt(back), debitAccountId: `partner:${partner.partnerId}:EUR:prepaid`, creditAccountId: 'marketplace:EUR:partner_cashback', paymentId, lineId: line.lineId, refundId: first.body.refundId });
    expect(await prepaid(partner.partnerId, 'EUR')).toBe(4025 - back);
    const audit = await sys.db.auditLog.findUniqueOrThrow({ where: { key: `${reversal.id}:reversed` } });
    expect(audit).toMatchObject({ action: 'partner.cashback_reversed', entityId: partner.partnerId });

    const rest = await refund(totalCents - third);
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    expect((await sys.db.ledgerTransfer.findUniqueOrThrow({ where: { id: cashbackReversalId(rest.body.refundId) } })).amount).toBe(BigInt(4025 - back));
    expect(await prepaid(partner.partnerId, 'EUR')).toBe(0);
    expect(await sys.db.ledgerTransfer.count({ where: { paymentId, lineId: line.lineId, code: { in: ['cashback', 'cashback_reversal'] } } })).toBe(3);
    await deleteNow(env.client, sys, line);
  });

  it("PRT-6: a renewal of a limited partner's product earns it 201.25 − 161.00 = 40.25 EUR; a limited partner of another product gets none; after the partnership ends, the next renewal earns nothing (PRT-7)", async () => {
    const seller = await sellerOffering(sys, { priceCents: 20125, currency: 'EUR', partnerDiscountBp: 2000 });
    const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId: seller.offerId });
    await startSubscription(env.client, sys, line);
    const [mine, other] = [await freshPartner(sys), await freshPartner(sys)];
    const partnershipId = await activePartnership(sys, { customerId: line.customerId, partnerId: mine.partnerId, access: 'limited', productIds: [seller.offerId] });
    await activePartnership(sys, { customerId: line.customerId, partnerId: other.partnerId, access: 'limited', productIds: ['off_some_other_product'] });

    const handle = env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId));
    const firstDue = (await handle.query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(firstDue, MINUTE);
    await waitState(env.client, line.lineId, (s) => s.paidPeriods === 2);
    const period2 = `sub:${line.lineId}:period:2`;
    const transfer = await eventually(() => sys.db.ledgerTransfer.findUnique({ where: { id: cashbackTransferId(period2, line.lineId) } }), 10_000, 'renewal cashback');
    expect(transfer!.amount).toBe(4025n);
    expect(await prepaid(mine.partnerId, 'EUR')).toBe(4025);
    expect(await prepaid(other.partnerId, 'EUR')).toBeNull();

    await sys.db.partnership.update({ where: { id: partnershipId }, data: { status: 'ended', endedAt: new Date(), endedBy: 'customer' } });
    const secondDue = (await handle.query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(secondDue, MINUTE);
    await waitState(env.client, line.lineId, (s) => s.paidPeriods === 3);
    expect(await sys.db.payment.count({ where: { id: `sub:${line.lineId}:period:3`, status: 'captured' } })).toBe(1);
    expect(await sys.db.ledgerTransfer.count({ where: { paymentId: `sub:${line.lineId}:period:3`, code: 'cashback' } })).toBe(0);
    expect(await prepaid(mine.partnerId, 'EUR')).toBe(4025);
    await deleteNow(env.client, sys, line);
  });
});
