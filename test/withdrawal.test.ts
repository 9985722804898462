// Withdrawal from a whole order (SUB-11) on the time-skipping server: driven from the order's
// lines by OrderWithdrawal:<orderId> — undecided lines cancelled through their OrderLine workflow,
// running subscriptions withdrawn, subscriptions ended otherwise (SUB-10) refunded — all in full.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { http } from './support/http';
import { emailSent, linesAwaitingValidation, placeOrder, waitForLineStatus } from './support/orders';
import { DAY, deleteNow, seedPaidLine, startSubscription, waitState } from './support/subscriptions';
import type { TestSystem } from './support/system';
import { lineRefundId } from '../activities/payments';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();
// The mixed order runs last and withdraws at once (day 0, inside the window): after the earlier
// tests' withdrawals, this time-skipping test server stops skipping time (env.sleep hangs).
const withdraw = (orderId: string, key: string) => http(sys.apiUrl, 'POST', `/orders/${orderId}/withdraw`, { key, body: {} });

describe('withdrawal of an order', () => {
  it('SUB-11: a subscription already deleted with the code (SUB-10, no refund) is still refunded by a withdrawal within the window', async () => {
    const line = await seedPaidLine(sys, { paidAt: await nowIso() });
    await startSubscription(env.client, sys, line);
    await env.sleep(2 * DAY);
    await deleteNow(env.client, sys, line);
    const ended = await waitState(env.client, line.lineId, (s) => s.status === 'terminated');
    expect(ended.endReason).toBe('deleted');
    expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(0);

    const res = await withdraw(line.orderId, line.customerKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lines).toEqual([expect.objectContaining({ lineId: line.lineId, outcome: 'refunded_after_end' })]);
    const refunds = await sys.db.refund.findMany({ where: { lineId: line.lineId } });
    expect(refunds.map((r) => r.id)).toEqual([`line:${line.lineId}:withdrawal:order:${line.orderId}:checkout`]);
    expect(refunds[0].amountCents).toBe(line.totalCents);
    expect(await sys.db.sandboxTransaction.count({ where: { kind: 'refund', idempotencyKey: refunds[0].id } })).toBe(1);
    await emailSent(sys.db, `sub:${line.lineId}:withdrawn:customer`);
  });

  it('SUB-11: after the window (individual, day 16) the withdrawal is refused with the reason (422) and nothing is refunded or cancelled', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);
    const acme = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
    const globex = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!;
    expect((await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'ok' } })).status).toBe(200);
    await waitState(env.client, acme.lineId, (s) => s.paidPeriods === 1);
    await env.sleep(16 * DAY);

    const res = await withdraw(order.orderId, order.customerApiKey!);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.reason).toBe('WithdrawalPeriodOver');
    expect(res.body.detail).toContain('14 days for an individual customer');
    expect(await sys.db.refund.count({ where: { lineId: { in: [acme.lineId, globex.lineId] } } })).toBe(0);
    expect((await sys.db.orderLine.findUniqueOrThrow({ where: { id: globex.lineId } })).status).toBe('overdue');
    expect((await waitState(env.client, acme.lineId, () => true)).status).toBe('active');
    // Leave no renewal timer running (the overdue line waits without one).
    await deleteNow(env.client, sys, { ...order, lineId: acme.lineId, customerKey: order.customerApiKey!, sellerId: acme.sellerId, totalCents: acme.totalCents });
  });

  it('SUB-11: individual, within 14 days: an accepted line and a line still awaiting the seller are both refunded in full; the awaiting line is cancelled and cannot be accepted later', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);
    const acme = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
    const globex = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!;
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'https://mail.acme.test' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    await waitState(env.client, acme.lineId, (s) => s.status === 'active' && s.paidPeriods === 1);

    const res = await withdraw(order.orderId, order.customerApiKey!);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('withdrawn');
    const outcomes = Object.fromEntries(res.body.lines.map((l: { lineId: string; outcome: string }) => [l.lineId, l.outcome]));
    expect(outcomes).toEqual({ [acme.lineId]: 'withdrawn', [globex.lineId]: 'cancelled' });

    const s = await waitState(env.client, acme.lineId, (x) => x.status === 'terminated');
    expect(s.endReason).toBe('withdrawn');
    await waitForLineStatus(sys.db, globex.lineId, 'cancelled');
    const line = await sys.db.orderLine.findUniqueOrThrow({ where: { id: globex.lineId } });
    expect(line.cancelReason).toBe('withdrawn by the customer (SUB-11)');

    const refunds = await sys.db.refund.findMany({ where: { lineId: { in: [acme.lineId, globex.lineId] } }, orderBy: { id: 'asc' } });
    expect(refunds.map((r) => [r.id, r.reason, r.amountCents]).sort()).toEqual(
      [
        [`line:${acme.lineId}:withdrawal:order:${order.orderId}:checkout`, 'withdrawal', acme.totalCents],
        [lineRefundId(globex.lineId), 'withdrawal', globex.totalCents],
      ].sort(),
    );
    const transactions = await sys.db.sandboxTransaction.findMany({ where: { kind: 'refund', idempotencyKey: { in: refunds.map((r) => r.id) } } });
    expect(transactions.reduce((t, x) => t + x.amountCents, 0)).toBe(acme.totalCents + globex.totalCents);

    // Too late for the seller: the withdrawn line is decided.
    const late = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${globex.lineId}/accept`, { key: DEMO_KEYS.sellerGlobex, body: { accessInstructions: 'ok' } });
    expect(late.status).toBe(409);
    expect(await sys.db.subscription.findUnique({ where: { id: globex.lineId } })).toBeNull();

    // A repeat returns the same result and moves no money.
    const again = await withdraw(order.orderId, order.customerApiKey!);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await sys.db.sandboxTransaction.count({ where: { kind: 'refund', idempotencyKey: { in: refunds.map((r) => r.id) } } })).toBe(2);
  });
});
