// Scenarios of the seller case (MED-1..MED-7) whose histories the replay test keeps replaying:
// each way a SellerCase workflow ends — a closure left uncontested (MED-2), a contest through a held
// meeting to the changes confirmed (MED-4), a contest whose meeting is not confirmed (MED-3), a
// complaint resolved at its meeting (MED-7), a closure request whose seller is absent (MED-6). Each
// on a fresh seller: a closure case suspends or closes its seller for the whole test database.
// Run this file alone:
// `npx vitest run --config vitest.record.config.ts test/record/seller-case-histories.record.ts`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { DEMO_KEYS } from '../../prisma/demo-data';
import { sellerCaseStateQuery, sellerCaseWorkflowId, type SellerCaseState } from '../../workflows/seller-case';
import { useTestSystem } from '../support/environments';
import { saveHistory } from '../support/histories';
import { http } from '../support/http';
import { freshSeller, type FreshSeller } from '../support/sellers';
import { HOUR, MINUTE, seedPaidLine, startSubscription, waitQuery } from '../support/subscriptions';
import { sellerClosureWorkflowId } from '../../workflows/seller-closure';
import { subscriptionWorkflowId } from '../../workflows/subscription';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

async function opened(res: { status: number; body: any }): Promise<SellerCaseState> {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const openClosure = async (s: FreshSeller) =>
  opened(await http(sys.apiUrl, 'POST', `/ops/sellers/${s.sellerId}/cases`, { key: DEMO_KEYS.ops, body: { reasons: 'Offers describe features that do not exist', letterReference: `LR-${s.sellerId}` } }));

const fileCase = async (s: FreshSeller, kind: 'closure_request' | 'complaint', text: string) => opened(await http(sys.apiUrl, 'POST', '/seller/cases', { key: s.key, body: { kind, text } }));

/** A command that must be carried out (200): ops' key unless another is given. */
async function done(caseId: string, path: string, body: unknown, key: string = DEMO_KEYS.ops): Promise<SellerCaseState> {
  const res = await http(sys.apiUrl, 'POST', `/cases/${caseId}/${path}`, { key, body });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

/** Ops schedule the meeting a day ahead of workflow time (the validator's clock). */
async function schedule(caseId: string): Promise<SellerCaseState> {
  const at = new Date((await env.currentTimeMs()) + 24 * HOUR).toISOString();
  const state = await done(caseId, 'meeting', { at, place: 'Visio: https://meet.example.test/case' });
  expect(state.status).toBe('awaiting_confirmation');
  return state;
}

async function sleepUntil(iso: string, plusMs = MINUTE): Promise<void> {
  await env.sleep(Date.parse(iso) + plusMs - (await env.currentTimeMs()));
}

const waitCase = (caseId: string, check: (s: SellerCaseState) => boolean, label: string) => waitQuery(env.client.workflow.getHandle(sellerCaseWorkflowId(caseId)), sellerCaseStateQuery, check, label);
const finished = (caseId: string): Promise<SellerCaseState> => env.client.workflow.getHandle(sellerCaseWorkflowId(caseId)).result();
const sellerRow = (s: FreshSeller) => sys.db.seller.findUniqueOrThrow({ where: { id: s.sellerId } });

it('records a closure case left uncontested: the account closes when the 48 hours end, its subscription ends at its period end (MED-1, MED-2, MED-5)', async () => {
  const s = await freshSeller(sys.db);
  const line = await seedPaidLine(sys, { paidAt: new Date((await env.currentTimeMs()) - 10 * 24 * HOUR).toISOString(), offerId: s.offerId });
  await startSubscription(env.client, sys, line);
  const c = await openClosure(s);
  expect(c.status).toBe('awaiting_contest');
  expect(c.nextDeadline!.rule).toBe('MED-2');
  expect((await sellerRow(s)).status).toBe('suspended');
  const end = await finished(c.caseId);
  expect(end.status).toBe('account_closed');
  expect(end.closedAt).toBe(c.nextDeadline!.at);
  expect((await sellerRow(s)).status).toBe('closed');
  expect((await sys.db.offer.findUniqueOrThrow({ where: { id: s.offerId } })).published).toBe(false);
  await saveHistory(env.client, sellerCaseWorkflowId(c.caseId), 'seller-case--closure-uncontested-closed');
  expect(await env.client.workflow.getHandle(sellerClosureWorkflowId(s.sellerId)).result()).toMatchObject({ customers: 1, subscriptions: 1, emails: 1 });
  await saveHistory(env.client, sellerClosureWorkflowId(s.sellerId), 'seller-closure--one-customer');
  const ended = await env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId)).result();
  expect(ended).toMatchObject({ status: 'terminated', endReason: 'seller_closed' });
  await saveHistory(env.client, subscriptionWorkflowId(line.lineId), 'subscription--seller-closed-ended');
});

it('records a contested closure: meeting confirmed and held, the changes confirmed within 8 days, the seller active again (MED-2, MED-3, MED-4)', async () => {
  const s = await freshSeller(sys.db);
  const c = await openClosure(s);
  expect((await done(c.caseId, 'contest', { text: 'The features ship next week.' }, s.key)).status).toBe('awaiting_meeting');
  const invited = await schedule(c.caseId);
  expect((await done(c.caseId, 'meeting/confirm', {}, s.key)).status).toBe('meeting_confirmed');
  await sleepUntil(invited.meeting!.at, 2 * HOUR);
  const endedAt = new Date(Date.parse(invited.meeting!.at) + HOUR).toISOString();
  const held = await done(c.caseId, 'meeting/record', { held: true, endedAt });
  expect(held.status).toBe('remediation');
  expect(held.nextDeadline!.rule).toBe('MED-4');
  expect((await done(c.caseId, 'changes-confirmed', {})).status).toBe('resolved');
  const end = await finished(c.caseId);
  expect(end.remediation!.confirmedAt).not.toBeNull();
  expect((await sellerRow(s)).status).toBe('approved');
  await saveHistory(env.client, sellerCaseWorkflowId(c.caseId), 'seller-case--contested-held-changes-confirmed');
});

it('records a contested closure whose meeting is not confirmed: closing, then closed 48 hours after the confirmation deadline (MED-3)', async () => {
  const s = await freshSeller(sys.db);
  const c = await openClosure(s);
  await done(c.caseId, 'contest', { text: 'We disagree with the reasons.' }, s.key);
  const invited = await schedule(c.caseId);
  await sleepUntil(invited.meeting!.confirmBy);
  const closing = await waitCase(c.caseId, (x) => x.status === 'closing', 'closing');
  expect(closing.closesAt).toBe(new Date(Date.parse(invited.meeting!.confirmBy) + 48 * HOUR).toISOString());
  expect((await sellerRow(s)).status).toBe('suspended');
  const end = await finished(c.caseId);
  expect(end.status).toBe('account_closed');
  expect((await sellerRow(s)).status).toBe('closed');
  await saveHistory(env.client, sellerCaseWorkflowId(c.caseId), 'seller-case--contested-unconfirmed-closing-closed');
});

it('records a complaint: meeting confirmed and held, the agreed outcome recorded, resolved (MED-7)', async () => {
  const s = await freshSeller(sys.db);
  const c = await fileCase(s, 'complaint', 'Payouts arrive a week late.');
  expect(c.status).toBe('awaiting_meeting');
  const invited = await schedule(c.caseId);
  await done(c.caseId, 'meeting/confirm', {}, s.key);
  await sleepUntil(invited.meeting!.at, 2 * HOUR);
  const endedAt = new Date(Date.parse(invited.meeting!.at) + HOUR).toISOString();
  expect((await done(c.caseId, 'meeting/record', { held: true, endedAt, notes: 'Agreed: payouts every Monday.' })).status).toBe('resolved');
  const end = await finished(c.caseId);
  expect(end.outcome).toContain('MED-7');
  expect((await sellerRow(s)).status).toBe('approved');
  await saveHistory(env.client, sellerCaseWorkflowId(c.caseId), 'seller-case--complaint-held-resolved');
});

it('records a closure request whose seller is absent from the meeting: the request lapses, the account stays active (MED-6)', async () => {
  const s = await freshSeller(sys.db);
  const c = await fileCase(s, 'closure_request', 'We stop selling on the marketplace.');
  const invited = await schedule(c.caseId);
  await done(c.caseId, 'meeting/confirm', {}, s.key);
  await sleepUntil(invited.meeting!.at, HOUR);
  expect((await done(c.caseId, 'meeting/record', { held: false })).status).toBe('lapsed');
  const end = await finished(c.caseId);
  expect(end.outcome).toContain('MED-6');
  expect((await sellerRow(s)).status).toBe('approved');
  expect((await sys.db.offer.findUniqueOrThrow({ where: { id: s.offerId } })).published).toBe(true);
  await saveHistory(env.client, sellerCaseWorkflowId(c.caseId), 'seller-case--closure-request-absent-lapsed');
});
