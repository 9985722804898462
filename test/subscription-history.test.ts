// SUB-12: a subscription lives for years with a bounded history: five years of monthly renewals
// under time skipping, one continue-as-new per period, every run's history small.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { describe, expect, it } from 'vitest';
import { subscriptionStateQuery, subscriptionWorkflowId, setRenewalModeUpdate } from '../workflows/subscription';
import { DAY, seedPaidLine, startSubscription, waitState } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

describe('long-lived subscriptions', () => {
  it('SUB-12: five years of monthly renewals, continue-as-new each period, every run under 200 events, state carried', async () => {
    const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString() });
    await startSubscription(env.client, sys, line);
    const handle = env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId));
    // A command in the first run must survive every continue-as-new.
    await handle.executeUpdate(setRenewalModeUpdate, { args: [{ mode: 'manual' }] });
    await handle.executeUpdate(setRenewalModeUpdate, { args: [{ mode: 'auto' }] });

    const firstRunId = (await handle.describe()).runId;
    await env.sleep(Date.parse(line.paidAt) + 5 * 366 * DAY - (await env.currentTimeMs()));
    const s = await waitState(env.client, line.lineId, (x) => x.paidPeriods >= 61, '61 paid periods', 60_000);
    expect(s.status).toBe('active');
    expect(s.renewalMode).toBe('auto');
    expect(s.run.number).toBeGreaterThanOrEqual(61);
    expect(s.run.maxHistoryLength).toBeGreaterThan(10);
    expect(s.run.maxHistoryLength).toBeLessThan(200);
    expect(s.historyLength).toBeLessThan(200);
    // The first run's own history, fetched from the server, is small too.
    const firstRun = await env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId), firstRunId).fetchHistory();
    expect(firstRun.events!.length).toBeLessThan(200);
    expect(await sys.db.payment.count({ where: { lineId: line.lineId, status: 'captured' } })).toBe(s.paidPeriods - 1);
    expect(await sys.db.invoice.count({ where: { customerId: line.customerId, kind: 'invoice' } })).toBe(s.paidPeriods);
    expect((await handle.query(subscriptionStateQuery)).paidPeriods).toBe(s.paidPeriods);
  });
});
