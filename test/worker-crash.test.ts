// the 48-hour deadline lives in the Temporal server, not in a worker. A worker process is
// killed with SIGKILL during the wait, the deadline passes while no worker runs, and the worker
// is killed again once the deadline's work has begun: the deadline fires once, every e-mail once.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnv } from './support/environments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoSellerKey } from '../prisma/demo-data';
import { eventually, http } from './support/http';
import { emailSent, linesAwaitingValidation, placeOrder } from './support/orders';
import { startTestSystem, type TestSystem } from './support/system';
import { spawnWorker, type WorkerProcess } from './support/worker-process';

const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let sys: TestSystem;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  env = await timeSkippingEnv();
  sys = await startTestSystem({ client: env.client, nativeConnection: env.nativeConnection, withWorker: false });
});

afterAll(async () => {
  await worker?.kill();
  await sys?.stop();
  await env?.teardown();
});

/**
 * Waits on the test server's clock: the lost tasks of a killed worker are handed to the new one
 * when their timeouts expire, and those timeouts run on that clock, which moves only in sleep.
 */
async function onServerClock(check: () => Promise<boolean>, stepMs = 2000, maxSteps = 60): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (await check()) return;
    await env.sleep(stepMs);
  }
  throw new Error('condition not met on the server clock');
}

describe('worker crashes', () => {
  it('X-1: a worker killed (SIGKILL) during the 48-hour wait and started again: the deadline fires once, nothing lost or doubled', async () => {
    worker = await spawnWorker(env.address, sys);
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);
    const [line, other] = order.lines;
    const dueAt = (await sys.db.orderLine.findUniqueOrThrow({ where: { id: line.lineId } })).validationDueAt!.getTime();

    // Killed mid-wait; the deadline passes while no worker runs.
    await env.sleep(24 * HOUR);
    await worker.kill('SIGKILL');
    // (Past the deadline the server stops skipping time: the fired timers wait for a worker.)
    await env.sleep(dueAt + 1000 - (await env.currentTimeMs()));
    expect((await sys.db.orderLine.findUniqueOrThrow({ where: { id: line.lineId } })).status).toBe('awaiting_validation');

    // A new worker picks the fired timers up; it is killed again once the line is overdue.
    worker = await spawnWorker(env.address, sys);
    await onServerClock(async () => (await sys.db.orderLine.findUniqueOrThrow({ where: { id: line.lineId } })).status === 'overdue');
    await worker.kill('SIGKILL');
    worker = await spawnWorker(env.address, sys);

    // Whatever the killed worker left unfinished is retried after its 10 s start-to-close.
    const ids = [line, other].flatMap((l) => [`line:${l.lineId}:overdue:1:ops`, `line:${l.lineId}:overdue:1:customer`]);
    await onServerClock(async () => (await sys.db.email.count({ where: { id: { in: ids }, status: 'sent' } })) === ids.length);
    for (const id of ids) {
      // Each attempt transmits at most once: a second copy only as a resend after a killed attempt.
      const { email, received } = await emailSent(sys.db, id);
      expect(received[0].copies).toBeLessThanOrEqual(email.attempts);
    }
    // Let any duplicate surface before counting.
    await new Promise((r) => setTimeout(r, 1000));
    for (const l of [line, other]) {
      const alerts = await sys.db.mailboxMessage.findMany({ where: { subject: { contains: l.lineId }, toAddrs: 'ops@marketplace.test' } });
      expect(alerts).toHaveLength(1);
      const customerMails = await sys.db.email.findMany({ where: { id: { startsWith: `line:${l.lineId}:overdue:` } } });
      expect(customerMails.map((m) => m.id).sort()).toEqual([`line:${l.lineId}:overdue:1:customer`, `line:${l.lineId}:overdue:1:ops`]);
      expect(await sys.db.auditLog.count({ where: { entityId: l.lineId, action: 'line.overdue' } })).toBe(1);
    }
    const received = await sys.db.mailboxMessage.findMany({ where: { toAddrs: order.email } });
    expect(received.filter((m) => m.subject.includes('is late'))).toHaveLength(2);
    expect(received.filter((m) => m.subject.startsWith('Purchase order'))).toHaveLength(1);

    // The restarted worker carries on: the seller accepts, once, and the charge was taken once.
    const accept = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/accept`, {
      key: demoSellerKey(line.sellerId),
      body: { accessInstructions: 'after the crash' },
    });
    expect(accept.status).toBe(200);
    await eventually(async () => (await sys.db.email.findUnique({ where: { id: `line:${line.lineId}:access` } }))?.status === 'sent');
    // One capture for the order, under its one checkout attempt's key.
    expect(await sys.db.sandboxTransaction.count({ where: { kind: 'charge', idempotencyKey: { startsWith: `order:${order.orderId}:checkout` } } })).toBe(1);
    expect((await sys.db.payment.findUniqueOrThrow({ where: { id: `order:${order.orderId}:checkout` } })).gatewayKey).toBe(`order:${order.orderId}:checkout:attempt:1`);
  });
});
