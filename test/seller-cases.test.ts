// Seller cases on the time-skipping server, each rule at its boundary: a closure case suspends the
// seller and notifies it (MED-1); the 48 hours to contest (MED-2); the 48 hours to confirm a
// meeting, and the account closing 48 hours after a missed confirmation or meeting (MED-3); the 8
// days to make the changes after a meeting (MED-4); a seller's own closure request (MED-6) and
// complaint (MED-7); who sees and commands a case. Each test has its own fresh seller: a
// closure case suspends or closes its seller for the whole test database.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { sellerCaseStateQuery, sellerCaseWorkflowId, type SellerCaseState } from '../workflows/seller-case';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import { eventually, http, type HttpResponse } from './support/http';
import { emailSent, newIdempotencyKey } from './support/orders';
import { freshSeller, type FreshSeller } from './support/sellers';
import { HOUR, MINUTE, waitQuery } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const OPS = DEMO_KEYS.ops;
const OPS_ACTOR = `staff:${DEMO.staff.ops.label}`;

// Cases a test leaves open are withdrawn after it, so their timers do not fire in later tests.
const opened: string[] = [];
afterEach(async () => {
  for (const caseId of opened.splice(0)) {
    const row = await sys.db.sellerCase.findUnique({ where: { id: caseId } });
    if (row && !['account_closed', 'resolved', 'lapsed', 'withdrawn'].includes(row.status)) {
      await http(sys.apiUrl, 'POST', `/cases/${caseId}/withdraw`, { key: OPS, body: { reason: 'test over' } });
    }
  }
});

async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
const nowMs = () => env.currentTimeMs();
const at = (ms: number) => new Date(ms).toISOString();

// --- the API, as ops and sellers use it -------------------------------------------------------

async function openClosure(s: FreshSeller, letterReference = `LR-${s.sellerId}`): Promise<any> {
  const res = await http(sys.apiUrl, 'POST', `/ops/sellers/${s.sellerId}/cases`, { key: OPS, body: { reasons: 'Repeated customer complaints about unanswered incidents.', letterReference } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  opened.push(res.body.caseId);
  return res.body;
}

async function openOwn(s: FreshSeller, kind: 'closure_request' | 'complaint'): Promise<any> {
  const text = kind === 'complaint' ? 'Payouts are always a week late.' : 'We are winding down the business.';
  const res = await http(sys.apiUrl, 'POST', '/seller/cases', { key: s.key, body: { kind, text } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  opened.push(res.body.caseId);
  return res.body;
}

const command = (caseId: string, path: string, key: string, body: unknown = {}): Promise<HttpResponse> => http(sys.apiUrl, 'POST', `/cases/${caseId}/${path}`, { key, body });

/** A command that must be carried out now (200 and the case after it). */
async function ok(caseId: string, path: string, key: string, body: unknown = {}): Promise<any> {
  const res = await command(caseId, path, key, body);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

async function viewAs(caseId: string, key: string = OPS): Promise<any> {
  const res = await http(sys.apiUrl, 'GET', `/cases/${caseId}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The workflow's live state, polled until `check` holds (a timer's consequences take a moment). */
function waitCase(caseId: string, check: (s: SellerCaseState) => boolean, label: string): Promise<SellerCaseState> {
  return waitQuery(env.client.workflow.getHandle(sellerCaseWorkflowId(caseId)), sellerCaseStateQuery, check, `${caseId} ${label}`);
}

const stateOf = (caseId: string) => env.client.workflow.getHandle(sellerCaseWorkflowId(caseId)).query(sellerCaseStateQuery);
const sellerRow = (s: FreshSeller) => sys.db.seller.findUniqueOrThrow({ where: { id: s.sellerId } });

function checkout(s: FreshSeller): Promise<HttpResponse> {
  const body = checkoutBody({ offers: [s.offerId], terms: [{ sellerId: s.sellerId, version: s.terms }] });
  return http(sys.apiUrl, 'POST', '/checkout', { body, headers: { 'idempotency-key': newIdempotencyKey() } });
}

/** Schedules the meeting two hours ahead (it must be in the future for the workflow). */
async function schedule(caseId: string): Promise<any> {
  const view = await ok(caseId, 'meeting', OPS, { at: at((await nowMs()) + 2 * HOUR), place: 'Marketplace office, Paris' });
  expect(view.status).toBe('awaiting_confirmation');
  return view;
}

/** A closure case, contested, its meeting confirmed and held: one hour long, recorded at its end. */
async function closureInRemediation(s: FreshSeller): Promise<{ caseId: string; endedAt: string; view: any }> {
  const { caseId } = await openClosure(s);
  await ok(caseId, 'contest', s.key, { text: 'The incidents were answered; here are the tickets.' });
  const { meeting } = await schedule(caseId);
  await ok(caseId, 'meeting/confirm', s.key);
  const endedAt = at(Date.parse(meeting.at) + HOUR);
  await sleepUntil(endedAt);
  const view = await ok(caseId, 'meeting/record', OPS, { held: true, endedAt });
  return { caseId, endedAt, view };
}

const auditActions = async (caseId: string) =>
  (await sys.db.auditLog.findMany({ where: { entityType: 'seller_case', entityId: caseId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })).map((a) => a.action);

async function expectClosed(s: FreshSeller, caseId: string, closedAt: string): Promise<void> {
  const state = await waitCase(caseId, (x) => x.status === 'account_closed', 'account closed');
  expect(state.closedAt).toBe(closedAt);
  expect(state.nextDeadline).toBeNull();
  const seller = await eventually(async () => ((await sellerRow(s)).status === 'closed' ? sellerRow(s) : undefined), 20_000, 'seller closed');
  expect(seller.statusReason).toMatch(/^account closed: /);
  expect(await sys.db.offer.count({ where: { sellerId: s.sellerId, published: true } })).toBe(0);
  const mail = await emailSent(sys.db, `case:${caseId}:closed`);
  expect(mail.email.toAddress).toBe(s.contactEmail);
  expect(await auditActions(caseId)).toContain('seller_case.account_closed');
}

// --- MED-1 ------------------------------------------------------------------------------------

describe('MED-1: a closure case', () => {
  it('MED-1: opening suspends the seller, sends the notice with the letter reference, writes the timeline; checkout on its offer is refused naming the seller and the reason', async () => {
    const s = await freshSeller(sys.db);
    expect((await checkout(s)).status).toBe(201); // the offer takes orders before the case

    const view = await openClosure(s, 'LR-2026-0042');
    expect(view).toMatchObject({ kind: 'closure', status: 'awaiting_contest', sellerId: s.sellerId, openedBy: OPS_ACTOR, notice: { letterReference: 'LR-2026-0042' } });
    expect(view.nextDeadline).toMatchObject({ rule: 'MED-2', at: at(Date.parse(view.notice.at) + 48 * HOUR) });
    expect(view.messages).toEqual([expect.objectContaining({ kind: 'reasons', text: 'Repeated customer complaints about unanswered incidents.', by: OPS_ACTOR })]);

    const seller = await sellerRow(s);
    expect(seller.status).toBe('suspended');
    expect(seller.statusReason).toBe(`closure case ${view.caseId} is open (MED-1)`);

    const notice = await emailSent(sys.db, `case:${view.caseId}:notice`);
    expect(notice.email.toAddress).toBe(s.contactEmail);
    expect(notice.email.text).toContain('LR-2026-0042');
    expect(notice.email.text).toContain('Repeated customer complaints about unanswered incidents.');

    const timeline = (await viewAs(view.caseId)).timeline.map((t: { event: string }) => t.event);
    expect(timeline).toEqual(expect.arrayContaining(['opened', 'seller_suspended', 'notified']));
    expect(timeline.indexOf('seller_suspended')).toBeLessThan(timeline.indexOf('notified'));
    // The postal letter is recorded as sent with the notice, by the ops member who opened the case.
    const notified = await sys.db.auditLog.findFirstOrThrow({ where: { entityType: 'seller_case', entityId: view.caseId, action: 'seller_case.notified' } });
    expect(notified).toMatchObject({ actor: OPS_ACTOR, workflowId: sellerCaseWorkflowId(view.caseId) });
    expect(JSON.parse(notified.data)).toEqual({ letterReference: 'LR-2026-0042' });
    const row = await sys.db.sellerCase.findUniqueOrThrow({ where: { id: view.caseId } });
    expect(row).toMatchObject({ status: 'awaiting_contest', nextDeadlineRule: 'MED-2' });
    expect(row.nextDeadlineAt?.toISOString()).toBe(view.nextDeadline.at);

    const refused = await checkout(s);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.type).toMatch(/seller-unavailable$/);
    expect(refused.body.seller).toEqual({ sellerId: s.sellerId, name: s.name, status: 'suspended', reason: `closure case ${view.caseId} is open (MED-1)` });
    expect(refused.body.detail).toContain(s.name);
    expect(refused.body.detail).toContain(`closure case ${view.caseId} is open`);
  });

  it('MED-1: the suspended seller can still read and contest its case; a second closure case for it is refused 409', async () => {
    const s = await freshSeller(sys.db);
    const { caseId } = await openClosure(s);
    expect((await sellerRow(s)).status).toBe('suspended');

    const read = await viewAs(caseId, s.key);
    expect(read).toMatchObject({ caseId, status: 'awaiting_contest' });
    const mine = await http(sys.apiUrl, 'GET', '/seller/cases', { key: s.key });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((c: { caseId: string }) => c.caseId)).toEqual([caseId]);

    const again = await http(sys.apiUrl, 'POST', `/ops/sellers/${s.sellerId}/cases`, { key: OPS, body: { reasons: 'Once more.', letterReference: 'LR-2' } });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body).toMatchObject({ reason: 'CaseOpen', caseId });
    expect(await sys.db.sellerCase.count({ where: { sellerId: s.sellerId } })).toBe(1);

    const contested = await ok(caseId, 'contest', s.key, { text: 'We contest: every incident was answered.' });
    expect(contested).toMatchObject({ status: 'awaiting_meeting', contest: { at: expect.any(String) } });
    expect(contested.messages.map((m: { kind: string }) => m.kind)).toEqual(['reasons', 'contest']);
    await emailSent(sys.db, `case:${caseId}:contest_received`);
    expect((await sellerRow(s)).status).toBe('suspended'); // still suspended while the case runs
  });
});

// --- MED-2 ------------------------------------------------------------------------------------

describe('MED-2: 48 hours to contest the notice', () => {
  it('MED-2: a contest at 47h59 after the notice is accepted (awaiting_meeting), and the 48h00 deadline then closes nothing', async () => {
    const s = await freshSeller(sys.db);
    const { caseId, notice } = await openClosure(s);
    const deadline = at(Date.parse(notice.at) + 48 * HOUR);

    await sleepUntil(deadline, -MINUTE);
    const contested = await ok(caseId, 'contest', s.key, { text: 'Contest, just in time.' });
    expect(contested.status).toBe('awaiting_meeting');
    expect(Date.parse(contested.contest.at)).toBeLessThan(Date.parse(deadline));

    await sleepUntil(deadline, HOUR);
    expect((await stateOf(caseId)).status).toBe('awaiting_meeting');
    expect((await sellerRow(s)).status).toBe('suspended');
    expect(await sys.db.email.count({ where: { id: `case:${caseId}:closed` } })).toBe(0);
  });

  it('MED-2: without a contest the account is still open at 47h59 and closed at 48h00 (offers unpublished, closed e-mail); a contest after that is refused 409', async () => {
    const s = await freshSeller(sys.db);
    const { caseId, notice } = await openClosure(s);
    const deadline = at(Date.parse(notice.at) + 48 * HOUR);

    await sleepUntil(deadline, -MINUTE);
    expect((await stateOf(caseId)).status).toBe('awaiting_contest');
    expect((await sellerRow(s)).status).toBe('suspended');
    expect(await sys.db.offer.count({ where: { sellerId: s.sellerId, published: true } })).toBe(1);

    await sleepUntil(deadline);
    await expectClosed(s, caseId, deadline);
    expect((await stateOf(caseId)).outcome).toContain('MED-2');

    const late = await command(caseId, 'contest', s.key, { text: 'Too late?' });
    expect(late.status, JSON.stringify(late.body)).toBe(409);
    expect(['CaseEnded', 'DeadlinePassed']).toContain(late.body.reason);
    expect((await viewAs(caseId)).messages.map((m: { kind: string }) => m.kind)).toEqual(['reasons']);
  });
});

// --- MED-3 ------------------------------------------------------------------------------------

describe('MED-3: the mediation meeting', () => {
  it('MED-3: a confirmation at 47h59 after the invitation is accepted (meeting_confirmed)', async () => {
    const s = await freshSeller(sys.db);
    const { caseId } = await openClosure(s);
    await ok(caseId, 'contest', s.key, { text: 'We contest.' });
    const { meeting } = await schedule(caseId);
    expect(Date.parse(meeting.confirmBy) - Date.parse(meeting.invitedAt)).toBe(48 * HOUR);
    const invitation = await emailSent(sys.db, `case:${caseId}:invitation`);
    expect(invitation.email.toAddress).toBe(s.contactEmail);

    await sleepUntil(meeting.confirmBy, -MINUTE);
    const confirmed = await ok(caseId, 'meeting/confirm', s.key);
    expect(confirmed.status).toBe('meeting_confirmed');
    expect(Date.parse(confirmed.meeting.confirmedAt)).toBeLessThan(Date.parse(meeting.confirmBy));

    await sleepUntil(meeting.confirmBy, HOUR);
    expect((await stateOf(caseId)).status).toBe('meeting_confirmed');
  });

  it('MED-3: unconfirmed at 48h00 the case is closing with closesAt = confirmBy + 48h; still open at closesAt - 1 min, closed at closesAt', async () => {
    const s = await freshSeller(sys.db);
    const { caseId } = await openClosure(s);
    await ok(caseId, 'contest', s.key, { text: 'We contest.' });
    const { meeting } = await schedule(caseId);

    await sleepUntil(meeting.confirmBy, -MINUTE);
    expect((await stateOf(caseId)).status).toBe('awaiting_confirmation');

    await sleepUntil(meeting.confirmBy);
    const closing = await waitCase(caseId, (x) => x.status === 'closing', 'closing');
    const closesAt = at(Date.parse(meeting.confirmBy) + 48 * HOUR);
    expect(closing.closesAt).toBe(closesAt);
    expect(closing.nextDeadline).toMatchObject({ rule: 'MED-3', at: closesAt });
    const notice = await emailSent(sys.db, `case:${caseId}:closing`);
    expect(notice.email.toAddress).toBe(s.contactEmail);

    const late = await command(caseId, 'meeting/confirm', s.key);
    expect(late.status, JSON.stringify(late.body)).toBe(409);

    await sleepUntil(closesAt, -MINUTE);
    expect((await stateOf(caseId)).status).toBe('closing');
    expect((await sellerRow(s)).status).toBe('suspended');

    await sleepUntil(closesAt);
    await expectClosed(s, caseId, closesAt);
  });

  it('MED-3: a seller recorded absent is closed exactly 48 hours after the meeting time, not before', async () => {
    const s = await freshSeller(sys.db);
    const { caseId } = await openClosure(s);
    await ok(caseId, 'contest', s.key, { text: 'We contest.' });
    const { meeting } = await schedule(caseId);
    await ok(caseId, 'meeting/confirm', s.key);

    // Not before the meeting's time: there is nothing to record yet.
    const early = await command(caseId, 'meeting/record', OPS, { held: false });
    expect(early.status, JSON.stringify(early.body)).toBe(409);

    // Recorded an hour after the meeting: the 48 hours still run from the meeting's time.
    await sleepUntil(meeting.at, HOUR);
    const absent = await ok(caseId, 'meeting/record', OPS, { held: false });
    const closesAt = at(Date.parse(meeting.at) + 48 * HOUR);
    expect(absent).toMatchObject({ status: 'closing', closesAt, meeting: { held: false } });

    await sleepUntil(closesAt, -MINUTE);
    expect((await stateOf(caseId)).status).toBe('closing');
    expect((await sellerRow(s)).status).toBe('suspended');

    await sleepUntil(closesAt);
    await expectClosed(s, caseId, closesAt);
  });
});

// --- MED-4 ------------------------------------------------------------------------------------

describe('MED-4: 8 days to make the changes', () => {
  it('MED-4: a held meeting gives until endedAt + 8 days; ops confirm at due - 1 min: resolved, the seller approved again and checkout works again', async () => {
    const s = await freshSeller(sys.db);
    const { caseId, endedAt, view } = await closureInRemediation(s);
    const dueAt = DateTime.fromISO(endedAt).setZone('Europe/Paris').plus({ days: 8 }).toUTC().toISO()!;
    expect(view).toMatchObject({ status: 'remediation', remediation: { dueAt, confirmedAt: null }, nextDeadline: { rule: 'MED-4', at: dueAt } });
    expect((await emailSent(sys.db, `case:${caseId}:remediation`)).email.toAddress).toBe(s.contactEmail);
    expect((await checkout(s)).status).toBe(422); // still suspended during the 8 days

    await sleepUntil(dueAt, -MINUTE);
    expect((await stateOf(caseId)).status).toBe('remediation');
    const resolved = await ok(caseId, 'changes-confirmed', OPS);
    expect(resolved).toMatchObject({ status: 'resolved', nextDeadline: null });
    expect(Date.parse(resolved.remediation.confirmedAt)).toBeLessThan(Date.parse(dueAt));

    const seller = await sellerRow(s);
    expect(seller).toMatchObject({ status: 'approved', statusReason: null });
    await emailSent(sys.db, `case:${caseId}:reinstated`);
    const order = await checkout(s);
    expect(order.status, JSON.stringify(order.body)).toBe(201);

    // The deadline passing after the case ended closes nothing.
    await sleepUntil(dueAt, HOUR);
    expect((await sellerRow(s)).status).toBe('approved');
    expect((await stateOf(caseId)).status).toBe('resolved');
  });

  it('MED-4: without the confirmation by the end of day 8 the account is closed (still in remediation one minute before)', async () => {
    const s = await freshSeller(sys.db);
    const { caseId } = await closureInRemediation(s);
    const { remediation } = await stateOf(caseId);

    await sleepUntil(remediation!.dueAt, -MINUTE);
    expect((await stateOf(caseId)).status).toBe('remediation');
    expect((await sellerRow(s)).status).toBe('suspended');

    await sleepUntil(remediation!.dueAt);
    await expectClosed(s, caseId, remediation!.dueAt);
    const late = await command(caseId, 'changes-confirmed', OPS);
    expect(late.status, JSON.stringify(late.body)).toBe(409);
  });
});

// --- MED-6, MED-7 -----------------------------------------------------------------------------

const ownKinds = [
  { kind: 'closure_request', rule: 'MED-6' },
  { kind: 'complaint', rule: 'MED-7' },
] as const;

describe('MED-6, MED-7: a seller asks to close its account, or files a complaint', () => {
  for (const { kind, rule } of ownKinds) {
    it(`${rule}: a ${kind} unconfirmed within 48 hours of the invitation lapses at 48h00 (awaiting confirmation at 47h59); the seller stays approved`, async () => {
      const s = await freshSeller(sys.db);
      const view = await openOwn(s, kind);
      expect(view).toMatchObject({ kind, status: 'awaiting_meeting', notice: null, openedBy: `seller:${s.sellerId}` });
      await emailSent(sys.db, `case:${view.caseId}:request_received`);
      expect((await sellerRow(s)).status).toBe('approved');
      const { meeting } = await schedule(view.caseId);

      await sleepUntil(meeting.confirmBy, -MINUTE);
      expect((await stateOf(view.caseId)).status).toBe('awaiting_confirmation');

      await sleepUntil(meeting.confirmBy);
      const lapsed = await waitCase(view.caseId, (x) => x.status === 'lapsed', 'lapsed');
      expect(lapsed.outcome).toContain(rule);
      await emailSent(sys.db, `case:${view.caseId}:lapsed`);
      expect(await sellerRow(s)).toMatchObject({ status: 'approved', statusReason: null });
      expect((await checkout(s)).status).toBe(201);
    });

    it(`${rule}: a ${kind} whose seller is recorded absent lapses; the seller stays approved`, async () => {
      const s = await freshSeller(sys.db);
      const { caseId } = await openOwn(s, kind);
      const { meeting } = await schedule(caseId);
      await ok(caseId, 'meeting/confirm', s.key);
      await sleepUntil(meeting.at, 30 * MINUTE);

      const absent = await ok(caseId, 'meeting/record', OPS, { held: false });
      expect(absent).toMatchObject({ status: 'lapsed', meeting: { held: false } });
      expect(absent.outcome).toContain(rule);
      await emailSent(sys.db, `case:${caseId}:lapsed`);
      expect(await sellerRow(s)).toMatchObject({ status: 'approved', statusReason: null });
      expect(await sys.db.offer.count({ where: { sellerId: s.sellerId, published: true } })).toBe(1);
    });
  }

  it("MED-6: held with the seller's reasons recorded, the closure request closes the account (offers unpublished); notes are required", async () => {
    const s = await freshSeller(sys.db);
    const { caseId } = await openOwn(s, 'closure_request');
    const { meeting } = await schedule(caseId);
    await ok(caseId, 'meeting/confirm', s.key);
    const endedAt = at(Date.parse(meeting.at) + HOUR);
    await sleepUntil(endedAt);

    const noNotes = await command(caseId, 'meeting/record', OPS, { held: true, endedAt });
    expect(noNotes.status, JSON.stringify(noNotes.body)).toBe(422);
    expect((await stateOf(caseId)).status).toBe('meeting_confirmed');

    const held = await ok(caseId, 'meeting/record', OPS, { held: true, endedAt, notes: 'Retiring; no open subscriptions to migrate.' });
    expect(held.messages).toContainEqual(expect.objectContaining({ kind: 'notes', text: 'Retiring; no open subscriptions to migrate.' }));
    await expectClosed(s, caseId, (await stateOf(caseId)).closedAt!);
    expect((await stateOf(caseId)).outcome).toContain('MED-6');
    // MED-6 closes through MED-5: the offer cannot be ordered any more.
    expect((await checkout(s)).status).toBe(422);
  });

  it('MED-7: held with the agreed outcome recorded, the complaint is resolved; the seller stays approved', async () => {
    const s = await freshSeller(sys.db);
    const { caseId } = await openOwn(s, 'complaint');
    const { meeting } = await schedule(caseId);
    await ok(caseId, 'meeting/confirm', s.key);
    const endedAt = at(Date.parse(meeting.at) + HOUR);
    await sleepUntil(endedAt);

    const noNotes = await command(caseId, 'meeting/record', OPS, { held: true, endedAt });
    expect(noNotes.status, JSON.stringify(noNotes.body)).toBe(422);

    const outcome = 'Payouts move to the 5th of each month from January.';
    const resolved = await ok(caseId, 'meeting/record', OPS, { held: true, endedAt, notes: outcome });
    expect(resolved).toMatchObject({ status: 'resolved', nextDeadline: null, meeting: { held: true, endedAt } });
    expect(resolved.outcome).toContain('MED-7');
    expect(resolved.messages).toContainEqual(expect.objectContaining({ kind: 'notes', text: outcome }));
    expect((await viewAs(caseId, s.key)).messages).toContainEqual(expect.objectContaining({ kind: 'notes', text: outcome, by: 'ops' }));
    const mail = await emailSent(sys.db, `case:${caseId}:resolved`);
    expect(mail.email.toAddress).toBe(s.contactEmail);
    expect(await sellerRow(s)).toMatchObject({ status: 'approved', statusReason: null });
    expect(await sys.db.sellerCase.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ status: 'resolved', nextDeadlineAt: null });
  });
});

// --- X-6 --------------------------------------------------------------------------------------

describe('X-6: who sees and commands a case', () => {
  it("X-6: another seller can neither read nor command a case (403); a seller's view names ops, never staff", async () => {
    const s = await freshSeller(sys.db);
    const other = await freshSeller(sys.db);
    const { caseId } = await openClosure(s);

    expect((await http(sys.apiUrl, 'GET', `/cases/${caseId}`, { key: other.key })).status).toBe(403);
    expect((await command(caseId, 'contest', other.key, { text: 'Not mine.' })).status).toBe(403);
    expect((await command(caseId, 'meeting/confirm', other.key)).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', '/seller/cases', { key: other.key })).body.items).toEqual([]);
    // A seller, even its own, cannot run ops' commands.
    expect((await command(caseId, 'meeting', s.key, { at: at((await nowMs()) + 2 * HOUR), place: 'x' })).status).toBe(403);
    expect((await command(caseId, 'withdraw', s.key, { reason: 'x' })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', '/ops/cases', { key: s.key })).status).toBe(403);
    expect((await viewAs(caseId)).messages.map((m: { kind: string }) => m.kind)).toEqual(['reasons']);
    expect((await stateOf(caseId)).status).toBe('awaiting_contest');

    const staffView = await viewAs(caseId, OPS);
    expect(staffView.openedBy).toBe(OPS_ACTOR);
    expect(staffView.timeline.map((t: { by: string }) => t.by)).toContain(OPS_ACTOR);

    const sellerView = await viewAs(caseId, s.key);
    expect(sellerView.openedBy).toBe('ops');
    expect(sellerView.messages[0].by).toBe('ops');
    expect(sellerView.timeline.map((t: { by: string }) => t.by)).toContain('ops');
    expect(JSON.stringify(sellerView)).not.toContain(DEMO.staff.ops.label);
  });

  it('X-6: GET /ops/cases lists open cases soonest deadline first, those without a deadline last', async () => {
    // Opened first with the later deadline: the order is the deadlines', not the openings'.
    const a = await freshSeller(sys.db);
    const b = await freshSeller(sys.db);
    const c = await freshSeller(sys.db);
    const complaint = await openOwn(a, 'complaint');
    await env.sleep(HOUR);
    const closure = await openClosure(b); // deadline: its notice + 48h
    await env.sleep(HOUR);
    const { meeting } = await schedule(complaint.caseId); // deadline: now + 48h, an hour after the closure's
    const noDeadline = await openOwn(c, 'closure_request'); // awaiting a meeting: no deadline
    expect(Date.parse(meeting.confirmBy)).toBeGreaterThan(Date.parse(closure.nextDeadline.at));

    await eventually(async () => (await sys.db.sellerCase.findUniqueOrThrow({ where: { id: complaint.caseId } })).nextDeadlineAt?.toISOString() === meeting.confirmBy, 20_000, 'complaint deadline row');
    const list = await http(sys.apiUrl, 'GET', '/ops/cases?limit=100', { key: OPS });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const items = list.body.items as { caseId: string; nextDeadlineAt: string | null; nextDeadlineRule: string | null }[];
    const ids = items.map((i) => i.caseId);
    expect(ids.indexOf(closure.caseId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(closure.caseId)).toBeLessThan(ids.indexOf(complaint.caseId));
    expect(ids.indexOf(complaint.caseId)).toBeLessThan(ids.indexOf(noDeadline.caseId));
    expect(items.find((i) => i.caseId === closure.caseId)).toMatchObject({ nextDeadlineAt: closure.nextDeadline.at, nextDeadlineRule: 'MED-2' });
    expect(items.find((i) => i.caseId === complaint.caseId)).toMatchObject({ nextDeadlineAt: meeting.confirmBy, nextDeadlineRule: 'MED-7' });
    // The whole page in that order: deadlines ascending, then the cases without one.
    const deadlines = items.map((i) => (i.nextDeadlineAt ? Date.parse(i.nextDeadlineAt) : Infinity));
    expect(deadlines).toEqual([...deadlines].sort((x, y) => x - y));

    const onlyComplaints = await http(sys.apiUrl, 'GET', '/ops/cases?kind=complaint&status=awaiting_confirmation&limit=100', { key: OPS });
    expect(onlyComplaints.body.items.map((i: { caseId: string }) => i.caseId)).toContain(complaint.caseId);
    expect(onlyComplaints.body.items.every((i: { kind: string; status: string }) => i.kind === 'complaint' && i.status === 'awaiting_confirmation')).toBe(true);
  });
});
