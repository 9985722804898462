// Scenarios of the account closure (ACC-3) whose histories the replay test keeps replaying: a
// closure confirmed with its e-mailed code, the account erased and a partnership ended; and a
// closure refused at its first step, an order placed between the request and the confirmation.
// Run this file alone:
// `npx vitest run --config vitest.record.config.ts test/record/account-closure-histories.record.ts`.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { hashKey } from '../../api/auth';
import { TEST_CARDS } from '../../infra/sandbox-gateway';
import { accountClosureWorkflow, accountClosureWorkflowId } from '../../workflows/account-closure';
import { useTestSystem } from '../support/environments';
import { saveHistory } from '../support/histories';
import { http } from '../support/http';
import { saveTestCard } from '../support/subscriptions';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

/** An account with nothing in the way, and its key. */
async function account(): Promise<{ customerId: string; key: string }> {
  const u = randomUUID().slice(0, 8);
  const customerId = `cus_rec_${u}`;
  const key = `cust_rec_${u}`;
  await sys.db.customer.create({ data: { id: customerId, email: `rec-${u}@example.test`, name: `Recorded ${u}`, type: 'individual', verifiedAt: new Date() } });
  await sys.db.apiKey.create({ data: { hash: hashKey(key), label: `rec-${u}@example.test`, kind: 'customer', customerId } });
  return { customerId, key };
}

it('records a closure confirmed with its code: closed, erased, its partnership ended (ACC-3)', async () => {
  const a = await account();
  await sys.db.partnership.create({
    data: { id: `pship_${a.customerId}`, customerId: a.customerId, partnerId: 'prt_recorded', status: 'active', requestedBy: 'partner', requestedAccess: 'limited', access: 'limited', invitedAt: new Date(), lapsesAt: new Date(Date.now() + 14 * 86_400_000) },
  });
  expect((await http(sys.apiUrl, 'POST', '/account/closure', { key: a.key, body: {} })).status).toBe(202);
  const mail = await sys.db.email.findFirstOrThrow({ where: { id: { startsWith: `account-closure:${a.customerId}:` } } });
  const code = /Closure code: ([A-Z0-9]{8})/.exec(mail.text)![1];
  const res = await http(sys.apiUrl, 'POST', '/account/closure/confirm', { key: a.key, body: { code } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.partnershipsEnded).toBe(1);
  await saveHistory(env.client, accountClosureWorkflowId(a.customerId), 'account-closure--confirmed-erased');
});

it('records a closure refused at its first step: an order in progress since the request (ACC-3)', async () => {
  const a = await account();
  const confirmationId = `acc3_rec_${randomUUID().slice(0, 8)}`;
  await sys.db.confirmationCode.create({ data: { id: confirmationId, purpose: 'account-closure', subjectId: a.customerId, actor: `customer:${a.customerId}`, codeHash: 'recorded', expiresAt: new Date(Date.now() + 60_000), usedAt: new Date() } });
  const card = await saveTestCard(sys, TEST_CARDS.success, a.customerId);
  await sys.db.order.create({
    data: { id: `ord_${a.customerId}`, number: `O-REC-${a.customerId}`, customerId: a.customerId, customerEmail: 'pending@example.test', status: 'payment_pending', currency: 'EUR', totalExclVatCents: 100, totalVatCents: 20, totalCents: 120, cardId: card.cardId, cardLast4: card.last4 },
  });
  const result = await env.client.workflow.execute(accountClosureWorkflow, {
    workflowId: accountClosureWorkflowId(a.customerId),
    taskQueue: sys.taskQueue,
    args: [{ customerId: a.customerId, confirmationId, confirmedAt: new Date().toISOString() }],
  });
  expect(result.status).toBe('refused');
  expect(result.obstacles.map((o) => o.kind)).toEqual(['order_in_progress']);
  await saveHistory(env.client, accountClosureWorkflowId(a.customerId), 'account-closure--refused-order-in-progress');
});
