// One crash-test order driven over HTTP as its customer and sellers would: checkout with an
// Idempotency-Key, wait for the lines to reach their sellers, then the scenario's commands. Every
// call is retried through outages; a command retried after its answer was lost may meet its own
// earlier success (409 "already decided"), which is fine only on a retry.
import { DEMO_KEYS, demoSellerKey } from '../../prisma/demo-data';
import { checkoutBody } from '../../test/support/checkout';
import type { ApiClient, ApiResponse } from '../support/api-client';
import { cardFor, expectedLines, type Scenario } from './plan';

export interface DrivenOrder {
  index: number;
  scenario: Scenario;
  orderId: string;
  customerId?: string;
  customerKey?: string;
  email: string;
  lines: { lineId: string; sellerId: string }[];
  /** Answers that break a rule, e.g. a 409 on a first attempt. */
  anomalies: string[];
  /** From checkout to the scenario's end state, as seen through the API. */
  seconds: number;
}

export async function driveOrder(api: ApiClient, runId: string, index: number, scenario: Scenario): Promise<DrivenOrder> {
  const started = Date.now();
  const email = `crash-${runId}-${index}@example.test`;
  const anomalies: string[] = [];
  const checkout = await api.call('POST', '/checkout', { body: checkoutBody({ email, card: cardFor(scenario) }), headers: { 'idempotency-key': `crash-${runId}-${index}` } });
  const expectedStatus = scenario === 'declined' ? 402 : 201;
  if (checkout.status !== expectedStatus) throw new Error(`order ${index} (${scenario}): checkout answered ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const order: DrivenOrder = {
    index,
    scenario,
    orderId: checkout.body.orderId,
    customerId: checkout.body.customerId,
    customerKey: checkout.body.customerApiKey,
    email,
    lines: (checkout.body.lines ?? []).map((l: { lineId: string; sellerId: string }) => ({ lineId: l.lineId, sellerId: l.sellerId })),
    anomalies,
    seconds: 0,
  };
  const done = () => ({ ...order, seconds: Math.round((Date.now() - started) / 100) / 10 });
  if (scenario === 'declined') return done();
  if (!order.customerKey) throw new Error(`order ${index}: a new customer got no API key`);

  const linePath = (lineId: string) => `/orders/${order.orderId}/lines/${lineId}`;
  for (const line of order.lines) {
    await api.waitFor(linePath(line.lineId), DEMO_KEYS.admin, (b) => b?.status === 'awaiting_validation');
  }
  /** A command's answer: 200, or 409 when an earlier attempt (answer lost) already did it. */
  const expectDone = (what: string, res: ApiResponse) => {
    if (res.status === 200) return;
    if (res.status === 409 && res.retries > 0) return;
    anomalies.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)} after ${res.retries} retries`);
  };
  const [first, second] = order.lines;
  const accept = async (line: { lineId: string; sellerId: string }) =>
    expectDone(`accept ${line.lineId}`, await api.call('POST', `${linePath(line.lineId)}/accept`, { key: demoSellerKey(line.sellerId), body: { accessInstructions: `https://access.example.test/${line.lineId}` } }));

  switch (scenario) {
    case 'accept-both':
      await Promise.all([accept(first), accept(second)]);
      break;
    case 'accept-and-refuse':
      await accept(first);
      expectDone(`refuse ${second.lineId}`, await api.call('POST', `${linePath(second.lineId)}/refuse`, { key: demoSellerKey(second.sellerId), body: { reason: 'Region not served' } }));
      break;
    case 'undecided':
      break;
    case 'withdraw': {
      // A repeated withdrawal returns the first one's result: 200 either way, every line cancelled.
      const res = await api.call('POST', `/orders/${order.orderId}/withdraw`, { key: order.customerKey, body: {} });
      expectDone('withdraw', res);
      const outcomes = (res.body?.lines ?? []).map((l: { outcome: string }) => l.outcome);
      if (res.status === 200 && outcomes.join() !== 'cancelled,cancelled') anomalies.push(`withdrawal outcomes ${outcomes.join()}`);
      break;
    }
    case 'retried-charge-then-manual':
      await Promise.all([accept(first), accept(second)]);
      await api.waitFor(`/subscriptions/${first.lineId}`, order.customerKey, (b, status) => status === 200 && b?.status === 'active');
      expectDone('renewal-mode manual', await api.call('POST', `/subscriptions/${first.lineId}/renewal-mode`, { key: order.customerKey, body: { mode: 'manual' } }));
      break;
  }
  const expected = expectedLines(scenario);
  for (const [i, line] of order.lines.entries()) {
    await api.waitFor(linePath(line.lineId), DEMO_KEYS.admin, (b) => b?.status === expected[i]);
  }
  return done();
}
