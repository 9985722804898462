// Scenario of an order withdrawal (SUB-11) whose history the replay test keeps replaying.
import { RECORDED_SECRETS } from '../support/history-secrets';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from '../support/environments';
import { expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { orderWithdrawalWorkflowId } from '../../workflows/order-withdrawal';
import { saveHistory } from '../support/histories';
import { http } from '../support/http';
import { linesAwaitingValidation, placeOrder } from '../support/orders';
import { waitState } from '../support/subscriptions';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

it('records an order withdrawal: one line accepted (subscription withdrawn), one still with its seller (cancelled)', async () => {
  const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
  await linesAwaitingValidation(sys.db, order);
  const acme = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
  expect((await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: RECORDED_SECRETS.accessInstructions } })).status).toBe(200);
  await waitState(env.client, acme.lineId, (s) => s.paidPeriods === 1);
  const res = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/withdraw`, { key: order.customerApiKey!, body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await saveHistory(env.client, orderWithdrawalWorkflowId(order.orderId), 'order-withdrawal--accepted-and-awaiting');
});
