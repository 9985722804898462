// Rules where two SUB rules meet: a commitment binds manual mode too (SUB-6 with SUB-8), and the
// seller is told of every end of a subscription so that it deletes the service (SUB-6, SUB-7, SUB-10).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { dueDate } from '../domain/calendar';
import { DEMO } from '../prisma/demo-data';
import { setRenewalModeUpdate, subscriptionStateQuery, subscriptionWorkflowId } from '../workflows/subscription';
import { useTestSystem } from './support/environments';
import { emailSent } from './support/orders';
import { MINUTE, deleteNow, seedPaidLine, startSubscription, waitState, type SeededLine } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const handleOf = (line: SeededLine) => env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId));

async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

async function newSubscription(offerId: string): Promise<SeededLine> {
  const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId });
  await startSubscription(env.client, sys, line);
  return line;
}

describe('rules that meet', () => {
  it('SUB-8, SUB-6: in manual mode within a 12-month commitment, unpaid periods are still charged until the commitment ends; then unpaid means not renewed', async () => {
    const line = await newSubscription(DEMO.offers.acmeCrm.id);
    await handleOf(line).executeUpdate(setRenewalModeUpdate, { args: [{ mode: 'manual' }] });
    const commitmentEnd = dueDate(line.paidAt, 'monthly', 12, 'Europe/Paris');

    for (let period = 2; period <= 12; period++) {
      const { nextDueAt } = await handleOf(line).query(subscriptionStateQuery);
      await sleepUntil(nextDueAt!, MINUTE);
      const s = await waitState(env.client, line.lineId, (x) => x.paidPeriods === period, `period ${period}`);
      expect(s).toMatchObject({ status: 'active', renewalMode: 'manual' });
    }
    expect(await sys.db.sandboxTransaction.count({ where: { idempotencyKey: { startsWith: `sub:${line.lineId}:period:` } } })).toBe(11);

    await sleepUntil(commitmentEnd, MINUTE);
    const ended = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
    expect(ended).toMatchObject({ endReason: 'not_renewed', endedAt: commitmentEnd, paidPeriods: 12 });
    const seller = await emailSent(sys.db, `sub:${line.lineId}:ended:seller`);
    expect(seller.email.toAddress).toBe(DEMO.sellers.acme.contactEmail);
    expect(seller.email.text).toContain('not renewed');
  });

  it('SUB-10: an immediate deletion is e-mailed to the seller too, so that it deletes the service', async () => {
    const line = await newSubscription(DEMO.offers.acmeMail.id);
    await deleteNow(env.client, sys, line);
    const seller = await emailSent(sys.db, `sub:${line.lineId}:ended:seller`);
    expect(seller.email.toAddress).toBe(DEMO.sellers.acme.contactEmail);
    expect(seller.email.text).toContain('(deleted)');
    expect(seller.email.text).toContain('Please delete the service');
  });
});
