// Calls for tenders (TND-1) on the time-skipping server: the excerpt e-mailed to opted-in approved
// partners only (no contact details in it), the full read with the contact recorded per read, a
// proposal e-mailed to the customer with the withdrawal link, the link withdrawing the call at once
// (a read and a proposal right after are refused), a visitor's e-mail verification and its 48-hour
// lapse, the rate limits of the anonymous posting, and the 30-day close at its boundary (house rules).
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { generousRateLimits } from '../api/rate-limit';
import { listenApi } from '../api/server';
import { tenderStateQuery, tenderWorkflowId } from '../workflows/tender';
import { useTestSystem } from './support/environments';
import { decodedPayloadTexts } from './support/history-secrets';
import { eventually, http } from './support/http';
import { emailSent } from './support/orders';
import type { TestSystem } from './support/system';
import { freshCustomer, freshPartner, postTender, tenderBody, verificationCode, withdrawalPathIn } from './support/tender-fixtures';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const MINUTE = 60_000;
async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
const row = (id: string) => sys.db.tender.findUnique({ where: { id } });
const read = (key: string, id: string) => http(sys.apiUrl, 'POST', `/partner/tenders/${id}/read`, { key, body: {} });
const propose = (key: string, id: string, body: Record<string, unknown> = { message: 'We can host it.' }) => http(sys.apiUrl, 'POST', `/partner/tenders/${id}/proposals`, { key, body });
const excerptMails = (id: string) => sys.db.email.findMany({ where: { id: { startsWith: `tnd:${id}:excerpt:` } }, orderBy: { id: 'asc' } });

describe('TND-1 calls for tenders', () => {
  it('TND-1: the excerpt is e-mailed only to approved partners opted in to the category, without contact details or the full description', async () => {
    const inCategory = await freshPartner(sys.db, ['storage_backup', 'email']);
    const otherCategory = await freshPartner(sys.db, ['email']);
    const pending = await freshPartner(sys.db, ['storage_backup'], 'pending');
    const customer = await freshCustomer(sys.db);
    const body = tenderBody({ category: 'storage_backup', contact: { phone: '+41 21 555 01 02' } });
    const t = await postTender(sys.apiUrl, customer.key, body);
    // The customer's own address: open at once, the contact its account's.
    expect(t).toMatchObject({ status: 'open', contact: { name: customer.name, email: customer.email, phone: '+41 21 555 01 02' }, verifyBy: null });
    const { email } = await emailSent(sys.db, `tnd:${t.tenderId}:excerpt:${inCategory.partnerId}`);
    expect(email.toAddress).toBe(inCategory.email);
    expect(email.text).toContain(body.title);
    expect(email.text).toContain(body.excerpt);
    for (const secret of [customer.email, customer.name, '555 01 02', body.description]) expect(email.text).not.toContain(secret);
    // Once the announcement is over: one excerpt, to the one approved partner of the category.
    await eventually(async () => (await env.client.workflow.getHandle(tenderWorkflowId(t.tenderId)).query(tenderStateQuery)).partnersAnnounced > 0, 20_000, 'announced');
    expect((await excerptMails(t.tenderId)).map((m) => m.id)).toEqual([`tnd:${t.tenderId}:excerpt:${inCategory.partnerId}`]);
    // The customer is told it is open, with the withdrawal link (hidden in the staff copy).
    const opened = (await emailSent(sys.db, `tnd:${t.tenderId}:opened`)).email;
    expect(opened.toAddress).toBe(customer.email);
    expect(opened.text).toMatch(/\/links\/tender-withdrawal\//);
    expect(opened.maskedText).not.toMatch(/\/links\//);
    // The partner's list: excerpts of its categories only, never the contact.
    const list = await http(sys.apiUrl, 'GET', '/partner/tenders?category=storage_backup', { key: inCategory.key });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items.map((i: any) => i.tenderId)).toContain(t.tenderId);
    expect(JSON.stringify(list.body)).not.toContain(customer.email);
    expect((await http(sys.apiUrl, 'GET', '/partner/tenders', { key: otherCategory.key })).body.items.map((i: any) => i.tenderId)).not.toContain(t.tenderId);
    expect((await http(sys.apiUrl, 'GET', '/partner/tenders', { key: pending.key })).status).toBe(403);
    // the workflow's payloads carry the call's id, never its contact.
    const history = historyToJSON(await env.client.workflow.getHandle(tenderWorkflowId(t.tenderId)).fetchHistory());
    const texts = await decodedPayloadTexts(JSON.parse(history));
    expect(texts.join('\n')).toContain(t.tenderId);
    expect(texts.filter((x) => x.includes(customer.email) || x.includes('555 01 02') || x.includes(body.description))).toEqual([]);
  });

  it('TND-1: a partner of the category reads an open call in full with its contact details, and each read is recorded', async () => {
    const p = await freshPartner(sys.db, ['web_hosting']);
    const stranger = await freshPartner(sys.db, ['domains']);
    const customer = await freshCustomer(sys.db);
    const t = await postTender(sys.apiUrl, customer.key, tenderBody({ contact: { name: 'Marie Dupont', phone: '+33 4 00 00 00 07' } }));
    const first = await read(p.key, t.tenderId);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ tenderId: t.tenderId, description: t.description, contact: { name: 'Marie Dupont', email: customer.email, phone: '+33 4 00 00 00 07' } });
    expect((await read(p.key, t.tenderId)).status).toBe(200);
    const reads = await sys.db.tenderRead.findMany({ where: { tenderId: t.tenderId } });
    expect(reads.map((r) => r.partnerId)).toEqual([p.partnerId, p.partnerId]);
    // Not in its categories: not shown; not a partner: refused; neither recorded.
    expect((await read(stranger.key, t.tenderId)).status).toBe(404);
    expect((await read(customer.key, t.tenderId)).status).toBe(403);
    expect(await sys.db.tenderRead.count({ where: { tenderId: t.tenderId } })).toBe(2);
  });

  it('TND-1: a proposal is recorded and e-mailed to the customer with a link that withdraws the call', async () => {
    const p = await freshPartner(sys.db, ['web_hosting']);
    const customer = await freshCustomer(sys.db);
    const t = await postTender(sys.apiUrl, customer.key);
    const res = await propose(p.key, t.tenderId, { message: 'Managed hosting, migration included.', priceCents: 34_720, currency: 'CHF' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ tenderId: t.tenderId, partnerId: p.partnerId, priceCents: 34_720, currency: 'CHF' });
    const { email } = await emailSent(sys.db, `tnd:${t.tenderId}:proposal:${res.body.proposalId}`);
    expect(email.toAddress).toBe(customer.email);
    expect(email.customerId).toBe(customer.customerId);
    expect(email.text).toContain(p.companyName);
    expect(email.text).toContain('Managed hosting, migration included.');
    expect(email.text).toMatch(/CHF\s?347\.20|347\.20\s?CHF/);
    expect(email.maskedText).not.toMatch(/\/links\//);
    const page = await http(sys.apiUrl, 'GET', withdrawalPathIn(email.text), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Withdraw the call');
    expect((await row(t.tenderId))!.status).toBe('open');
    const mine = await http(sys.apiUrl, 'GET', `/tenders/${t.tenderId}`, { key: customer.key });
    expect(mine.body.proposals.map((x: any) => x.proposalId)).toEqual([res.body.proposalId]);
    expect((await http(sys.apiUrl, 'GET', `/tenders/${t.tenderId}`, { key: p.key })).status).toBe(403);
  });

  it('TND-1: the e-mailed link withdraws the call at once: a read and a proposal right after are refused (409 naming the state)', async () => {
    const p = await freshPartner(sys.db, ['web_hosting']);
    const customer = await freshCustomer(sys.db);
    const t = await postTender(sys.apiUrl, customer.key);
    const proposal = await propose(p.key, t.tenderId);
    expect(proposal.status).toBe(201);
    const { email } = await emailSent(sys.db, `tnd:${t.tenderId}:proposal:${proposal.body.proposalId}`);
    const link = withdrawalPathIn(email.text);
    const done = await http(sys.apiUrl, 'POST', link, { body: {}, headers: { accept: 'text/html' } });
    expect(done.status, String(done.body)).toBe(200);
    expect(done.body).toContain('withdrawn');
    // No waiting: the row says withdrawn by the time the page answers.
    expect((await row(t.tenderId))!.status).toBe('withdrawn');
    const refusedRead = await read(p.key, t.tenderId);
    expect(refusedRead.status).toBe(409);
    expect(refusedRead.body).toMatchObject({ reason: 'TenderWithdrawn', state: 'withdrawn' });
    expect(refusedRead.body.detail).toContain('withdrawn');
    const refusedProposal = await propose(p.key, t.tenderId);
    expect(refusedProposal.status).toBe(409);
    expect(refusedProposal.body.reason).toBe('TenderWithdrawn');
    expect(await sys.db.tenderRead.count({ where: { tenderId: t.tenderId } })).toBe(0);
    expect(await sys.db.tenderProposal.count({ where: { tenderId: t.tenderId } })).toBe(1);
    expect((await http(sys.apiUrl, 'GET', '/partner/tenders', { key: p.key })).body.items.map((i: any) => i.tenderId)).not.toContain(t.tenderId);
    // A repeat shows the same result; the customer is told; the API's withdrawal is refused by state.
    expect((await http(sys.apiUrl, 'POST', link, { body: {}, headers: { accept: 'text/html' } })).status).toBe(200);
    await emailSent(sys.db, `tnd:${t.tenderId}:withdrawn`);
    const again = await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/withdraw`, { key: customer.key, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('TenderWithdrawn');
  });

  it('TND-1: the customer withdraws its call through the API; another customer cannot', async () => {
    const customer = await freshCustomer(sys.db);
    const other = await freshCustomer(sys.db);
    const t = await postTender(sys.apiUrl, customer.key);
    expect((await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/withdraw`, { key: other.key, body: {} })).status).toBe(403);
    const res = await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/withdraw`, { key: customer.key, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'withdrawn', endedAt: expect.any(String) });
  });

  it("TND-1: a visitor's call waits for the verification of its e-mail: a wrong code is refused, the right one opens it and the partners are told", async () => {
    const p = await freshPartner(sys.db, ['cloud_servers']);
    const missing = await http(sys.apiUrl, 'POST', '/tenders', { body: tenderBody({ category: 'cloud_servers', contact: { name: 'Visitor' } }) });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: any) => e.field)).toEqual(['body.contact.email']);
    const contact = { name: 'Jean Visiteur', email: `visitor-${Date.now()}@example.test` };
    const leaking = await http(sys.apiUrl, 'POST', '/tenders', { body: tenderBody({ excerpt: `Write to ${contact.email.toUpperCase()}`, contact }) });
    expect(leaking.status).toBe(422);
    expect(leaking.body.errors.map((e: any) => e.field)).toEqual(['body.excerpt']);
    const t = await postTender(sys.apiUrl, undefined, tenderBody({ category: 'cloud_servers', contact }));
    expect(t).toMatchObject({ status: 'awaiting_verification', openedAt: null, verifyBy: expect.any(String) });
    const code = await verificationCode(sys.db, t.tenderId);
    const stored = await sys.db.confirmationCode.findFirstOrThrow({ where: { purpose: 'tender-email', subjectId: t.tenderId } });
    expect(stored.codeHash).not.toContain(code);
    expect((await emailSent(sys.db, `tnd:${t.tenderId}:verification`)).email.maskedText).not.toContain(code);
    // Unverified: no partner sees it.
    expect((await read(p.key, t.tenderId)).status).toBe(404);
    expect(await excerptMails(t.tenderId)).toEqual([]);
    const wrong = await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/verify`, { body: { code: code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ reason: 'WrongCode', errors: [{ field: 'body.code' }] });
    expect((await sys.db.confirmationCode.findUniqueOrThrow({ where: { id: stored.id } })).attempts).toBe(1);
    const ok = await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/verify`, { body: { code: code.toLowerCase() } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ status: 'open', verifyBy: null, contact: { ...contact, phone: null } });
    await emailSent(sys.db, `tnd:${t.tenderId}:excerpt:${p.partnerId}`);
    expect((await read(p.key, t.tenderId)).status).toBe(200);
    expect((await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/verify`, { body: { code } })).status).toBe(409);
    // The code never travels in the workflow's payloads.
    const texts = await decodedPayloadTexts(JSON.parse(historyToJSON(await env.client.workflow.getHandle(tenderWorkflowId(t.tenderId)).fetchHistory())));
    expect(texts.filter((x) => x.includes(code) || x.includes(contact.email))).toEqual([]);
  });

  it("TND-1 (X-8, ACC-1): a customer's call naming another contact address waits for that address's proof, and the code is not in the customer's own e-mails", async () => {
    const customer = await freshCustomer(sys.db);
    const contact = { name: 'Someone Else', email: `someone-${Date.now()}@example.test` };
    const t = await postTender(sys.apiUrl, customer.key, tenderBody({ contact }));
    expect(t).toMatchObject({ status: 'awaiting_verification' });
    const { email } = await emailSent(sys.db, `tnd:${t.tenderId}:verification`);
    expect(email.toAddress).toBe(contact.email);
    expect(email.customerId).toBeNull();
    const listed = await http(sys.apiUrl, 'GET', `/customers/${customer.customerId}/emails`, { key: customer.key });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(await verificationCode(sys.db, t.tenderId));
  });

  it("TND-1, X-5: a visitor's calls are rate-limited per contact e-mail and per address (429 naming what was limited)", async () => {
    // One more API process on this system, with small limits (the system's own are out of reach).
    const limited = { ...generousRateLimits(), store: 'memory' as const, tenderPerEmail: { points: 2, durationSeconds: 600 }, tenderPerIp: { points: 3, durationSeconds: 600 } };
    const server = await listenApi(createApp({ db: sys.db, temporal: env.client, gateway: sys.activityDeps.gateway, taskQueue: sys.taskQueue, mailboxEnabled: false, rateLimits: limited }), 0, '127.0.0.1');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const as = (email: string) => http(base, 'POST', '/tenders', { body: tenderBody({ contact: { name: 'Busy Visitor', email } }) });
      const email = `busy-${Date.now()}@example.test`;
      expect((await as(email)).status).toBe(201);
      expect((await as(email.toUpperCase())).status).toBe(201);
      const third = await as(email);
      expect(third.status).toBe(429);
      expect(third.body.errors).toEqual([{ field: 'body.contact.email', message: expect.any(String) }]);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      // The fourth request from this address, whatever its e-mail: over the address's limit.
      const fourth = await as(`other-${Date.now()}@example.test`);
      expect(fourth.status).toBe(429);
      expect(fourth.body.errors[0].field).toBe('headers');
      expect(await sys.db.tender.count({ where: { contactEmail: email } })).toBe(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    }
  });

  // Last two: they skip 48 hours, then 30 days, of the file's clock.
  it("TND-1: a visitor's call left unverified is dropped 48 hours after it was posted, not a minute before", async () => {
    const t = await postTender(sys.apiUrl, undefined, tenderBody({ contact: { name: 'Late Visitor', email: `late-${Date.now()}@example.test` } }));
    const code = await verificationCode(sys.db, t.tenderId);
    expect(t.verifyBy).toBe(new Date(Date.parse(t.createdAt) + 48 * 3_600_000).toISOString());
    await sleepUntil(t.verifyBy, -MINUTE);
    expect((await row(t.tenderId))?.status).toBe('awaiting_verification');
    await sleepUntil(t.verifyBy);
    await eventually(async () => (await row(t.tenderId)) === null, 20_000, 'dropped');
    expect(await sys.db.confirmationCode.count({ where: { subjectId: t.tenderId } })).toBe(0);
    expect((await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/verify`, { body: { code } })).status).toBe(404);
    expect((await env.client.workflow.getHandle(tenderWorkflowId(t.tenderId)).result()).status).toBe('dropped');
  });

  it('TND-1: an open call closes by itself 30 days after it opened (Paris calendar), not a minute before; reads and proposals are then refused', async () => {
    const p = await freshPartner(sys.db, ['website_creation']);
    const customer = await freshCustomer(sys.db);
    const t = await postTender(sys.apiUrl, customer.key, tenderBody({ category: 'website_creation' }));
    // 30 days on the Paris calendar from the opening (same wall-clock time), written out here.
    expect(t.closesAt).toBe(DateTime.fromISO(t.openedAt).setZone('Europe/Paris').plus({ days: 30 }).toUTC().toISO());
    const opened = (await emailSent(sys.db, `tnd:${t.tenderId}:opened`)).email;
    await sleepUntil(t.closesAt, -MINUTE);
    expect((await row(t.tenderId))!.status).toBe('open');
    expect((await read(p.key, t.tenderId)).status).toBe(200);
    await sleepUntil(t.closesAt);
    await eventually(async () => (await row(t.tenderId))?.status === 'closed', 20_000, 'closed');
    expect((await row(t.tenderId))!.endedAt!.toISOString()).toBe(t.closesAt);
    await emailSent(sys.db, `tnd:${t.tenderId}:closed`);
    const refused = await read(p.key, t.tenderId);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ reason: 'TenderClosed', state: 'closed' });
    expect((await propose(p.key, t.tenderId)).body.reason).toBe('TenderClosed');
    expect((await http(sys.apiUrl, 'POST', withdrawalPathIn(opened.text), { body: {} })).status).toBe(409);
  });
});
