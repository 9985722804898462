// POL-3 as staff record it: ops verify a charity or education customer on a reference to the
// evidence, until a date; staff and the customer itself list the verifications; the
// discount checkout and renewals ask for (activities/customer-verifications.ts) holds exactly
// while a verification has not expired, and only on an offer its seller made eligible. No
// workflow runs here: the dev server without a worker.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { discountFor } from '../activities/customer-verifications';
import { DISCOUNT_BP } from '../domain/commercial-policy';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('dev-server', (_e, s) => {
  sys = s;
}, { withWorker: false });

const FUTURE = '2099-09-01T00:00:00.000Z';
const record = (key: string, customerId: string, body: Record<string, unknown> = {}) =>
  http(sys.apiUrl, 'POST', `/staff/customers/${customerId}/verifications`, { key, body: { kind: 'charity', evidenceRef: 'RNA W751234567', expiresAt: FUTURE, ...body } });

/** A customer of its own for each test (no key: staff act on it). */
async function freshCustomer(): Promise<string> {
  const id = `cus_t_${randomUUID().slice(0, 8)}`;
  await sys.db.customer.create({ data: { id, email: `${id}@example.test`, name: 'Les Restos du Test', type: 'business' } });
  return id;
}

describe('verifications (POL-3)', () => {
  it('POL-3, X-4: ops record a verification on a reference to the evidence: 201 with it, the row, and an audit entry naming the staff member', async () => {
    const customerId = await freshCustomer();
    const res = await record(DEMO_KEYS.ops, customerId, { kind: 'education', evidenceRef: '  UAI 0751234A  ', expiresAt: '2099-09-01T02:00:00+02:00' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const actor = `staff:${DEMO.staff.ops.label}`;
    expect(res.body).toEqual({
      verificationId: expect.stringMatching(/^cver_/),
      customerId,
      kind: 'education',
      evidenceRef: 'UAI 0751234A',
      expiresAt: FUTURE,
      createdAt: expect.any(String),
      recordedBy: actor,
    });
    expect(await sys.db.customerVerification.findMany({ where: { customerId } })).toEqual([
      expect.objectContaining({ id: res.body.verificationId, kind: 'education', evidenceRef: 'UAI 0751234A', expiresAt: new Date(FUTURE), recordedBy: actor }),
    ]);
    const audit = await sys.db.auditLog.findMany({ where: { entityType: 'customer', entityId: customerId } });
    expect(audit.map((a) => [a.action, a.actor, JSON.parse(a.data as string)])).toEqual([
      ['customer.verified', actor, { verificationId: res.body.verificationId, kind: 'education', evidenceRef: 'UAI 0751234A', expiresAt: FUTURE }],
    ]);
  });

  it('POL-3, X-6: a seller, a customer (even for itself) and support staff are refused (403), an unknown customer is 404, a past expiry a 400 naming body.expiresAt; nothing is written', async () => {
    const customerId = await freshCustomer();
    for (const key of [DEMO_KEYS.sellerAcme, DEMO_KEYS.customer, DEMO_KEYS.support, DEMO_KEYS.finance]) {
      expect((await record(key, customerId)).status).toBe(403);
    }
    expect((await record(DEMO_KEYS.customer, DEMO.customer.id)).status).toBe(403);
    expect((await record(DEMO_KEYS.ops, 'cus_nobody')).status).toBe(404);
    const past = await record(DEMO_KEYS.ops, customerId, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: 'body.expiresAt', message: 'must be in the future' }]);
    expect(await sys.db.customerVerification.count({ where: { customerId: { in: [customerId, DEMO.customer.id, 'cus_nobody'] } } })).toBe(0);
    expect(await sys.db.auditLog.count({ where: { action: 'customer.verified', entityId: { in: [customerId, DEMO.customer.id, 'cus_nobody'] } } })).toBe(0);
  });

  it('POL-3, X-6: staff list a customer\u2019s verifications newest first, page by page; the customer lists only its own, without who recorded them', async () => {
    const other = await freshCustomer();
    const first = await record(DEMO_KEYS.ops, DEMO.customer.id, { evidenceRef: 'RNA W1' });
    const second = await record(DEMO_KEYS.admin, DEMO.customer.id, { kind: 'education', evidenceRef: 'UAI 2' });
    expect((await record(DEMO_KEYS.ops, other, { evidenceRef: 'RNA other' })).status).toBe(201);

    const page1 = await http(sys.apiUrl, 'GET', `/staff/customers/${DEMO.customer.id}/verifications?limit=1`, { key: DEMO_KEYS.support });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((v: any) => v.verificationId)).toEqual([second.body.verificationId]);
    const page2 = await http(sys.apiUrl, 'GET', `/staff/customers/${DEMO.customer.id}/verifications?limit=1&cursor=${page1.body.nextCursor}`, { key: DEMO_KEYS.finance });
    expect(page2.body.items.map((v: any) => [v.verificationId, v.recordedBy])).toEqual([[first.body.verificationId, `staff:${DEMO.staff.ops.label}`]]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await http(sys.apiUrl, 'GET', '/staff/customers/cus_nobody/verifications', { key: DEMO_KEYS.support })).status).toBe(404);

    const own = await http(sys.apiUrl, 'GET', '/account/verifications', { key: DEMO_KEYS.customer });
    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([
      { verificationId: second.body.verificationId, customerId: DEMO.customer.id, kind: 'education', evidenceRef: 'UAI 2', expiresAt: FUTURE, createdAt: second.body.createdAt },
      { verificationId: first.body.verificationId, customerId: DEMO.customer.id, kind: 'charity', evidenceRef: 'RNA W1', expiresAt: FUTURE, createdAt: first.body.createdAt },
    ]);
    for (const key of [DEMO_KEYS.customer, DEMO_KEYS.sellerAcme]) {
      expect((await http(sys.apiUrl, 'GET', `/staff/customers/${other}/verifications`, { key })).status).toBe(403);
    }
    expect((await http(sys.apiUrl, 'GET', '/account/verifications', { key: DEMO_KEYS.ops })).status).toBe(403);
  });
});

describe('discountFor (POL-3)', () => {
  it('POL-3: an eligible offer gets 20 % while the verification has not expired: 1 ms before expiresAt it holds, at expiresAt it is gone', async () => {
    const customerId = await freshCustomer();
    const res = await record(DEMO_KEYS.ops, customerId, { expiresAt: '2031-03-01T00:00:00.000Z' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const expires = Date.parse('2031-03-01T00:00:00.000Z');
    const at = (ms: number) => discountFor(sys.db, { customerId, offerDiscountEligible: true, at: new Date(ms).toISOString() });
    expect(await at(expires - 1)).toEqual({ kind: 'charity', bp: 2000, verificationId: res.body.verificationId });
    expect(await at(expires)).toBeNull();
    expect(await at(expires + 1)).toBeNull();
  });

  it('POL-3: an offer its seller did not make eligible gets no discount, even for a verified customer; an unverified customer gets none on an eligible one', async () => {
    const verified = await freshCustomer();
    expect((await record(DEMO_KEYS.ops, verified)).status).toBe(201);
    const now = new Date();
    expect(await discountFor(sys.db, { customerId: verified, offerDiscountEligible: false, at: now })).toBeNull();
    expect(await discountFor(sys.db, { customerId: await freshCustomer(), offerDiscountEligible: true, at: now })).toBeNull();
  });

  it('POL-3: with several valid verifications, the latest-expiring one is the discount\u2019s; once it alone remains valid, still it', async () => {
    const customerId = await freshCustomer();
    const longer = await record(DEMO_KEYS.ops, customerId, { kind: 'education', evidenceRef: 'UAI long', expiresAt: '2032-01-01T00:00:00Z' });
    const shorter = await record(DEMO_KEYS.ops, customerId, { kind: 'charity', evidenceRef: 'RNA short', expiresAt: '2031-01-01T00:00:00Z' });
    expect([longer.status, shorter.status]).toEqual([201, 201]);
    for (const at of ['2030-06-01T00:00:00Z', '2031-06-01T00:00:00Z']) {
      expect(await discountFor(sys.db, { customerId, offerDiscountEligible: true, at })).toEqual({ kind: 'education', bp: DISCOUNT_BP, verificationId: longer.body.verificationId });
    }
  });
});
