// Issue 9 (stuck work is bounded): the API's HTTP wait on an Update is bounded. A command the
// workflow accepted but has not carried out within UPDATE_WAIT_MS answers 202 with a status URL,
// which answers the outcome once it is there (here the wait is cut to 1 ms to make any command slow).
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { linesAwaitingValidation, placeOrder } from './support/orders';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('dev-server', (_e, s) => {
  sys = s;
});

afterEach(() => {
  delete process.env.UPDATE_WAIT_MS;
});

describe('X-1: a slow command answers 202 with where its outcome will be', () => {
  it('X-1, ORD-6: an accept not carried out within the wait answers 202; its status URL then gives the line state, to its seller only', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const lineId = order.lines[0].lineId;
    process.env.UPDATE_WAIT_MS = '1';
    const res = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'https://acme.test' } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ status: 'accepted', workflowId: `OrderLine:${lineId}` });
    expect(res.body.statusUrl).toBe(`/updates/${encodeURIComponent(`OrderLine:${lineId}`)}/${encodeURIComponent(res.body.updateId)}`);
    delete process.env.UPDATE_WAIT_MS;

    const done = await eventually(async () => {
      const r = await http(sys.apiUrl, 'GET', res.body.statusUrl, { key: DEMO_KEYS.sellerAcme });
      return r.status === 200 ? r : undefined;
    }, 20_000, 'outcome');
    expect(done.body.status).toBe('active');
    expect((await http(sys.apiUrl, 'GET', res.body.statusUrl, { key: DEMO_KEYS.sellerGlobex })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', res.body.statusUrl)).status).toBe(401);
    // A refusal still answers at once (the validator runs before acceptance), whatever the wait.
    process.env.UPDATE_WAIT_MS = '1';
    expect((await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${lineId}/refuse`, { key: DEMO_KEYS.sellerAcme, body: { reason: 'late' } })).status).toBe(409);
  });
});
