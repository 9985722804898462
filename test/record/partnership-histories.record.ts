// Scenarios of the Partnership workflow (PRT-2, PRT-3, PRT-5, PRT-7) whose histories the replay
// test keeps replaying: invited by the partner, accepted with another grant, changed (the payer:
// the partner e-mailed), ended by the partner's code (a wrong one refused first); invited by the
// customer and refused; resent then withdrawn; ended by the account closure signal; left
// unanswered, reminded at day 7 and lapsed at day 14 (last: it moves the clock).
// Run this file alone:
// `npx vitest run --config vitest.record.config.ts test/record/partnership-histories.record.ts`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { partnershipWorkflowId } from '../../domain/partnership';
import { accountClosed } from '../../workflows/partnership';
import { useTestSystem } from '../support/environments';
import { saveHistory } from '../support/histories';
import { eventually } from '../support/http';
import { account, activePartnership, approvedPartner, command, customerInvites, partnerInvites, PRODUCTS, type Account, type ApprovedPartner } from '../support/partner-fixtures';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const idOf = (c: Account, p: ApprovedPartner) => partnershipWorkflowId(c.customerId, p.partnerId);
const ended = (id: string) => eventually(async () => !['pending', 'active'].includes((await sys.db.partnership.findUniqueOrThrow({ where: { id } })).status), 20_000, `partnership ${id} ended`);

it('records an invitation accepted with another grant, its payer changed, ended by the partner with its code after a wrong one (PRT-2, PRT-5, PRT-7)', async () => {
  const [p, c] = [await approvedPartner(sys), await account(sys)];
  const id = (await partnerInvites(sys, p, c, { access: 'limited', productIds: [PRODUCTS.mail] })).body.partnershipId;
  expect((await command(sys, c.key, id, 'accept', { access: 'complete' })).status).toBe(200);
  expect((await command(sys, c.key, id, 'change', { payer: 'partner' })).status).toBe(200);
  expect((await command(sys, p.key, id, 'end')).status).toBe(200);
  expect((await command(sys, p.key, id, 'end/confirm')).status).toBe(200);
  const email = await eventually(() => sys.db.email.findUnique({ where: { id: `psh:${id}:end:partner:1:email` } }).then((e) => e ?? undefined));
  const code = /code: ([A-Z0-9]{8})/.exec(email.text)![1];
  expect((await command(sys, p.key, id, 'end/code', { code: code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA' })).status).toBe(422);
  expect((await command(sys, p.key, id, 'end/code', { code })).status).toBe(200);
  expect((await env.client.workflow.getHandle(idOf(c, p)).result()).status).toBe('ended');
  await saveHistory(env.client, idOf(c, p), 'partnership--accepted-other-grant-payer-changed-ended-by-code');
});

it('records an invitation by the customer, refused by the partner (PRT-2)', async () => {
  const [p, c] = [await approvedPartner(sys), await account(sys)];
  const id = (await customerInvites(sys, c, p, { access: 'complete' })).body.partnershipId;
  expect((await command(sys, p.key, id, 'refuse')).status).toBe(200);
  expect((await env.client.workflow.getHandle(idOf(c, p)).result()).status).toBe('refused');
  await saveHistory(env.client, idOf(c, p), 'partnership--customer-invited-refused');
});

it('records an invitation resent, then withdrawn by the partner (PRT-2)', async () => {
  const [p, c] = [await approvedPartner(sys), await account(sys)];
  const id = (await partnerInvites(sys, p, c, { access: 'complete' })).body.partnershipId;
  expect((await command(sys, p.key, id, 'resend')).status).toBe(200);
  expect((await command(sys, p.key, id, 'withdraw')).status).toBe(200);
  expect((await env.client.workflow.getHandle(idOf(c, p)).result()).status).toBe('withdrawn');
  await saveHistory(env.client, idOf(c, p), 'partnership--resent-withdrawn');
});

it('records a partnership in force ended by the accountClosed signal (ACC-3 contract)', async () => {
  const [p, c] = [await approvedPartner(sys), await account(sys)];
  const id = await activePartnership(sys, p, c, { access: 'complete' });
  await env.client.workflow.getHandle(idOf(c, p)).signal(accountClosed);
  await ended(id);
  expect((await env.client.workflow.getHandle(idOf(c, p)).result()).endedBy).toBe('account_closed');
  await saveHistory(env.client, idOf(c, p), 'partnership--account-closed');
});

it('records an invitation left unanswered: reminded at day 7, lapsed at day 14 (PRT-2)', async () => {
  const [p, c] = [await approvedPartner(sys), await account(sys)];
  await customerInvites(sys, c, p, { access: 'limited', productIds: [PRODUCTS.crm] });
  const end = await env.client.workflow.getHandle(idOf(c, p)).result();
  expect(end.status).toBe('lapsed');
  expect(end.remindedAt).not.toBeNull();
  await saveHistory(env.client, idOf(c, p), 'partnership--reminded-lapsed');
});
