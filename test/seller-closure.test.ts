// MED-5 on the time-skipping server: a closed seller's subscriptions. A closure case nobody
// contests closes the account (MED-2); every running subscription of its customers then stops
// renewing and ends at the end of its paid period, nothing more charged, each customer e-mailed
// once (one e-mail listing all its subscriptions of that seller); a past-due one ends at once.
// The fan-out run a second time (a redelivered page) tells nobody twice.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../prisma/demo-data';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { sellerCaseStateQuery, sellerCaseWorkflowId } from '../workflows/seller-case';
import { sellerClosureWorkflow, sellerClosureWorkflowId } from '../workflows/seller-closure';
import { subscriptionStateQuery, subscriptionWorkflowId, type SubscriptionView } from '../workflows/subscription';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { emailSent } from './support/orders';
import { freshSeller } from './support/sellers';
import { HOUR, MINUTE, seedPaidLine, startSubscription, waitQuery } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

async function sleepUntil(atMs: number): Promise<void> {
  const ms = atMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/**
 * Waits for a workflow to complete without asking the test server for its result: that call lets
 * the server skip time to the next timer, which would end the subscriptions under test.
 */
async function completed(workflowId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(workflowId);
  await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', 60_000, `${workflowId} completed`);
}

const stateOf = (lineId: string, check: (s: SubscriptionView) => boolean, label: string) =>
  waitQuery(env.client.workflow.getHandle(subscriptionWorkflowId(lineId)), subscriptionStateQuery, check, label);

describe('a closed seller’s subscriptions', () => {
  it('MED-5: each subscription ends at its period end with nothing charged, each customer e-mailed once; a past-due one ends at once; a second run tells nobody twice', async () => {
    const s = await freshSeller(sys.db);
    const now = await env.currentTimeMs();
    // Customer A: two subscriptions, due in 12 and 20 days. Customer B: one whose renewal, due in
    // an hour, is declined: past due when the account closes.
    const a1 = await seedPaidLine(sys, { paidAt: iso(now - 18 * DAY), offerId: s.offerId });
    const a2 = await seedPaidLine(sys, { paidAt: iso(now - 10 * DAY), offerId: s.offerId, sameCustomerAs: a1 });
    const b = await seedPaidLine(sys, { paidAt: iso(now - 30 * DAY + HOUR), offerId: s.offerId, renewalCard: TEST_CARDS.declined });
    for (const line of [a1, a2, b]) await startSubscription(env.client, sys, line);
    await sleepUntil(now + HOUR + MINUTE);
    await stateOf(b.lineId, (st) => st.status === 'past_due', 'B past due');

    const opened = await http(sys.apiUrl, 'POST', `/ops/sellers/${s.sellerId}/cases`, { key: DEMO_KEYS.ops, body: { reasons: 'Services never delivered.', letterReference: 'LR-MED5-1' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const caseId = opened.body.caseId as string;
    const caseHandle = env.client.workflow.getHandle(sellerCaseWorkflowId(caseId));
    const notice = await waitQuery(caseHandle, sellerCaseStateQuery, (c) => c.notice !== null, 'notified');
    // No contest within 48 hours: the account closes (MED-2), then its subscriptions end (MED-5).
    await sleepUntil(Date.parse(notice.notice!.at) + 48 * HOUR + MINUTE);
    await completed(sellerClosureWorkflowId(s.sellerId));
    await completed(sellerCaseWorkflowId(caseId));
    // The case's timeline says how many were told.
    const ending = await sys.db.auditLog.findFirstOrThrow({ where: { entityId: caseId, action: 'seller_case.subscriptions_ending' } });
    expect(JSON.parse(ending.data)).toEqual({ customers: 2, subscriptions: 3, emails: 2 });
    const closedAt = (await sys.db.sellerCase.findUniqueOrThrow({ where: { id: caseId } })).closedAt!.toISOString();

    const [sa1, sa2] = [await stateOf(a1.lineId, (st) => st.sellerClosure != null, 'A1 told'), await stateOf(a2.lineId, (st) => st.sellerClosure != null, 'A2 told')];
    for (const st of [sa1, sa2]) {
      expect(st.status).toBe('active');
      expect(st.sellerClosure).toEqual({ caseId, closedAt, endsAt: st.nextDueAt });
    }
    const sb = (await sys.db.subscription.findUniqueOrThrow({ where: { id: b.lineId } }));
    expect(sb).toMatchObject({ status: 'terminated', endReason: 'seller_closed' });

    // One e-mail per customer, naming each of its subscriptions of the seller and their end.
    const mailA = await emailSent(sys.db, `seller-closure:${caseId}:${a1.customerId}`);
    expect(mailA.email.toAddress).toBe(a1.email);
    expect(mailA.email.text.match(/paid until/g)).toHaveLength(2);
    const mailB = await emailSent(sys.db, `seller-closure:${caseId}:${b.customerId}`);
    expect(mailB.email.text).toContain('ended on');

    // A renewal command is refused now: nothing renews (MED-5).
    const pay = await http(sys.apiUrl, 'POST', `/subscriptions/${a1.lineId}/pay-next-period`, { key: a1.customerKey });
    expect(pay.status, JSON.stringify(pay.body)).toBe(409);
    expect(pay.body.detail).toContain("the seller's account is closed");

    // The fan-out again, as a page redelivered after a crash would run it: no one is told twice.
    await env.client.workflow.start(sellerClosureWorkflow, {
      workflowId: `${sellerClosureWorkflowId(s.sellerId)}:again`,
      taskQueue: sys.taskQueue,
      args: [{ sellerId: s.sellerId, sellerName: s.legalName, caseId, closedAt }],
    });
    await completed(`${sellerClosureWorkflowId(s.sellerId)}:again`);
    const customerMails = async (customerId: string) => sys.db.email.count({ where: { customerId, id: { startsWith: 'seller-closure:' } } });
    expect(await customerMails(a1.customerId)).toBe(1);
    expect(await customerMails(b.customerId)).toBe(1);
    const changes = await sys.db.auditLog.count({ where: { entityId: a1.lineId, action: 'subscription.seller_closed' } });
    expect(changes).toBe(1);
    expect((await stateOf(a1.lineId, () => true, 'A1')).sellerClosure).toEqual(sa1.sellerClosure);

    // A1's period end: still active one second before, ended at the instant, never charged.
    const due = Date.parse(sa1.nextDueAt!);
    await sleepUntil(due - 1000);
    expect((await stateOf(a1.lineId, () => true, 'A1 before its end')).status).toBe('active');
    await sleepUntil(due + MINUTE);
    const ended = await eventually(async () => {
      const row = await sys.db.subscription.findUniqueOrThrow({ where: { id: a1.lineId } });
      return row.status === 'terminated' ? row : undefined;
    }, 20_000, 'A1 ended');
    expect(ended.endReason).toBe('seller_closed');
    expect(ended.endedAt?.toISOString()).toBe(sa1.nextDueAt);
    expect(await sys.db.payment.count({ where: { lineId: { in: [a1.lineId, a2.lineId, b.lineId] }, kind: 'renewal', status: 'captured' } })).toBe(0);
    // The seller is told to delete the service; the customer is not e-mailed again.
    await emailSent(sys.db, `sub:${a1.lineId}:ended:seller`);
    expect(await sys.db.email.count({ where: { customerId: a1.customerId, createdAt: { gt: new Date(closedAt) }, NOT: { id: { startsWith: 'seller-closure:' } } } })).toBe(0);
  }, 240_000);
});
