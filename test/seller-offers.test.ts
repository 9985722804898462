// Sellers publish offers and terms (README "Offers and terms") on the time-skipping server: a new
// terms version is what checkout requires (ORD-3); only approved sellers publish and take orders
// (KYC-1, MED-1); an edit is a new version, the old one takes no new orders and its lines renew at
// the product's price in force (SUB-3, POL-2: a decrease at once, a rise capped after its notice); a seller touches only its own products. Each test has its own seller.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createSubscriptionActivities } from '../activities/subscriptions';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { subscriptionStateQuery, subscriptionWorkflowId } from '../workflows/subscription';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import { newIdempotencyKey } from './support/orders';
import { freshSeller, type FreshSeller } from './support/sellers';
import { deleteNow, MINUTE, seedPaidLine, startSubscription, waitState } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const OFFER = { name: 'Managed Postgres', description: 'A database, backed up nightly', priceCents: 4900, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 12, supportTier: 'standard' };

const publish = (key: string, body: unknown = OFFER, idempotencyKey = newIdempotencyKey()) =>
  http(sys.apiUrl, 'POST', '/seller/offers', { key, body, headers: { 'idempotency-key': idempotencyKey } });
const edit = (key: string, productId: string, body: Record<string, unknown>) => http(sys.apiUrl, 'POST', `/seller/offers/${productId}/versions`, { key, body: { ...OFFER, ...body } });
const order = (s: FreshSeller, offerId: string, terms: string) =>
  http(sys.apiUrl, 'POST', '/checkout', { body: checkoutBody({ offers: [offerId], terms: [{ sellerId: s.sellerId, version: terms }] }), headers: { 'idempotency-key': newIdempotencyKey() } });

describe('terms versions', () => {
  it('ORD-3: a new terms version becomes the one checkout requires: the old acceptance is refused naming the seller and the current version, the new one accepted', async () => {
    const s = await freshSeller(sys.db);
    const published = await http(sys.apiUrl, 'POST', '/seller/terms', { key: s.key, body: { version: 'cgv-2026-12', text: 'Article 1. The service is provided as is.' } });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({ sellerId: s.sellerId, version: 'cgv-2026-12', current: true });

    const current = await http(sys.apiUrl, 'GET', `/sellers/${s.sellerId}/terms/current`);
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ version: 'cgv-2026-12', text: 'Article 1. The service is provided as is.', sellerName: s.name });
    const listed = await http(sys.apiUrl, 'GET', '/seller/terms', { key: s.key });
    expect(listed.body.items.map((t: any) => [t.version, t.current])).toEqual([['cgv-2026-12', true], [s.terms, false]]);

    const old = await order(s, s.offerId, s.terms);
    expect(old.status, JSON.stringify(old.body)).toBe(422);
    expect(old.body.sellers).toEqual([{ sellerId: s.sellerId, name: s.name, currentVersion: 'cgv-2026-12' }]);
    expect(old.body.detail).toContain(`${s.name} (version cgv-2026-12)`);
    expect(await sys.db.order.count({ where: { lines: { some: { sellerId: s.sellerId } } } })).toBe(0);

    const accepted = await order(s, s.offerId, 'cgv-2026-12');
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(await sys.db.termsAcceptance.findFirst({ where: { orderId: accepted.body.orderId, sellerId: s.sellerId } })).toMatchObject({ version: 'cgv-2026-12' });
  });

  it('ORD-3: publishing a version again with its text is a safe retry (200, nothing changes); another text under a used label is a 409 naming body.version', async () => {
    const s = await freshSeller(sys.db);
    const body = { version: 'v2', text: 'Terms, second edition.' };
    expect((await http(sys.apiUrl, 'POST', '/seller/terms', { key: s.key, body })).status).toBe(201);
    const again = await http(sys.apiUrl, 'POST', '/seller/terms', { key: s.key, body });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 'v2', current: true });
    const other = await http(sys.apiUrl, 'POST', '/seller/terms', { key: s.key, body: { version: 'v2', text: 'Something else.' } });
    expect(other.status).toBe(409);
    expect(other.body.errors).toEqual([{ field: 'body.version', message: 'already used' }]);
    expect(await sys.db.sellerTermsVersion.findMany({ where: { sellerId: s.sellerId, current: true } })).toEqual([expect.objectContaining({ version: 'v2', text: 'Terms, second edition.' })]);
  });
});

describe('who publishes and takes orders', () => {
  it('KYC-1: a pending (unapproved) seller cannot publish offers or terms, and its offer refuses orders naming the seller and the reason', async () => {
    const before = await sys.db.offer.count({ where: { sellerId: DEMO.sellers.initech.id } });
    const refused = await publish(DEMO_KEYS.sellerPending);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.detail).toBe('seller Initech may not publish: pending, not approved yet (KYC-1)');
    const terms = await http(sys.apiUrl, 'POST', '/seller/terms', { key: DEMO_KEYS.sellerPending, body: { version: 'initech-2', text: 'New terms.' } });
    expect(terms.status).toBe(403);
    expect(await sys.db.offer.count({ where: { sellerId: DEMO.sellers.initech.id } })).toBe(before);
    expect((await sys.db.sellerTermsVersion.findFirstOrThrow({ where: { sellerId: DEMO.sellers.initech.id, current: true } })).version).toBe(DEMO.sellers.initech.terms);

    const res = await http(sys.apiUrl, 'POST', '/checkout', {
      body: checkoutBody({ offers: [DEMO.offers.initechWiki.id], terms: [{ sellerId: DEMO.sellers.initech.id, version: DEMO.sellers.initech.terms }] }),
      headers: { 'idempotency-key': newIdempotencyKey() },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.seller).toEqual({ sellerId: DEMO.sellers.initech.id, name: 'Initech', status: 'pending', reason: 'not approved yet (KYC-1)' });
    expect(res.body.errors).toEqual([{ field: 'body.lines.0.offerId', message: 'seller Initech takes no orders: not approved yet (KYC-1)' }]);
    // Not in the catalog, and its terms are not offered for acceptance.
    const catalog = await http(sys.apiUrl, 'GET', '/offers?limit=100');
    expect(catalog.body.items.map((o: any) => o.offerId)).not.toContain(DEMO.offers.initechWiki.id);
    expect((await http(sys.apiUrl, 'GET', `/sellers/${DEMO.sellers.initech.id}/terms/current`)).status).toBe(404);
  });

  it('MED-1: a suspended seller cannot publish (its key does no seller action) and its offers refuse orders with the reason', async () => {
    const s = await freshSeller(sys.db);
    await sys.db.seller.update({ where: { id: s.sellerId }, data: { status: 'suspended', statusReason: 'suspended by closure case case_x (MED-1)' } });
    const refused = await publish(s.key);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('suspended or closed');
    expect((await http(sys.apiUrl, 'POST', '/seller/terms', { key: s.key, body: { version: 'v9', text: 'x' } })).status).toBe(403);
    expect(await sys.db.offer.count({ where: { sellerId: s.sellerId } })).toBe(1);
    const res = await order(s, s.offerId, s.terms);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].message).toBe(`seller ${s.name} takes no orders: suspended by closure case case_x (MED-1)`);
  });
});

describe('offer versions', () => {
  it('ORD-2: an edit states the whole offer: a field left out is refused naming it, not reset to a default (a CHF offer stays CHF)', async () => {
    const s = await freshSeller(sys.db);
    const created = await publish(s.key, { ...OFFER, currency: 'CHF' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { currency: _left, ...withoutCurrency } = { ...OFFER, currency: 'CHF' };
    const res = await http(sys.apiUrl, 'POST', `/seller/offers/${created.body.productId}/versions`, { key: s.key, body: { ...withoutCurrency, baseVersion: 1, priceCents: 5900 } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.currency']);
    expect(await sys.db.offer.count({ where: { productId: created.body.productId } })).toBe(1);
  });

  it('MED-5, MED-1: checkout on a closed seller’s (unpublished) offer, or on a suspended seller’s superseded version, names the seller and why, not an unknown or replaced offer', async () => {
    const closed = await freshSeller(sys.db);
    await sys.db.$transaction([
      sys.db.seller.update({ where: { id: closed.sellerId }, data: { status: 'closed', statusReason: 'account closed: test (MED-5)' } }),
      sys.db.offer.updateMany({ where: { sellerId: closed.sellerId }, data: { published: false } }),
    ]);
    const refused = await order(closed, closed.offerId, closed.terms);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.type).toMatch(/seller-unavailable$/);
    expect(refused.body.seller).toEqual({ sellerId: closed.sellerId, name: closed.name, status: 'closed', reason: 'account closed: test (MED-5)' });

    const suspended = await freshSeller(sys.db);
    expect((await edit(suspended.key, suspended.offerId, { baseVersion: 1 })).status).toBe(201);
    await sys.db.seller.update({ where: { id: suspended.sellerId }, data: { status: 'suspended', statusReason: 'closure case test is open (MED-1)' } });
    const old = await order(suspended, suspended.offerId, suspended.terms);
    expect(old.status, JSON.stringify(old.body)).toBe(422);
    expect(old.body.type).toMatch(/seller-unavailable$/);
    expect(old.body.seller.reason).toBe('closure case test is open (MED-1)');
  });

  it('ORD-2, POL-5: an approved seller publishes an offer (version 1, in the catalog with its product id); a retry with the same Idempotency-Key creates nothing more', async () => {
    const s = await freshSeller(sys.db);
    const key = newIdempotencyKey();
    const created = await publish(s.key, OFFER, key);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.latest).toMatchObject({ ...OFFER, version: 1, published: true, retiredAt: null, supersededBy: null });
    const again = await publish(s.key, OFFER, key);
    expect(again.status).toBe(201);
    expect(again.body.productId).toBe(created.body.productId);
    expect(await sys.db.offer.count({ where: { sellerId: s.sellerId } })).toBe(2); // freshSeller's own, and this one

    const catalog = await http(sys.apiUrl, 'GET', '/offers?limit=100');
    expect(catalog.body.items.find((o: any) => o.productId === created.body.productId)).toMatchObject({ offerId: created.body.latest.offerId, version: 1, supportTier: 'standard', description: OFFER.description });
    const ordered = await order(s, created.body.latest.offerId, s.terms);
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    expect(ordered.body.totalCents).toBe(4900 + 980);
  });

  it('SUB-3, POL-2: editing an offer publishes version 2; version 1 is refused at checkout naming version 2, and a line bought on version 1 renews at the price of version 2 (a decrease: no notice)', async () => {
    const s = await freshSeller(sys.db);
    // A subscription on the seller's offer (1000 + 20 % VAT a month), before the edit.
    const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId: s.offerId });
    await startSubscription(env.client, sys, line);

    const edited = await edit(s.key, s.offerId, { baseVersion: 1, priceCents: 900, commitmentMonths: 0, billingPeriod: 'monthly' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(201);
    expect(edited.body.productId).toBe(s.offerId);
    const [v2, v1] = edited.body.versions;
    expect(v2).toMatchObject({ version: 2, priceCents: 900, published: true, supersededBy: null });
    expect(v1).toMatchObject({ offerId: s.offerId, version: 1, priceCents: 1000, published: false, supersededBy: v2.offerId });

    // A retried or concurrent edit from version 1 no longer applies.
    const stale = await edit(s.key, s.offerId, { baseVersion: 1, priceCents: 9900 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ currentVersion: 2, errors: [{ field: 'body.baseVersion', message: 'the latest version is 2' }] });

    const onV1 = await order(s, s.offerId, s.terms);
    expect(onV1.status).toBe(422);
    expect(onV1.body).toMatchObject({ currentOffer: { offerId: v2.offerId, version: 2, priceCents: 900 }, errors: [{ field: 'body.lines.0.offerId', message: `replaced by version 2: order ${v2.offerId}` }] });
    const catalog = (await http(sys.apiUrl, 'GET', '/offers?limit=100')).body.items.filter((o: any) => o.productId === s.offerId);
    expect(catalog.map((o: any) => [o.offerId, o.priceCents])).toEqual([[v2.offerId, 900]]);

    // The line still references version 1; the renewal reads the product's version in force.
    expect((await sys.db.orderLine.findUniqueOrThrow({ where: { id: line.lineId } })).offerId).toBe(s.offerId);
    const state = await env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId)).query(subscriptionStateQuery);
    const priceAt = (at: string) => createSubscriptionActivities(sys.activityDeps).priceInForce({ offerId: s.offerId, customerId: line.customerId, period: 'monthly', at });
    expect(await priceAt(state.nextDueAt!)).toMatchObject({ offerId: v2.offerId, unitPriceCents: 900, vatRateBp: 2000, currency: 'EUR', discount: null });
    // Before version 2 was made, version 1 was in force.
    expect(await priceAt(new Date(Date.now() - 3_600_000).toISOString())).toMatchObject({ offerId: s.offerId, unitPriceCents: 1000 });
    const ms = Date.parse(state.nextDueAt!) + MINUTE - (await env.currentTimeMs());
    if (ms > 0) await env.sleep(ms);
    await waitState(env.client, line.lineId, (x) => x.paidPeriods === 2);
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } })).toMatchObject({ status: 'captured', amountCents: 1080 });
    await deleteNow(env.client, sys, line);
  });

  it('ORD-2, ORD-3: concurrent publications of one seller serialize: two edits from version 1 give one version 2 and one 409; two terms versions leave exactly one current', async () => {
    const s = await freshSeller(sys.db);
    const edits = await Promise.all([edit(s.key, s.offerId, { baseVersion: 1, priceCents: 1100 }), edit(s.key, s.offerId, { baseVersion: 1, priceCents: 1200 })]);
    expect(edits.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await sys.db.offer.count({ where: { sellerId: s.sellerId, published: true } })).toBe(1);
    expect((await sys.db.offer.findMany({ where: { productId: s.offerId }, orderBy: { version: 'asc' } })).map((o) => o.version)).toEqual([1, 2]);

    const terms = await Promise.all(['p1', 'p2', 'p3'].map((version) => http(sys.apiUrl, 'POST', '/seller/terms', { key: s.key, body: { version, text: `Terms ${version}` } })));
    expect(terms.map((r) => r.status)).toEqual([201, 201, 201]);
    const current = await sys.db.sellerTermsVersion.findMany({ where: { sellerId: s.sellerId, current: true } });
    expect(current).toHaveLength(1);
    expect((await http(sys.apiUrl, 'GET', `/sellers/${s.sellerId}/terms/current`)).body.version).toBe(current[0].version);
  });

  it('X-6: GET /seller/offers pages through the seller\u2019s own products, newest first, each with its versions', async () => {
    const s = await freshSeller(sys.db);
    const made: string[] = [];
    for (const name of ['One', 'Two', 'Three']) made.push((await publish(s.key, { ...OFFER, name })).body.productId);
    await edit(s.key, made[0], { baseVersion: 1, name: 'One, v2' });
    const first = await http(sys.apiUrl, 'GET', '/seller/offers?limit=2', { key: s.key });
    expect(first.status).toBe(200);
    // Sorted by the latest version's publication: One's version 2 is the newest.
    expect(first.body.items.map((p: any) => p.productId)).toEqual([made[0], made[2]]);
    expect(first.body.items[0].versions.map((v: any) => [v.version, v.name])).toEqual([[2, 'One, v2'], [1, 'One']]);
    const second = await http(sys.apiUrl, 'GET', `/seller/offers?limit=2&cursor=${first.body.nextCursor}`, { key: s.key });
    expect(second.body.items.map((p: any) => p.productId)).toEqual([made[1], s.offerId]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('X-6: a seller cannot edit, unpublish or list another seller\u2019s offer (404, nothing changes); its own list shows its products with versions', async () => {
    const a = await freshSeller(sys.db);
    const b = await freshSeller(sys.db);
    const edited = await edit(b.key, a.offerId, { baseVersion: 1 });
    expect(edited.status).toBe(404);
    expect((await http(sys.apiUrl, 'POST', `/seller/offers/${a.offerId}/unpublish`, { key: b.key, body: {} })).status).toBe(404);
    expect(await sys.db.offer.findUniqueOrThrow({ where: { id: a.offerId } })).toMatchObject({ published: true, supersededById: null });
    const listB = await http(sys.apiUrl, 'GET', '/seller/offers', { key: b.key });
    expect(listB.body.items.map((p: any) => p.productId)).toEqual([b.offerId]);

    const unpublished = await http(sys.apiUrl, 'POST', `/seller/offers/${a.offerId}/unpublish`, { key: a.key, body: {} });
    expect(unpublished.status).toBe(200);
    expect(unpublished.body.latest).toMatchObject({ offerId: a.offerId, published: false });
    expect((await order(a, a.offerId, a.terms)).status).toBe(422);
    expect((await http(sys.apiUrl, 'GET', '/offers?limit=100')).body.items.map((o: any) => o.offerId)).not.toContain(a.offerId);
  });
});

describe('commercial policies', () => {
  const POLICIES = { trialDays: 30, allowedPeriods: ['annual', 'triennial'], discountEligible: true, productKind: 'service' };
  const ANNUAL = { ...OFFER, billingPeriod: 'annual', priceCents: 48_000 };

  it('POL-1, POL-3, POL-4, POL-6: an offer published with a trial, yearly periods, discount eligibility and a kind shows them in the seller\u2019s view and the catalog; one that leaves them out has none', async () => {
    const s = await freshSeller(sys.db);
    const created = await publish(s.key, { ...ANNUAL, ...POLICIES });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.latest).toMatchObject({ ...ANNUAL, ...POLICIES, version: 1 });
    const plain = await publish(s.key, OFFER);
    expect(plain.body.latest).toMatchObject({ trialDays: 0, allowedPeriods: [], discountEligible: false, productKind: 'subscription' });

    const catalog = (await http(sys.apiUrl, 'GET', '/offers?limit=100')).body.items;
    expect(catalog.find((o: any) => o.productId === created.body.productId)).toMatchObject({ offerId: created.body.latest.offerId, billingPeriod: 'annual', ...POLICIES });
    expect(catalog.find((o: any) => o.productId === plain.body.productId)).toMatchObject({ trialDays: 0, allowedPeriods: [], discountEligible: false, productKind: 'subscription' });
    expect(await sys.db.offer.findUniqueOrThrow({ where: { id: created.body.latest.offerId } })).toMatchObject(POLICIES);
  });

  it('POL-6: a restriction on a monthly offer is refused with a 422 naming body.allowedPeriods, on a publication and on an edit that keeps one; nothing is written', async () => {
    const s = await freshSeller(sys.db);
    const refused = await publish(s.key, { ...OFFER, allowedPeriods: ['annual', 'biennial'] });
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.errors).toEqual([{ field: 'body.allowedPeriods', message: expect.stringContaining('only an annual offer') }]);
    expect(await sys.db.offer.count({ where: { sellerId: s.sellerId } })).toBe(1);

    const annual = await publish(s.key, { ...ANNUAL, allowedPeriods: ['annual', 'biennial'] });
    expect(annual.status, JSON.stringify(annual.body)).toBe(201);
    // Monthly again, the restriction left out: kept, so refused; dropped with [], accepted.
    const kept = await edit(s.key, annual.body.productId, { baseVersion: 1 });
    expect(kept.status, JSON.stringify(kept.body)).toBe(422);
    expect(kept.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.allowedPeriods']);
    expect(await sys.db.offer.count({ where: { productId: annual.body.productId } })).toBe(1);
    const dropped = await edit(s.key, annual.body.productId, { baseVersion: 1, allowedPeriods: [] });
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(201);
    expect(dropped.body.latest).toMatchObject({ version: 2, billingPeriod: 'monthly', allowedPeriods: [] });
  });

  it('POL-1, POL-3, POL-4, POL-6: an edit that leaves out the policies keeps the previous version\u2019s; one it states replaces it', async () => {
    const s = await freshSeller(sys.db);
    const created = await publish(s.key, { ...ANNUAL, ...POLICIES });
    const restated = await edit(s.key, created.body.productId, { ...ANNUAL, baseVersion: 1, priceCents: 50_000 });
    expect(restated.status, JSON.stringify(restated.body)).toBe(201);
    expect(restated.body.latest).toMatchObject({ version: 2, priceCents: 50_000, ...POLICIES });
    const changed = await edit(s.key, created.body.productId, { ...ANNUAL, baseVersion: 2, trialDays: 0, discountEligible: false });
    expect(changed.status, JSON.stringify(changed.body)).toBe(201);
    expect(changed.body.latest).toMatchObject({ version: 3, trialDays: 0, discountEligible: false, allowedPeriods: POLICIES.allowedPeriods, productKind: 'service' });
    // The versions keep what they stated (lines bought on them keep their terms).
    expect(changed.body.versions.map((v: any) => [v.version, v.trialDays, v.discountEligible])).toEqual([[3, 0, false], [2, 30, true], [1, 30, true]]);
  });
});
