// The order process on the time-skipping server: the 48-hour validation deadline at its boundary
// (ORD-7), decisions and refunds (ORD-6), declined and repeated checkouts (ORD-4).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { acceptLineUpdate, orderLineWorkflowId } from '../workflows/order-line';
import { checkoutBody } from './support/checkout';
import { http } from './support/http';
import { emailSent, lineState, linesAwaitingValidation, mailboxTo, placeOrder, waitForLineStatus, type PlacedOrder, newIdempotencyKey } from './support/orders';
import type { TestSystem } from './support/system';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

/** Sleeps on the server's clock until `ms` before the line's validation deadline. */
async function sleepUntilBefore(dueAtIso: string, ms: number): Promise<void> {
  const now = await env.currentTimeMs();
  await env.sleep(Date.parse(dueAtIso) - ms - now);
}

async function orderWithLinesPending(opts: Parameters<typeof placeOrder>[1] = {}): Promise<PlacedOrder> {
  const order = await placeOrder(sys.apiUrl, opts);
  await linesAwaitingValidation(sys.db, order);
  return order;
}

const overdueEmails = (lineId: string, round: number) => [`line:${lineId}:overdue:${round}:ops`, `line:${lineId}:overdue:${round}:customer`];

describe('seller validation deadline', () => {
  it('ORD-7: a line unanswered at 47h59 is still awaiting validation; at 48h00 it is overdue, ops alerted and the customer e-mailed', async () => {
    const order = await orderWithLinesPending();
    const [line] = order.lines;
    const state = await lineState(sys.apiUrl, order, line.lineId);
    expect(Date.parse(state.validationDueAt) - Date.parse(order.paidAt)).toBe(48 * HOUR);

    await sleepUntilBefore(state.validationDueAt, MINUTE); // 47h59 after payment
    expect((await lineState(sys.apiUrl, order, line.lineId)).status).toBe('awaiting_validation');
    expect(await sys.db.email.count({ where: { id: { in: overdueEmails(line.lineId, 1) } } })).toBe(0);

    await sleepUntilBefore(state.validationDueAt, 0); // 48h00
    await waitForLineStatus(sys.db, line.lineId, 'overdue');
    const ops = await emailSent(sys.db, `line:${line.lineId}:overdue:1:ops`);
    const customer = await emailSent(sys.db, `line:${line.lineId}:overdue:1:customer`);
    expect(ops.email.toAddress).toBe('ops@marketplace.test');
    expect(customer.email.toAddress).toBe(order.email);
    expect(customer.email.text).toContain('support@marketplace.test');
    expect(ops.received).toHaveLength(1);
    expect(customer.received).toHaveLength(1);
    expect((await lineState(sys.apiUrl, order, line.lineId)).status).toBe('overdue');

    const list = await http(sys.apiUrl, 'GET', '/ops/lines?status=overdue', { key: DEMO_KEYS.ops });
    expect(list.body.items.map((l: { lineId: string }) => l.lineId)).toContain(line.lineId);
    // The audit log has the change once, by the system, from the line's workflow.
    const audit = await sys.db.auditLog.findMany({ where: { entityId: line.lineId, action: 'line.overdue' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'system', workflowId: orderLineWorkflowId(line.lineId) });
  });

  it('ORD-7: the seller can still accept an overdue line; the customer receives the access instructions', async () => {
    const order = await orderWithLinesPending({ offers: [DEMO.offers.acmeMail.id] });
    const [line] = order.lines;
    const { validationDueAt } = await lineState(sys.apiUrl, order, line.lineId);
    await sleepUntilBefore(validationDueAt, -HOUR);
    await waitForLineStatus(sys.db, line.lineId, 'overdue');

    const res = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/accept`, {
      key: DEMO_KEYS.sellerAcme,
      body: { accessInstructions: 'Sign in at https://mail.acme.test' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'active', deadlinesMissed: 1, decidedBy: 'seller:sel_acme' });
    const access = await emailSent(sys.db, `line:${line.lineId}:access`);
    expect(access.email.text).toContain('Sign in at https://mail.acme.test');
  });

  it('ORD-7: ops grant 24 more hours: the line waits again and becomes overdue a second time at the new deadline', async () => {
    const order = await orderWithLinesPending({ offers: [DEMO.offers.acmeMail.id] });
    const [line] = order.lines;
    const first = await lineState(sys.apiUrl, order, line.lineId);
    await sleepUntilBefore(first.validationDueAt, -MINUTE);
    await waitForLineStatus(sys.db, line.lineId, 'overdue');
    await emailSent(sys.db, `line:${line.lineId}:overdue:1:customer`);

    const granted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/extend`, { key: DEMO_KEYS.ops, body: { hours: 24 } });
    expect(granted.status).toBe(200);
    expect(granted.body.status).toBe('awaiting_validation');
    const grantedAt = Date.parse(granted.body.extensions[0].at);
    expect(Date.parse(granted.body.validationDueAt) - grantedAt).toBe(24 * HOUR);

    await sleepUntilBefore(granted.body.validationDueAt, MINUTE);
    expect((await lineState(sys.apiUrl, order, line.lineId)).status).toBe('awaiting_validation');
    await sleepUntilBefore(granted.body.validationDueAt, 0);
    await waitForLineStatus(sys.db, line.lineId, 'overdue');
    await emailSent(sys.db, `line:${line.lineId}:overdue:2:ops`);
    const state = await lineState(sys.apiUrl, order, line.lineId);
    expect(state.deadlinesMissed).toBe(2);
    expect(await mailboxTo(sys.db, 'ops@marketplace.test').then((m) => m.filter((x) => x.subject.includes(line.lineId)))).toHaveLength(2);
  });

  it('ORD-7: ops cancel an overdue line: it is refunded in full and the customer is told', async () => {
    const order = await orderWithLinesPending();
    const [line, other] = order.lines;
    const { validationDueAt } = await lineState(sys.apiUrl, order, line.lineId);
    await sleepUntilBefore(validationDueAt, -MINUTE);
    await waitForLineStatus(sys.db, line.lineId, 'overdue');

    const res = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/cancel`, {
      key: DEMO_KEYS.ops,
      body: { reason: 'Seller unreachable' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const refund = await sys.db.refund.findUniqueOrThrow({ where: { id: `line:${line.lineId}:refund` } });
    expect(refund.amountCents).toBe(line.totalCents);
    expect(await sys.db.sandboxTransaction.count({ where: { kind: 'refund', idempotencyKey: refund.id } })).toBe(1);
    const mail = await emailSent(sys.db, `line:${line.lineId}:refunded`);
    expect(mail.email.text).toContain('Seller unreachable');
    // The other line of the order is untouched.
    expect((await sys.db.orderLine.findUniqueOrThrow({ where: { id: other.lineId } })).status).toBe('overdue');
  });
});

describe('seller decisions', () => {
  it('ORD-6: the seller refuses with a reason: the line is refunded in full and the customer is told why', async () => {
    const order = await orderWithLinesPending();
    const line = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!;
    const path = `/orders/${order.orderId}/lines/${line.lineId}/refuse`;

    const noReason = await http(sys.apiUrl, 'POST', path, { key: DEMO_KEYS.sellerGlobex, body: { reason: '  ' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('body.reason');

    const res = await http(sys.apiUrl, 'POST', path, { key: DEMO_KEYS.sellerGlobex, body: { reason: 'Region not served' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'refused', refusalReason: 'Region not served' });
    const refunds = await sys.db.refund.findMany({ where: { lineId: line.lineId } });
    expect(refunds).toHaveLength(1);
    expect(refunds[0].amountCents).toBe(line.totalCents);
    const mail = await emailSent(sys.db, `line:${line.lineId}:refunded`);
    expect(mail.email.text).toContain('Region not served');
    expect(mail.email.toAddress).toBe(order.email);
  });

  it('ORD-6: accepting a line twice, or a line of another seller, is refused with a reason', async () => {
    const order = await orderWithLinesPending({ offers: [DEMO.offers.acmeMail.id] });
    const [line] = order.lines;
    const path = `/orders/${order.orderId}/lines/${line.lineId}/accept`;
    const body = { accessInstructions: 'https://mail.acme.test' };

    const foreign = await http(sys.apiUrl, 'POST', path, { key: DEMO_KEYS.sellerGlobex, body });
    expect(foreign.status).toBe(403);
    // The workflow's own validator refuses it too, for a caller that bypasses the API.
    const handle = env.client.workflow.getHandle(orderLineWorkflowId(line.lineId));
    const direct = await handle.executeUpdate(acceptLineUpdate, { args: [{ sellerId: DEMO.sellers.globex.id, accessInstructionsId: 'acc_x' }] }).catch((e) => e);
    expect(direct).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(direct.cause?.message)).toContain('belongs to another seller');

    expect((await http(sys.apiUrl, 'POST', path, { key: DEMO_KEYS.sellerAcme, body })).status).toBe(200);
    const again = await http(sys.apiUrl, 'POST', path, { key: DEMO_KEYS.sellerAcme, body });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('already active');
    expect(again.contentType).toContain('application/problem+json');
  });
});

describe('checkout payment', () => {
  it.each([
    [TEST_CARDS.declined, 'card_declined'],
    [TEST_CARDS.insufficientFunds, 'insufficient_funds'],
    [TEST_CARDS.stolen, 'stolen_card'],
  ])('ORD-4, X-8: a declined card (%s) fails the order with the reason; nothing is charged or sent to sellers; no account nor key is created', async (card, code) => {
    const body = checkoutBody({ card });
    const res = await http(sys.apiUrl, 'POST', '/checkout', { body, headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(res.status).toBe(402);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
    const order = await sys.db.order.findUniqueOrThrow({ where: { id: res.body.orderId }, include: { lines: true } });
    expect(order.status).toBe('payment_failed');
    expect(order.lines.every((l) => l.status === 'payment_failed')).toBe(true);
    // Nothing captured under any attempt of the checkout; the one attempt is recorded as declined.
    expect(await sys.db.sandboxTransaction.count({ where: { idempotencyKey: { startsWith: `order:${order.id}:checkout` } } })).toBe(0);
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: `order:${order.id}:checkout` } })).toMatchObject({ status: 'declined', gatewayKey: `order:${order.id}:checkout:attempt:1`, declineCode: code });
    const result = await env.client.workflow.getHandle(`Order:${order.id}`).result();
    expect(result.status).toBe('payment_failed');
    expect(await sys.db.email.count({ where: { id: { in: order.lines.map((l) => `line:${l.id}:to-validate`) } } })).toBe(0);
    // a new address gets its account only once paid: a declined first checkout leaves none.
    expect(order.customerId).toBeNull();
    expect(await sys.db.customer.count({ where: { email: body.customer.email } })).toBe(0);
    expect(await sys.db.apiKey.count({ where: { label: body.customer.email } })).toBe(0);
  });

  it('ORD-4: a checkout repeated with the same Idempotency-Key returns the first result and charges once', async () => {
    const body = checkoutBody();
    const headers = { 'idempotency-key': 'repeat-checkout-0001' };
    const [a, b] = await Promise.all([
      http(sys.apiUrl, 'POST', '/checkout', { body, headers }),
      http(sys.apiUrl, 'POST', '/checkout', { body, headers }),
    ]);
    const c = await http(sys.apiUrl, 'POST', '/checkout', { body, headers });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(b.body.orderId).toBe(a.body.orderId);
    // Every repeat gets the first answer, its order token included (rebuilt, never stored).
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    expect(a.body.orderToken).toMatch(/^ot1\./);
    // The same card again is the same request (card data is not part of it): still one order.
    const otherCard = await http(sys.apiUrl, 'POST', '/checkout', { body: { ...body, card: { ...body.card, number: TEST_CARDS.declined } }, headers });
    expect(otherCard.status).toBe(201);
    expect(otherCard.body).toEqual(a.body);
    const customer = await sys.db.customer.findUniqueOrThrow({ where: { email: body.customer.email }, include: { orders: true } });
    expect(customer.orders).toHaveLength(1);
    expect(await sys.db.sandboxTransaction.count({ where: { kind: 'charge', idempotencyKey: { startsWith: `order:${a.body.orderId}:checkout` } } })).toBe(1);

    const changed = await http(sys.apiUrl, 'POST', '/checkout', { body: { ...body, lines: [{ offerId: DEMO.offers.acmeMail.id }] }, headers });
    expect(changed.status).toBe(422);
    expect(changed.body.errors[0].field).toBe('headers.idempotency-key');
  });

  it('ORD-4: a capture whose reply was lost is retried under the same key and charged once', async () => {
    const res = await http(sys.apiUrl, 'POST', '/checkout', { body: checkoutBody({ card: TEST_CARDS.failsOnceThenSucceeds }), headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(res.status).toBe(201);
    const paymentId = `order:${res.body.orderId}:checkout`;
    const key = `${paymentId}:attempt:1`;
    // One capture under the attempt's key, whose reply was lost once: the retry got it back.
    expect(await sys.db.sandboxTransaction.count({ where: { idempotencyKey: { startsWith: paymentId } } })).toBe(1);
    expect(await sys.db.sandboxTransaction.count({ where: { idempotencyKey: key, kind: 'charge' } })).toBe(1);
    expect(await sys.db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: key } })).toMatchObject({ attempts: 2, status: 'captured' });
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ amountCents: res.body.totalCents, status: 'captured', gatewayKey: key });
  });
});
