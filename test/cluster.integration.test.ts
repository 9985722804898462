// The production topology (`npm run cluster`) in CI: the Temporal server's four services as
// separate processes on PostgreSQL, two workers and two APIs. An order goes through each API
// (checkout on one, the sellers' accepts on the other), then a worker is SIGKILLed before a
// durable deadline falls due: the renewal timer still fires, once, on the surviving worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { ApiClient } from '../bench/support/api-client';
import { startProcessSystem, type ProcessSystem } from '../bench/support/process-system';
import { checkRenewals, startSubscriptionsDueSoon } from '../bench/crash/renewals';
import { demoSellerKey } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { waitQuery } from './support/subscriptions';
import { subscriptionStateQuery, subscriptionWorkflowId } from '../workflows/subscription';

let sys: ProcessSystem;
let connection: Connection;
let temporal: Client;

beforeAll(async () => {
  sys = await startProcessSystem({ topology: 'cluster' });
  connection = await Connection.connect({ address: sys.temporalAddress });
  // payloads are encrypted with the keys the system's processes get.
  temporal = new Client({ connection, dataConverter: sys.dataConverter });
}, 240_000);

afterAll(async () => {
  await connection?.close();
  await sys?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the cluster topology', () => {
  it('runs the Temporal services as separate processes on PostgreSQL, with two workers and two APIs', async () => {
    const pids = sys.pids();
    for (const role of ['temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker', 'worker-1', 'worker-2', 'api-1', 'api-2', 'postgres']) {
      expect(pids[role], role).toBeGreaterThan(0);
    }
    expect(new Set(Object.values(pids)).size).toBe(Object.keys(pids).length);
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBe('1.29.1');
  });

  it('ORD-4, ORD-6, SUB-3, X-1: an order through each API; a worker killed before a renewal falls due; the deadline fires once', async () => {
    const [apiA, apiB] = sys.apiUrls.map((url) => new ApiClient(url, 60_000));
    for (const [i, [placeOn, acceptOn]] of [[apiA, apiB], [apiB, apiA]].entries()) {
      const checkout = await placeOn.call('POST', '/checkout', { body: checkoutBody({ email: `cluster-${i}@example.test` }), headers: { 'idempotency-key': `cluster-smoke-${i}` } });
      expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
      // the anonymous buyer gets an order token, which the other API honours too (one secret).
      expect(checkout.body.orderToken).toMatch(/^ot1\./);
      expect(checkout.body.customerApiKey).toBeUndefined();
      const followed = await acceptOn.call('GET', `/orders/${checkout.body.orderId}`, { key: checkout.body.orderToken });
      expect(followed.status, JSON.stringify(followed.body)).toBe(200);
      expect(followed.body).toMatchObject({ orderId: checkout.body.orderId, status: 'paid' });
      for (const line of checkout.body.lines as { lineId: string; sellerId: string }[]) {
        const path = `/orders/${checkout.body.orderId}/lines/${line.lineId}`;
        const key = demoSellerKey(line.sellerId);
        await acceptOn.waitFor(path, key, (b) => b?.status === 'awaiting_validation', 60_000, 100);
        const accepted = await acceptOn.call('POST', `${path}/accept`, { key, body: { accessInstructions: 'https://access.example.test' } });
        expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
        expect(accepted.body.status).toBe('active');
      }
    }

    // Started after the orders (two checkouts under CI load took longer than a fixed lead), and
    // run once by a worker (the Query answers) so that one of them holds it in its cache.
    const due = await startSubscriptionsDueSoon(sys.db, temporal, sys.taskQueue, { count: 1, firstInMs: 12_000, spreadMs: 0 });
    await waitQuery(temporal.workflow.getHandle(subscriptionWorkflowId(due[0].lineId)), subscriptionStateQuery, () => true, 'the subscription due soon');
    // The worker that may hold the subscription in its cache dies; the other one takes over.
    await sys.killWorker(0);
    const dueAt = Date.parse(due[0].dueAt);
    expect(Date.now()).toBeLessThan(dueAt);
    const deadline = dueAt + 90_000;
    while ((await sys.db.payment.count({ where: { lineId: due[0].lineId, kind: 'renewal' } })) === 0 && Date.now() < deadline) await sleep(500);
    await sys.startWorker(0);
    await sleep(3_000); // a second firing, if any, would show by now
    const renewals = await checkRenewals(sys.db, due);
    expect(renewals.violations).toEqual([]);
    expect(renewals.onTimeOnce).toBe(1);
  }, 180_000);
});
