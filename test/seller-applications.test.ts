// Seller onboarding (KYC-1) on the time-skipping server: the registration extract's 3 months at
// their boundary (an extract issued exactly 3 months before the submission day is accepted, one
// day older is stale), files refused by content, the day-23 reminder and day-30 lapse (house
// rules) at their instants, approval (a Seller row and an e-mailed single-use sign-in link to a
// seller key, never a key in an answer), rejection with its reason, and who sees what.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../prisma/demo-data';
import { sellerApplicationStateQuery, sellerApplicationWorkflowId } from '../workflows/seller-application';
import { allButExtract, apply, HTML, parisDate, PDF, PNG, submittedApplication, upload, type Applied } from './support/application-fixtures';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { emailSent } from './support/orders';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const OPS = DEMO_KEYS.ops;
const MINUTE = 60_000;

async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
const row = (a: Applied) => sys.db.sellerApplication.findUniqueOrThrow({ where: { id: a.applicationId } });
const query = (a: Applied) => env.client.workflow.getHandle(sellerApplicationWorkflowId(a.applicationId)).query(sellerApplicationStateQuery);

async function uploadAll(a: Applied, uploads: Parameters<typeof upload>[3][]): Promise<any> {
  let last: any;
  for (const u of uploads) {
    const res = await upload(sys.apiUrl, a.applicationId, a.token, u);
    expect(res.status, `${u.kind}: ${JSON.stringify(res.body)}`).toBe(201);
    last = res.body;
  }
  return last;
}

describe('KYC-1 seller onboarding', () => {
  it('KYC-1: an application lists exactly what is missing, which person lacks an ID', async () => {
    const a = await apply(sys.apiUrl, { representatives: 2, owners: 2 });
    expect(a.body.application.status).toBe('incomplete');
    expect(a.body.applicationToken).toMatch(/^sa1\./);
    expect(a.body.application.missing.map((m: any) => `${m.code}${m.person ?? ''}`)).toEqual([
      'representative_id1', 'representative_id2', 'registration_extract', 'bank_details', 'statutes', 'beneficial_owner_declaration', 'beneficial_owner_id1', 'beneficial_owner_id2',
    ]);
    const after = await uploadAll(a, [{ kind: 'representative_id', person: 2 }, { kind: 'bank_details', accountHolder: 'Someone Else SARL' }]);
    expect(after.status).toBe('incomplete');
    expect(after.missing.find((m: any) => m.code === 'representative_id').person).toBe(1);
    expect(after.missing.find((m: any) => m.code === 'bank_details_holder').message).toContain('Someone Else SARL');
    expect((await query(a)).missing.map((m) => m.code)).toEqual(after.missing.map((m: any) => m.code));
  });

  it('KYC-1: an extract issued 3 months and 1 day before submission keeps the application incomplete, naming its date and the limit', async () => {
    const a = await apply(sys.apiUrl);
    await uploadAll(a, allButExtract(a));
    const now = await env.currentTimeMs();
    const stale = parisDate(now, { months: 3, days: 1 });
    const limit = parisDate(now, { months: 3 });
    const view = await uploadAll(a, [{ kind: 'registration_extract', issuedOn: stale }]);
    expect(view.status).toBe('incomplete');
    expect(view.missing).toHaveLength(1);
    expect(view.missing[0].code).toBe('registration_extract_stale');
    expect(view.missing[0].message).toContain(stale);
    expect(view.missing[0].message).toContain(limit);
    expect((await row(a)).status).toBe('incomplete');
  });

  it('KYC-1: an extract issued exactly 3 months before submission is accepted and the application is submitted', async () => {
    const a = await apply(sys.apiUrl);
    await uploadAll(a, allButExtract(a));
    const view = await uploadAll(a, [{ kind: 'registration_extract', issuedOn: parisDate(await env.currentTimeMs(), { months: 3 }) }]);
    expect(view.status).toBe('submitted');
    expect(view.missing).toEqual([]);
    expect(view.submittedAt).not.toBeNull();
    await emailSent(sys.db, `sapp:${a.applicationId}:submitted`);
  });

  it('KYC-1: a file whose content is not what its name or declared type says is refused (415 naming body.file); over 10 MiB is 413', async () => {
    const a = await apply(sys.apiUrl);
    const png = await upload(sys.apiUrl, a.applicationId, a.token, { kind: 'statutes', file: { bytes: PNG, name: 'statutes.pdf', type: 'application/pdf' } });
    expect(png.status).toBe(415);
    expect(png.body.errors[0].field).toBe('body.file');
    const html = await upload(sys.apiUrl, a.applicationId, a.token, { kind: 'statutes', file: { bytes: HTML, name: 'statutes.pdf', type: 'application/pdf' } });
    expect(html.status).toBe(415);
    expect(html.body.errors[0].field).toBe('body.file');
    const big = await upload(sys.apiUrl, a.applicationId, a.token, { kind: 'statutes', file: { bytes: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]), name: 'statutes.pdf', type: 'application/pdf' } });
    expect(big.status).toBe(413);
    expect(big.body.errors[0].field).toBe('body.file');
    // The same PDF named .bin with no declared type is judged by content, and accepted.
    const ok = await upload(sys.apiUrl, a.applicationId, a.token, { kind: 'statutes', file: { bytes: PDF, name: 'scan.bin', type: 'application/octet-stream' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.documents).toHaveLength(1);
    expect(ok.body.documents[0].mime).toBe('application/pdf');
  });

  it('KYC-1: approval makes an approved Seller and e-mails a sign-in link that exchanges once for a seller key (no key in any answer)', async () => {
    const a = await submittedApplication(sys.apiUrl);
    const res = await http(sys.apiUrl, 'POST', `/seller-applications/${a.applicationId}/approve`, { key: OPS, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('approved');
    expect(JSON.stringify(res.body)).not.toMatch(/apiKey|sell_/);
    const seller = await sys.db.seller.findUniqueOrThrow({ where: { id: res.body.sellerId } });
    expect(seller).toMatchObject({ status: 'approved', legalName: a.companyName, contactEmail: a.contactEmail });
    const { email } = await emailSent(sys.db, `sapp:${a.applicationId}:approved`);
    expect(email.toAddress).toBe(a.contactEmail);
    expect(email.maskedText).not.toMatch(/token=/);
    const token = /[?&]token=([A-Za-z0-9_-]{43})/.exec(email.text)![1];
    const exchanged = await http(sys.apiUrl, 'POST', '/auth/sign-in/exchange', { body: { token } });
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(201);
    expect(exchanged.body.sellerId).toBe(seller.id);
    expect(exchanged.body.customerId).toBeUndefined();
    expect((await http(sys.apiUrl, 'POST', '/auth/sign-in/exchange', { body: { token } })).status).toBe(401);
    const key = await sys.db.apiKey.findUniqueOrThrow({ where: { keyId: exchanged.body.keyId } });
    expect(key).toMatchObject({ kind: 'seller', sellerId: seller.id });
    expect(key.expiresAt).not.toBeNull();
    expect((await http(sys.apiUrl, 'GET', '/seller/cases', { key: exchanged.body.apiKey })).status).toBe(200);
    // A decision is taken once: a second one is refused.
    expect((await http(sys.apiUrl, 'POST', `/seller-applications/${a.applicationId}/reject`, { key: OPS, body: { reason: 'late' } })).status).toBe(409);
  });

  it('KYC-1: rejection needs a reason, and the reason is e-mailed to the applicant', async () => {
    const a = await submittedApplication(sys.apiUrl);
    const none = await http(sys.apiUrl, 'POST', `/seller-applications/${a.applicationId}/reject`, { key: OPS, body: { reason: '  ' } });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].field).toBe('body.reason');
    const res = await http(sys.apiUrl, 'POST', `/seller-applications/${a.applicationId}/reject`, { key: OPS, body: { reason: 'Registration number unknown to the registry' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', reason: 'Registration number unknown to the registry', sellerId: null });
    const { email } = await emailSent(sys.db, `sapp:${a.applicationId}:rejected`);
    expect(email.toAddress).toBe(a.contactEmail);
    expect(email.text).toContain('Registration number unknown to the registry');
  });

  it('KYC-1: the applicant sees only its own application; ops see all, paginated', async () => {
    const a = await apply(sys.apiUrl);
    const b = await apply(sys.apiUrl);
    expect((await http(sys.apiUrl, 'GET', `/seller-applications/${a.applicationId}`, { key: a.token })).status).toBe(200);
    expect((await http(sys.apiUrl, 'GET', `/seller-applications/${b.applicationId}`, { key: a.token })).status).toBe(403);
    expect((await upload(sys.apiUrl, b.applicationId, a.token, { kind: 'statutes' })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/seller-applications/${a.applicationId}`)).status).toBe(401);
    expect((await http(sys.apiUrl, 'GET', '/ops/seller-applications', { key: a.token })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/seller-applications/${b.applicationId}`, { key: OPS })).status).toBe(200);
    const first = await http(sys.apiUrl, 'GET', '/ops/seller-applications?limit=1', { key: OPS });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: any) => i.applicationId)).toEqual([b.applicationId]);
    const second = await http(sys.apiUrl, 'GET', `/ops/seller-applications?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { key: OPS });
    expect(second.body.items.map((i: any) => i.applicationId)).toEqual([a.applicationId]);
  });

  // Last: it skips 30 days of the file's clock.
  it('KYC-1: left incomplete, the applicant is reminded at day 23 and the application lapses at day 30, not a minute before', async () => {
    const a = await apply(sys.apiUrl);
    const { remindAt, lapsesAt } = a.body.application;
    // Days 23 and 30 on the Paris calendar from the application (same wall-clock time), written out here, not read from the code.
    const created = DateTime.fromISO(a.body.application.createdAt).setZone('Europe/Paris');
    expect(remindAt).toBe(created.plus({ days: 23 }).toUTC().toISO());
    expect(lapsesAt).toBe(created.plus({ days: 30 }).toUTC().toISO());
    const reminder = `sapp:${a.applicationId}:reminder`;
    await sleepUntil(remindAt, -MINUTE);
    expect(await sys.db.email.findUnique({ where: { id: reminder } })).toBeNull();
    await sleepUntil(remindAt);
    const { email } = await emailSent(sys.db, reminder);
    expect(email.text).toContain('statutes');
    expect((await query(a)).status).toBe('incomplete');
    await sleepUntil(lapsesAt, -MINUTE);
    expect((await query(a)).status).toBe('incomplete');
    expect((await row(a)).status).toBe('incomplete');
    await sleepUntil(lapsesAt);
    await eventually(async () => (await row(a)).status === 'lapsed', 20_000, 'lapsed');
    await emailSent(sys.db, `sapp:${a.applicationId}:lapsed`);
    expect((await upload(sys.apiUrl, a.applicationId, a.token, { kind: 'statutes' })).status).toBe(409);
  });
});
