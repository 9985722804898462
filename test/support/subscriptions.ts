// Helpers for the subscription tests: a paid order line written straight to the database (with
// its checkout capture in the sandbox ledger), and its Subscription workflow started directly.
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { hashKey } from '../../api/auth';
import { lineAmounts } from '../../domain/money';
import { captureBatch, feeRateBp } from '../../domain/ledger';
import { postBatch } from '../../activities/ledger';
import { TEST_CARDS } from '../../infra/sandbox-gateway';
import { DEMO } from '../../prisma/demo-data';
import { subscriptionStateQuery, subscriptionWorkflow, subscriptionWorkflowId, type SubscriptionView } from '../../workflows/subscription';
import { eventually, http } from './http';
import type { TestSystem } from './system';

export interface SeededLine {
  orderId: string;
  lineId: string;
  customerId: string;
  customerKey: string;
  email: string;
  sellerId: string;
  paidAt: string;
  totalCents: number;
}

export async function seedPaidLine(
  // The database and the gateway are all it needs: the crash test seeds lines on its own system.
  sys: Pick<TestSystem, 'db'> & { activityDeps: Pick<TestSystem['activityDeps'], 'gateway'> },
  /** `sameCustomerAs`: a second line of that line's customer (its account and key reused). */
  opts: { paidAt: string; offerId?: string; type?: 'individual' | 'business'; renewalCard?: string; sameCustomerAs?: SeededLine },
): Promise<SeededLine> {
  const { db, activityDeps } = sys;
  const offer = await db.offer.findUniqueOrThrow({ where: { id: opts.offerId ?? DEMO.offers.acmeMail.id } });
  const u = randomUUID().slice(0, 8);
  const customerId = opts.sameCustomerAs?.customerId ?? `cus_${u}`;
  const customerKey = opts.sameCustomerAs?.customerKey ?? `cust_test_${u}`;
  const email = opts.sameCustomerAs?.email ?? `sub-${u}@example.test`;
  const orderId = `ord_${u}`;
  const lineId = `lin_${u}_1`;
  const amounts = lineAmounts(offer.priceCents, offer.vatRateBp);
  const checkoutCard = await saveTestCard(sys, TEST_CARDS.success);
  const charge = await activityDeps.gateway.charge({
    idempotencyKey: `order:${orderId}:checkout:attempt:1`,
    cardToken: checkoutCard.token,
    amountCents: amounts.totalCents,
    currency: offer.currency,
    description: 'test checkout',
  });
  if (charge.status !== 'captured') throw new Error('checkout charge failed');
  const renewalCard = opts.renewalCard ?? TEST_CARDS.success;
  if (!opts.sameCustomerAs) {
    await db.customer.create({ data: { id: customerId, email, name: `Buyer ${u}`, type: opts.type ?? 'individual', verifiedAt: new Date() } });
    await db.apiKey.create({ data: { hash: hashKey(customerKey), label: email, kind: 'customer', customerId } });
  }
  const card = await saveTestCard(sys, renewalCard, customerId);
  await db.order.create({
    data: {
      id: orderId,
      number: `O-T-${u}`,
      customerId,
      status: 'paid',
      customerEmail: email,
      customerName: `Buyer ${u}`,
      customerType: opts.type ?? 'individual',
      currency: offer.currency,
      totalExclVatCents: amounts.exclVatCents,
      totalVatCents: amounts.vatCents,
      totalCents: amounts.totalCents,
      cardId: card.cardId,
      cardLast4: renewalCard.slice(-4),
      paidAt: new Date(opts.paidAt),
      lines: {
        create: [
          {
            id: lineId,
            position: 1,
            offerId: offer.id,
            sellerId: offer.sellerId,
            name: offer.name,
            priceCents: offer.priceCents,
            currency: offer.currency,
            vatRateBp: offer.vatRateBp,
            vatCents: amounts.vatCents,
            totalCents: amounts.totalCents,
            billingPeriod: offer.billingPeriod,
            commitmentMonths: offer.commitmentMonths,
            status: 'active',
          },
        ],
      },
    },
  });
  const paymentId = `order:${orderId}:checkout`;
  await db.$transaction(async (tx) => {
    await tx.payment.create({
      data: { id: paymentId, orderId, kind: 'checkout', amountCents: amounts.totalCents, currency: offer.currency, status: 'captured', gatewayRef: charge.reference, createdAt: new Date(opts.paidAt) },
    });
    // As the checkout posts it (PAY-1, FEE-1): later refunds of this line reverse its fee.
    const lines = [{ lineId, sellerId: offer.sellerId, amount: BigInt(amounts.totalCents) }];
    await postBatch(tx, `payment:${paymentId}:capture`, opts.paidAt, captureBatch({ paymentId, currency: offer.currency, lines, feeRateBp: feeRateBp() }));
  });
  return { orderId, lineId, customerId, customerKey, email, sellerId: offer.sellerId, paidAt: opts.paidAt, totalCents: amounts.totalCents };
}

export async function startSubscription(client: Client, sys: TestSystem, line: SeededLine): Promise<WorkflowHandleWithFirstExecutionRunId<typeof subscriptionWorkflow>> {
  const handle = await client.workflow.start(subscriptionWorkflow, {
    taskQueue: sys.taskQueue,
    workflowId: subscriptionWorkflowId(line.lineId),
    args: [{ subscriptionId: line.lineId, orderId: line.orderId, customerId: line.customerId, sellerId: line.sellerId, anchor: line.paidAt }],
  });
  await waitState(client, line.lineId, (s) => s.paidPeriods >= 1);
  await eventually(async () => (await sys.db.subscription.findUnique({ where: { id: line.lineId } })) !== null, 20_000, 'subscription row');
  return handle;
}

/** Polls the workflow's state until `check` holds (queries fail until its first task ran). */
export function waitState(client: Client, subscriptionId: string, check: (s: SubscriptionView) => boolean, label = 'subscription state', timeoutMs = 30_000): Promise<SubscriptionView> {
  return waitQuery(client.workflow.getHandle(subscriptionWorkflowId(subscriptionId)), subscriptionStateQuery, check, label, timeoutMs);
}

/** Polls a workflow's Query until `check` holds; on time-out the error shows the last state read. */
export async function waitQuery<T>(handle: WorkflowHandle, query: QueryDefinition<T>, check: (s: T) => boolean, label: string, timeoutMs = 30_000): Promise<T> {
  let last: T | undefined;
  try {
    return await eventually(
      async () => {
        try {
          last = await handle.query(query);
          return check(last) ? last : undefined;
        } catch {
          return undefined;
        }
      },
      timeoutMs,
      label,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last state: ${JSON.stringify(last)}`);
  }
}

export const DAY = 24 * 3600_000;
export const HOUR = 3600_000;
export const MINUTE = 60_000;

/**
 * Ends a subscription the way a customer would (SUB-10: code by e-mail, then confirmation). Tests
 * use it rather than terminating the workflow: a workflow terminated while its activity runs
 * leaves the time-skipping server's clock locked.
 */
export async function deleteNow(client: Client, sys: TestSystem, line: SeededLine): Promise<void> {
  const handle = client.workflow.getHandle(subscriptionWorkflowId(line.lineId));
  for (let attempt = 0; ; attempt++) {
    try {
      const state = await handle.query(subscriptionStateQuery);
      if (state.status === 'terminated') return;
      await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/deletion`, { key: line.customerKey, body: {} });
      const mail = await sys.db.email.findFirstOrThrow({ where: { id: { startsWith: `sub:${line.lineId}:deletion-code:` } }, orderBy: { createdAt: 'desc' } });
      const code = /Confirmation code: (\w+)/.exec(mail.text)![1];
      const confirmed = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/deletion/confirm`, { key: line.customerKey, body: { code } });
      if (confirmed.status !== 200) throw new Error(`deletion not confirmed: ${JSON.stringify(confirmed.body)}`);
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A sandbox test card saved as checkout saves one: the gateway's token in a PaymentCard row. */
export async function saveTestCard(
  sys: Pick<TestSystem, 'db'> & { activityDeps: Pick<TestSystem['activityDeps'], 'gateway'> },
  number: string,
  customerId: string | null = null,
): Promise<{ cardId: string; token: string; last4: string }> {
  const saved = await sys.activityDeps.gateway.saveCard({ number, expMonth: 12, expYear: 2030, cvc: '123' });
  if ('error' in saved) throw new Error(saved.error);
  const cardId = `card_${randomUUID()}`;
  await sys.db.paymentCard.create({ data: { id: cardId, customerId, token: saved.token, last4: saved.last4, brand: saved.brand } });
  return { cardId, token: saved.token, last4: saved.last4 };
}
