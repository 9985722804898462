// Scenarios of the order process whose histories the replay test keeps replaying.
import { RECORDED_SECRETS } from '../support/history-secrets';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from '../support/environments';
import { expect, it } from 'vitest';
import { TEST_CARDS } from '../../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { emailDeliveryWorkflowId } from '../../workflows/email-delivery';
import { orderWorkflowId } from '../../workflows/order';
import { orderLineWorkflowId } from '../../workflows/order-line';
import { checkoutBody } from '../support/checkout';
import { saveHistory } from '../support/histories';
import { http } from '../support/http';
import { linesAwaitingValidation, placeOrder, newIdempotencyKey } from '../support/orders';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

it('records the order process: accepted, refused, overdue then extended then cancelled, declined', async () => {
  const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id, DEMO.offers.acmeCrm.id] });
  await linesAwaitingValidation(sys.db, order);
  const [accepted, refused, late] = order.lines;
  const line = (l: { lineId: string }) => `/orders/${order.orderId}/lines/${l.lineId}`;
  expect((await http(sys.apiUrl, 'POST', `${line(accepted)}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: RECORDED_SECRETS.accessInstructions } })).status).toBe(200);
  expect((await http(sys.apiUrl, 'POST', `${line(refused)}/refuse`, { key: DEMO_KEYS.sellerGlobex, body: { reason: 'no' } })).status).toBe(200);
  await env.sleep('49 hours');
  expect((await http(sys.apiUrl, 'POST', `${line(late)}/extend`, { key: DEMO_KEYS.ops, body: { hours: 12 } })).status).toBe(200);
  await env.sleep('13 hours');
  expect((await http(sys.apiUrl, 'POST', `${line(late)}/cancel`, { key: DEMO_KEYS.ops, body: { reason: 'unreachable' } })).status).toBe(200);
  await env.client.workflow.getHandle(orderWorkflowId(order.orderId)).result();

  await saveHistory(env.client, orderWorkflowId(order.orderId), 'order--paid-three-lines');
  await saveHistory(env.client, orderLineWorkflowId(accepted.lineId), 'order-line--accepted');
  await saveHistory(env.client, orderLineWorkflowId(refused.lineId), 'order-line--refused');
  await saveHistory(env.client, orderLineWorkflowId(late.lineId), 'order-line--overdue-extended-cancelled');
  // the purchase order's delivery, beside the order process.
  const delivery = env.client.workflow.getHandle(emailDeliveryWorkflowId(`order:${order.orderId}:purchase-order`));
  await delivery.result();
  await saveHistory(env.client, delivery.workflowId, 'email-delivery--purchase-order');

  const declined = await http(sys.apiUrl, 'POST', '/checkout', { body: checkoutBody({ card: TEST_CARDS.declined }), headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(declined.status).toBe(402);
  await saveHistory(env.client, orderWorkflowId(declined.body.orderId), 'order--declined');
});
