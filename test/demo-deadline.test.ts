// The quick start's way to watch ORD-7 fire: DEMO_VALIDATION_MINUTES gives sellers minutes instead
// of 48 hours (scripts/start.ts only; the production API never sets it). The line goes overdue on
// the real dev server, through the same workflows, with its deadline recorded and shown.
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { generousRateLimits } from '../api/rate-limit';
import { listenApi } from '../api/server';
import { createSandboxGateway } from '../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import { emailSent, placeOrder, waitForLineStatus } from './support/orders';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

describe('the demo validation window', () => {
  it('ORD-7: with DEMO_VALIDATION_MINUTES a line no seller answers goes overdue after those minutes, and ops are alerted', async () => {
    const minutes = 0.1; // 6 seconds
    const app = createApp({ db: sys.db, temporal: env.client, gateway: createSandboxGateway(sys.db), taskQueue: sys.taskQueue, mailboxEnabled: true, rateLimits: generousRateLimits(), demoValidationWindowMinutes: minutes });
    const server = await listenApi(app, 0, '127.0.0.1');
    const demoApi = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const order = await placeOrder(demoApi, { offers: [DEMO.offers.acmeMail.id] });
      const line = order.lines[0];
      await waitForLineStatus(sys.db, line.lineId, 'awaiting_validation');
      const row = await sys.db.orderLine.findUniqueOrThrow({ where: { id: line.lineId } });
      const paid = await sys.db.order.findUniqueOrThrow({ where: { id: order.orderId } });
      expect(row.validationDueAt!.getTime() - paid.paidAt!.getTime()).toBe(minutes * 60_000);
      await waitForLineStatus(sys.db, line.lineId, 'overdue', 30_000);
      const view = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}/lines/${line.lineId}`, { key: DEMO_KEYS.ops });
      expect(view.body).toMatchObject({ status: 'overdue', deadlinesMissed: 1 });
      expect((await emailSent(sys.db, `line:${line.lineId}:overdue:1:ops`)).received).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
