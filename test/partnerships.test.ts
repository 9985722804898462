// Partnerships on the time-skipping server: invitations both ways (PRT-2) and the customer's
// other grant, answers, resend and withdrawal; PRT-3 at acceptance and at a change, two
// acceptances at once included; the customer's changes and the partner e-mailed on a payer change
// (PRT-5); the end confirmed twice then by an e-mailed code (PRT-7); the account-closure signal.
// The lapse at 14 days and the day-7 reminder, at their instants, come last: they move the clock.
import { randomBytes } from 'node:crypto';
import type { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPartnershipActivities } from '../activities/partnerships';
import { describe, expect, it } from 'vitest';
import { partnershipWorkflowId } from '../domain/partnership';
import { accountClosed, partnershipStateQuery } from '../workflows/partnership';
import { useTestSystem } from './support/environments';
import { decodedPayloadTexts } from './support/history-secrets';
import { eventually, http } from './support/http';
import { emailSent } from './support/orders';
import { account, activePartnership, approvedPartner, command, customerInvites, partnerInvites, PRODUCTS, type Account, type ApprovedPartner } from './support/partner-fixtures';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const MINUTE = 60_000;
const row = (id: string) => sys.db.partnership.findUniqueOrThrow({ where: { id } });
const recorded = (id: string) => eventually(() => sys.db.email.findUnique({ where: { id } }).then((e) => e ?? undefined), 20_000, `e-mail ${id}`);
const handleOf = (c: Account, p: ApprovedPartner) => env.client.workflow.getHandle(partnershipWorkflowId(c.customerId, p.partnerId));

async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

describe('PRT-2 invitations', () => {
  it('PRT-2: a partner invites a customer by e-mail, the customer is e-mailed and accepts granting other access than requested; audit names both parties', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const invited = await partnerInvites(sys, p, c, { access: 'limited', productIds: [PRODUCTS.mail] });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body).toMatchObject({ status: 'pending', requestedBy: 'partner', requestedAccess: 'limited', requestedProductIds: [PRODUCTS.mail], access: null, customerId: c.customerId });
    const id = invited.body.partnershipId;
    expect(Date.parse(invited.body.lapsesAt) - Date.parse(invited.body.invitedAt)).toBeGreaterThanOrEqual(14 * 24 * 60 * MINUTE - 60 * MINUTE);
    const { email } = await emailSent(sys.db, `psh:${id}:invitation:0`);
    expect(email.toAddress).toBe(c.email);
    expect(email.text).toContain(p.companyName);
    // The inviter does not answer its own invitation; the partner may not grant itself more.
    expect((await command(sys, p.key, id, 'accept')).status).toBe(403);
    const accepted = await command(sys, c.key, id, 'accept', { access: 'limited', productIds: [PRODUCTS.crm, PRODUCTS.backup] });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'active', access: 'limited', productIds: [PRODUCTS.crm, PRODUCTS.backup].sort(), requestedProductIds: [PRODUCTS.mail], payer: 'customer' });
    const told = await emailSent(sys.db, `psh:${id}:accepted:rep1`);
    expect(told.email.toAddress).toBe(p.representatives[0].email);
    await recorded(`psh:${id}:accepted:rep2`);
    const audit = await sys.db.auditLog.findMany({ where: { entityType: 'partnership', entityId: id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['partnership.invited', 'partnership.accepted']);
    for (const a of audit) expect(JSON.parse(a.data)).toMatchObject({ customerId: c.customerId, partnerId: p.partnerId });
    expect((await handleOf(c, p).query(partnershipStateQuery)).grant).toEqual({ access: 'limited', productIds: [PRODUCTS.crm, PRODUCTS.backup].sort() });
    // One live partnership per pair.
    expect((await partnerInvites(sys, p, c, { access: 'complete' })).status).toBe(409);
  });

  it('PRT-2: a customer invites a partner, its legal representatives are e-mailed; the partner accepts what was offered and cannot grant itself other access', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const invited = await customerInvites(sys, c, p, { access: 'complete' });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const id = invited.body.partnershipId;
    for (const [i, rep] of p.representatives.entries()) expect((await emailSent(sys.db, `psh:${id}:invitation:0:rep${i + 1}`)).email.toAddress).toBe(rep.email);
    expect((await command(sys, c.key, id, 'accept')).status).toBe(403);
    expect((await command(sys, p.key, id, 'accept', { access: 'limited', productIds: [PRODUCTS.mail] })).status).toBe(403);
    const accepted = await command(sys, p.key, id, 'accept');
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'active', access: 'complete', productIds: [] });
    expect((await emailSent(sys.db, `psh:${id}:accepted`)).email.toAddress).toBe(c.email);
    // Each side lists it; a stranger is told there is none.
    expect((await http(sys.apiUrl, 'GET', '/partnerships', { key: c.key })).body.items.map((x: any) => x.partnershipId)).toEqual([id]);
    expect((await http(sys.apiUrl, 'GET', '/partner/partnerships', { key: p.key })).body.items.map((x: any) => x.partnershipId)).toEqual([id]);
    const stranger = await account(sys);
    expect((await http(sys.apiUrl, 'GET', `/partnerships/${id}`, { key: stranger.key })).status).toBe(404);
    expect((await http(sys.apiUrl, 'GET', '/partner/partnerships', { key: stranger.key })).status).toBe(403);
  });

  it('PRT-2: the inviter resends (a new e-mail, the lapse date unchanged) or withdraws; the invitee refuses; the ended invitation takes no answer', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const first = (await partnerInvites(sys, p, c, { access: 'complete' })).body;
    expect((await command(sys, c.key, first.partnershipId, 'resend')).status).toBe(403);
    const resent = await command(sys, p.key, first.partnershipId, 'resend');
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body.lapsesAt).toBe(first.lapsesAt);
    expect((await recorded(`psh:${first.partnershipId}:invitation:1`)).toAddress).toBe(c.email);
    const withdrawn = await command(sys, p.key, first.partnershipId, 'withdraw');
    expect(withdrawn.body.status).toBe('withdrawn');
    await recorded(`psh:${first.partnershipId}:withdrawn`);
    expect((await command(sys, c.key, first.partnershipId, 'accept')).status).toBe(409);

    const second = (await partnerInvites(sys, p, c, { access: 'complete' })).body;
    expect(second.partnershipId).not.toBe(first.partnershipId);
    const refused = await command(sys, c.key, second.partnershipId, 'refuse');
    expect(refused.body.status).toBe('refused');
    expect((await recorded(`psh:${second.partnershipId}:refused:rep1`)).toAddress).toBe(p.representatives[0].email);
    expect((await row(second.partnershipId)).status).toBe('refused');
  });

  it('PRT-2: only a legal representative of an approved partner invites; a customer unknown is named in the refusal', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const notRep = await http(sys.apiUrl, 'POST', '/partner/partnerships', { key: p.key, body: { customerEmail: c.email, representativeEmail: 'someone@example.test', access: 'complete' } });
    expect(notRep.status).toBe(422);
    expect(notRep.body.errors[0].field).toBe('body.representativeEmail');
    const unknown = await http(sys.apiUrl, 'POST', '/partner/partnerships', { key: p.key, body: { customerEmail: 'nobody@example.test', representativeEmail: p.representatives[0].email, access: 'complete' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('body.customerEmail');
    const notPartner = await http(sys.apiUrl, 'POST', '/partner/partnerships', { key: c.key, body: { customerId: p.customerId, representativeEmail: p.representatives[0].email, access: 'complete' } });
    expect(notPartner.status).toBe(403);
  });
});

describe('PRT-3 access rules', () => {
  it('PRT-3: a second complete partner refused at acceptance (422 naming the first); limited partners beside it are allowed', async () => {
    const c = await account(sys);
    const [first, second, limited] = [await approvedPartner(sys), await approvedPartner(sys), await approvedPartner(sys)];
    const firstId = await activePartnership(sys, first, c, { access: 'complete' });
    const invited = (await partnerInvites(sys, second, c, { access: 'complete' })).body;
    const refused = await command(sys, c.key, invited.partnershipId, 'accept');
    expect(refused.status).toBe(422);
    expect(refused.body.partnership).toMatchObject({ partnershipId: firstId, partnerId: first.partnerId, companyName: first.companyName });
    expect(refused.body.detail).toContain(first.companyName);
    expect((await row(invited.partnershipId)).status).toBe('pending');
    // Granted as limited instead, it passes.
    expect((await command(sys, c.key, invited.partnershipId, 'accept', { access: 'limited', productIds: [PRODUCTS.mail] })).status).toBe(200);
    expect((await activePartnership(sys, limited, c, { access: 'limited', productIds: [PRODUCTS.crm] })).length).toBeGreaterThan(0);
  });

  it('PRT-3: two limited partners on one product refused, at acceptance and at a change; on different products both stand', async () => {
    const c = await account(sys);
    const [a, b] = [await approvedPartner(sys), await approvedPartner(sys)];
    const aId = await activePartnership(sys, a, c, { access: 'limited', productIds: [PRODUCTS.mail, PRODUCTS.crm] });
    const invited = (await partnerInvites(sys, b, c, { access: 'limited', productIds: [PRODUCTS.crm] })).body;
    const refused = await command(sys, c.key, invited.partnershipId, 'accept');
    expect(refused.status).toBe(422);
    expect(refused.body.partnership).toMatchObject({ partnershipId: aId, partnerId: a.partnerId, productIds: [PRODUCTS.crm] });
    expect(refused.body.errors[0].field).toBe('body.productIds');
    const other = await command(sys, c.key, invited.partnershipId, 'accept', { access: 'limited', productIds: [PRODUCTS.backup] });
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    const change = await command(sys, c.key, invited.partnershipId, 'change', { productIds: [PRODUCTS.backup, PRODUCTS.mail] });
    expect(change.status).toBe(422);
    expect(change.body.partnership.partnershipId).toBe(aId);
    expect((await row(invited.partnershipId)).productIds).toEqual([PRODUCTS.backup]);
  });

  it('PRT-3: two complete acceptances for one customer at once: exactly one passes (the customer row is locked where the grant is written)', async () => {
    const c = await account(sys);
    const [a, b] = [await approvedPartner(sys), await approvedPartner(sys)];
    const ids = [(await partnerInvites(sys, a, c, { access: 'complete' })).body.partnershipId, (await partnerInvites(sys, b, c, { access: 'complete' })).body.partnershipId];
    const answers = await Promise.all(ids.map((id) => command(sys, c.key, id, 'accept')));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 422]);
    const [winner, loser] = [answers.find((r) => r.status === 200)!, answers.find((r) => r.status === 422)!];
    expect(loser.body.partnership.partnershipId).toBe(winner.body.partnershipId);
    const rows = await sys.db.partnership.findMany({ where: { customerId: c.customerId, status: 'active' } });
    expect(rows).toHaveLength(1);

    // The activity alone, without the API's early check: two grants written at once for one customer.
    const c2 = await account(sys);
    const now = new Date();
    const pending = await Promise.all([a, b].map(async (prt) => {
      const id = `psh_${randomBytes(12).toString('hex')}`;
      await sys.db.partnership.create({ data: { id, customerId: c2.customerId, partnerId: prt.partnerId, status: 'pending', requestedBy: 'partner', requestedAccess: 'complete', invitedAt: now, lapsesAt: now } });
      return id;
    }));
    const activities = createPartnershipActivities(sys.activityDeps);
    const outcomes = await Promise.allSettled(pending.map((id) => activities.activatePartnership({ partnershipId: id, grant: { access: 'complete', productIds: [] }, by: 'customer', at: now.toISOString(), workflowId: 'test' })));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason as ApplicationFailure).type).toBe('AccessConflict');
    expect(await sys.db.partnership.count({ where: { customerId: c2.customerId, status: 'active' } })).toBe(1);
  });
});

describe('PRT-5 the customer changes what is in force', () => {
  it('PRT-5: payer change e-mailed to the partner; the partner pays only with complete access; the partner cannot change anything', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const id = await activePartnership(sys, p, c, { access: 'limited', productIds: [PRODUCTS.mail] });
    const limitedPayer = await command(sys, c.key, id, 'change', { payer: 'partner' });
    expect(limitedPayer.status).toBe(422);
    expect(limitedPayer.body.errors[0].field).toBe('body.payer');
    expect((await command(sys, p.key, id, 'change', { access: 'complete' })).status).toBe(403);
    const complete = await command(sys, c.key, id, 'change', { access: 'complete', payer: 'partner' });
    expect(complete.status, JSON.stringify(complete.body)).toBe(200);
    expect(complete.body).toMatchObject({ access: 'complete', productIds: [], payer: 'partner' });
    const { email } = await emailSent(sys.db, `psh:${id}:payer:1:rep1`);
    expect(email.toAddress).toBe(p.representatives[0].email);
    expect(email.text).toContain(`${p.companyName} pays`);
    // Back to limited: the customer pays again, and the partner is told.
    const back = await command(sys, c.key, id, 'change', { access: 'limited', productIds: [PRODUCTS.crm] });
    expect(back.body).toMatchObject({ access: 'limited', productIds: [PRODUCTS.crm], payer: 'customer' });
    await recorded(`psh:${id}:payer:2:rep1`);
    // A product change alone keeps the payer: no e-mail.
    expect((await command(sys, c.key, id, 'change', { productIds: [PRODUCTS.backup] })).status).toBe(200);
    expect(await sys.db.email.findUnique({ where: { id: `psh:${id}:payer:3:rep1` } })).toBeNull();
    expect((await command(sys, c.key, id, 'change', { productIds: [PRODUCTS.backup] })).status).toBe(409);
    const changes = await sys.db.auditLog.count({ where: { entityType: 'partnership', entityId: id, action: 'partnership.changed' } });
    expect(changes).toBe(3);
  });
});

describe('PRT-7 ending a partnership', () => {
  it('PRT-7: double confirmation: asked, confirmed, then the e-mailed code; a wrong code refused; ended only after both confirmations and the right code', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const id = await activePartnership(sys, p, c, { access: 'complete' });
    expect((await command(sys, p.key, id, 'end/confirm')).status).toBe(409); // not asked yet
    const asked = await command(sys, p.key, id, 'end');
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body.partnership).toMatchObject({ status: 'active', endRequest: 'requested' });
    expect(asked.body.next).toMatch(/confirm/);
    expect((await command(sys, p.key, id, 'end/code', { code: 'ABCDEFGH' })).status).toBe(409); // no code yet
    const confirmed = await command(sys, p.key, id, 'end/confirm');
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.partnership).toMatchObject({ status: 'active', endRequest: 'confirmed' });
    // The code goes to the partner's account address (its sign-in credential); staff see it masked.
    const codeId = `psh:${id}:end:partner:1`;
    const { email } = await emailSent(sys.db, `${codeId}:email`);
    expect(email.toAddress).toBe(p.email);
    expect(email.maskedText).not.toMatch(/code: [A-Z0-9]{8}/);
    const code = /code: ([A-Z0-9]{8})/.exec(email.text)![1];
    const stored = await sys.db.confirmationCode.findUniqueOrThrow({ where: { id: codeId } });
    expect(stored).toMatchObject({ purpose: 'partnership-end', subjectId: id, actor: 'partner', usedAt: null });
    expect(stored.codeHash).not.toContain(code);
    const wrongCode = code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    const wrong = await command(sys, p.key, id, 'end/code', { code: wrongCode });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].field).toBe('body.code');
    expect((await row(id)).status).toBe('active');
    // The other side's code is not this side's.
    expect((await command(sys, c.key, id, 'end/code', { code })).status).toBe(409);
    const ended = await command(sys, p.key, id, 'end/code', { code: code.toLowerCase() });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body.partnership).toMatchObject({ status: 'ended', endedBy: 'partner' });
    expect((await row(id)).endedAt).not.toBeNull();
    expect((await sys.db.confirmationCode.findUniqueOrThrow({ where: { id: codeId } })).usedAt).not.toBeNull();
    await recorded(`psh:${id}:ended`);
    expect((await command(sys, c.key, id, 'change', { access: 'limited', productIds: [PRODUCTS.mail] })).status).toBe(409);
    // the workflow saw the code's id, never the code, nor an e-mail address.
    const texts = await decodedPayloadTexts(JSON.parse(historyToJSON(await handleOf(c, p).fetchHistory())));
    expect(texts.join('\n')).toContain(codeId);
    expect(texts.filter((t) => t.includes(code) || t.includes(p.email) || t.includes(c.email))).toEqual([]);
  });

  it('PRT-7: a code is tried at most 5 times; confirming again e-mails a new one, and only the latest works', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const id = await activePartnership(sys, p, c, { access: 'limited', productIds: [PRODUCTS.mail] });
    await command(sys, c.key, id, 'end');
    await command(sys, c.key, id, 'end/confirm');
    const first = /code: ([A-Z0-9]{8})/.exec((await recorded(`psh:${id}:end:customer:1:email`)).text)![1];
    const wrongCode = first === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    for (let i = 0; i < 5; i++) expect((await command(sys, c.key, id, 'end/code', { code: wrongCode })).body.reason).toBe('WrongCode');
    expect((await command(sys, c.key, id, 'end/code', { code: first })).body.reason).toBe('CodeExpired');
    expect((await command(sys, c.key, id, 'end/confirm')).status).toBe(200);
    const second = /code: ([A-Z0-9]{8})/.exec((await recorded(`psh:${id}:end:customer:2:email`)).text)![1];
    const ended = await command(sys, c.key, id, 'end/code', { code: second });
    expect(ended.body.partnership).toMatchObject({ status: 'ended', endedBy: 'customer' });
  });

  it('ACC-3 contract: the accountClosed signal ends a live partnership at once (endedBy account_closed)', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const id = await activePartnership(sys, p, c, { access: 'complete' });
    await handleOf(c, p).signal(accountClosed);
    // Polled, not awaited as a result: awaiting one would let the server skip the clock.
    const ended = await eventually(async () => ((await row(id)).status === 'ended' ? row(id) : undefined), 20_000, 'ended');
    expect(ended).toMatchObject({ status: 'ended', endedBy: 'account_closed' });
    expect((await handleOf(c, p).describe()).status.name).toBe('COMPLETED');
  });
});

describe('PRT-2 lapse (moves the clock: last)', () => {
  it('PRT-2: lapse at 14 days with the day-7 reminder: pending at 13d23h59, lapsed at 14d00h00; reminded at day 7, not a minute before', async () => {
    const [p, c] = [await approvedPartner(sys), await account(sys)];
    const invited = (await partnerInvites(sys, p, c, { access: 'limited', productIds: [PRODUCTS.mail] })).body;
    const id = invited.partnershipId;
    await recorded(`psh:${id}:invitation:0`);
    const state = await handleOf(c, p).query(partnershipStateQuery);
    expect(state.lapsesAt).toBe(new Date(invited.lapsesAt).toISOString());

    await sleepUntil(state.remindAt, -MINUTE);
    expect(await sys.db.email.findUnique({ where: { id: `psh:${id}:reminder` } })).toBeNull();
    await sleepUntil(state.remindAt, MINUTE);
    expect((await emailSent(sys.db, `psh:${id}:reminder`)).email.toAddress).toBe(c.email);

    await sleepUntil(state.lapsesAt, -MINUTE);
    expect((await handleOf(c, p).query(partnershipStateQuery)).status).toBe('pending');
    expect((await row(id)).status).toBe('pending');
    await sleepUntil(state.lapsesAt, 1_000);
    const end = await handleOf(c, p).result();
    expect(end.status).toBe('lapsed');
    expect(await row(id)).toMatchObject({ status: 'lapsed', respondedAt: new Date(state.lapsesAt) });
    await recorded(`psh:${id}:lapsed:rep1`);
    expect((await command(sys, c.key, id, 'accept')).status).toBe(409);
  });
});
