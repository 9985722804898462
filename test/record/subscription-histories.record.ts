// Scenarios of the subscription lifecycle whose histories the replay test keeps replaying.
import { RECORDED_SECRETS } from '../support/history-secrets';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from '../support/environments';
import { expect, it } from 'vitest';
import { TEST_CARDS } from '../../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { orderLineWorkflowId } from '../../workflows/order-line';
import { randomUUID } from 'node:crypto';
import { trialEnd } from '../../domain/commercial-policy';
import {
  changeQuantityUpdate,
  payNextPeriodUpdate,
  setRenewalModeUpdate,
  subscriptionWorkflow,
  subscriptionWorkflowId,
  terminateUpdate,
  updateCardUpdate,
  withdrawTerminationUpdate,
} from '../../workflows/subscription';
import { saveAllRuns, saveHistory } from '../support/histories';
import { http } from '../support/http';
import { linesAwaitingValidation, placeOrder } from '../support/orders';
import { MINUTE, deleteNow, seedPaidLine, startSubscription, waitState, saveTestCard } from '../support/subscriptions';
import type { TestSystem } from '../support/system';

/** A card saved with the gateway, as the API saves one, for the updateCard Update (X-7: by id). */
async function card(number: string, last4?: string): Promise<{ cardId: string; last4: string }> {
  const saved = await saveTestCard(sys, number);
  return { cardId: saved.cardId, last4: last4 ?? saved.last4 };
}


let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

async function sleepPast(iso: string): Promise<void> {
  await env.sleep(Date.parse(iso) + MINUTE - (await env.currentTimeMs()));
}

it('records a subscription started by an accepted line, renewed, then steered by every command', async () => {
  // An accepted line starts its subscription, which renews once.
  const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
  await linesAwaitingValidation(sys.db, order);
  const [line] = order.lines;
  const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: RECORDED_SECRETS.accessInstructions } });
  expect(accepted.status).toBe(200);
  const started = await waitState(env.client, line.lineId, (s) => s.paidPeriods >= 1);
  const firstRunA = (await env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId)).describe()).runId;
  await sleepPast(started.nextDueAt!);
  await waitState(env.client, line.lineId, (s) => s.paidPeriods >= 2);
  await env.client.workflow.getHandle(orderLineWorkflowId(line.lineId)).result();
  await saveHistory(env.client, orderLineWorkflowId(line.lineId), 'order-line--accepted-starts-subscription');

  // A declined renewal, a card update, termination and its withdrawal, manual mode, payment in
  // advance, immediate deletion.
  const seeded = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), renewalCard: TEST_CARDS.declined });
  const handle = await startSubscription(env.client, sys, seeded);
  const firstRunB = handle.firstExecutionRunId;
  const s1 = await waitState(env.client, seeded.lineId, (s) => s.paidPeriods >= 1);
  await sleepPast(s1.nextDueAt!);
  await waitState(env.client, seeded.lineId, (s) => s.status === 'past_due');
  await handle.executeUpdate(updateCardUpdate, { args: [await card(TEST_CARDS.success, '4242')] });
  await waitState(env.client, seeded.lineId, (s) => s.status === 'active' && s.paidPeriods >= 2);
  await handle.executeUpdate(terminateUpdate);
  await handle.executeUpdate(withdrawTerminationUpdate);
  await handle.executeUpdate(setRenewalModeUpdate, { args: [{ mode: 'manual' }] });
  await handle.executeUpdate(payNextPeriodUpdate);
  await deleteNow(env.client, sys, seeded);
  await handle.result();

  expect(await saveAllRuns(env.client, subscriptionWorkflowId(line.lineId), firstRunA, 'subscription--from-checkout-renewed')).toBeGreaterThanOrEqual(2);
  expect(await saveAllRuns(env.client, subscriptionWorkflowId(seeded.lineId), firstRunB, 'subscription--past-due-card-terminate-undo-manual-advance-delete')).toBeGreaterThanOrEqual(2);
});

it('records a free trial announced a price rise, converted at its end, its quantity raised and lowered, renewed at the new price', async () => {
  // An offer of its own, whose price rises between the order and the subscription's start.
  const offerId = `off_rec_${randomUUID().slice(0, 8)}`;
  await sys.db.offer.create({ data: { id: offerId, sellerId: DEMO.sellers.acme.id, name: 'Recorded trial offer', priceCents: 1000, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, trialDays: 14 } });
  const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId });
  // As checkout writes a trial line (POL-1): nothing charged, the trial's end.
  await sys.db.orderLine.update({ where: { id: line.lineId }, data: { unitPriceCents: 1000, totalCents: 0, trialEndsAt: new Date(trialEnd(line.paidAt, 14, 'Europe/Paris')) } });
  await sys.db.offer.update({ where: { id: offerId }, data: { priceCents: 1050 } });
  const handle = await env.client.workflow.start(subscriptionWorkflow, {
    taskQueue: sys.taskQueue,
    workflowId: subscriptionWorkflowId(line.lineId),
    args: [{ subscriptionId: line.lineId, orderId: line.orderId, customerId: line.customerId, sellerId: line.sellerId, anchor: line.paidAt }],
  });
  const trial = await waitState(env.client, line.lineId, (s) => s.status === 'trialing' && s.nextPrice !== null);
  await sleepPast(trial.nextDueAt!);
  const converted = await waitState(env.client, line.lineId, (s) => s.paidPeriods >= 1);
  await handle.executeUpdate(changeQuantityUpdate, { args: [{ quantity: 3 }] });
  await handle.executeUpdate(changeQuantityUpdate, { args: [{ quantity: 2 }] });
  await sleepPast(converted.nextDueAt!);
  const renewed = await waitState(env.client, line.lineId, (s) => s.paidPeriods >= 2);
  expect(renewed).toMatchObject({ unitPriceCents: 1050, quantity: 2 });
  await deleteNow(env.client, sys, line);
  await handle.result();
  expect(await saveAllRuns(env.client, subscriptionWorkflowId(line.lineId), handle.firstExecutionRunId, 'subscription--trial-price-rise-converted-quantity-renewed')).toBeGreaterThanOrEqual(3);
});
