// ORD-1, ORD-4: accounts only by a verified e-mail. Each test replays an attack or a
// failure that the system allowed before issue 9: an anonymous checkout with someone else's
// address handed out that account's key; answers told whether an address had an account; a
// declined checkout left an account; idempotency records kept keys and card data.
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { createApp } from '../api/app';
import { listenApi } from '../api/server';
import { createSandboxGateway } from '../infra/sandbox-gateway';
import { hashKey } from '../api/auth';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { linesAwaitingValidation, newIdempotencyKey, signIn, signInToken } from './support/orders';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('dev-server', (_e, s) => {
  sys = s;
});

const checkout = (body: ReturnType<typeof checkoutBody>, opts: { key?: string; idempotencyKey?: string | null } = {}) =>
  http(sys.apiUrl, 'POST', '/checkout', {
    body,
    key: opts.key,
    headers: opts.idempotencyKey === null ? {} : { 'idempotency-key': opts.idempotencyKey ?? newIdempotencyKey() },
  });

const uniqueEmail = (who: string) => `${who}-${Math.random().toString(36).slice(2, 10)}@example.test`;

describe('X-8: an anonymous checkout proves nothing about its e-mail', () => {
  it('X-8, X-6, ORD-1: pre-hijack: the attacker who checks out first with the victim’s address reads nothing of the victim and cannot act on its services', async () => {
    const victim = uniqueEmail('victim');
    // The attacker orders first under the victim's address, declaring a business (7-day window).
    const attack = await checkout({ ...checkoutBody({ email: victim, type: 'business', offers: [DEMO.offers.acmeMail.id] }), customer: { email: victim, name: 'Mallory', type: 'business', address: '1 rue Mallory, 75001 Paris', country: 'FR' } });
    expect(attack.status, JSON.stringify(attack.body)).toBe(201);
    expect(attack.body.customerApiKey).toBeUndefined();
    expect(attack.body.customerId).toBeUndefined();
    expect(attack.body.orderToken).toMatch(/^ot1\./);

    // The victim orders as an individual, then proves its address and gets its key.
    const order = await checkout(checkoutBody({ email: victim, type: 'individual', offers: [DEMO.offers.acmeMail.id] }));
    expect(order.status).toBe(201);
    const victimKey = await signIn(sys.apiUrl, victim);

    // The attacker's order token follows its own order only: not the victim's, not the account.
    const token = attack.body.orderToken as string;
    expect((await http(sys.apiUrl, 'GET', `/orders/${attack.body.orderId}`, { key: token })).status).toBe(200);
    expect((await http(sys.apiUrl, 'GET', `/orders/${attack.body.orderId}`, { key: token })).body.customerId).toBeUndefined();
    expect((await http(sys.apiUrl, 'GET', `/orders/${order.body.orderId}`, { key: token })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/customers/${victimKey.customerId}/invoices`, { key: token })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/customers/${victimKey.customerId}/emails`, { key: token })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', '/me/keys', { key: token })).status).toBe(403);

    // Deleting a service needs a subscription command: an order token cannot send one.
    await linesAwaitingValidation(sys.db, order.body as Parameters<typeof linesAwaitingValidation>[1]);
    const lineId = order.body.lines[0].lineId as string;
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.body.orderId}/lines/${lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'https://mail.acme.test login: victim, password: s3cret-Victim' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    await eventually(async () => (await sys.db.subscription.findUnique({ where: { id: lineId } })) ?? undefined, 20_000, 'subscription');
    expect((await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion`, { key: token, body: {} })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/subscriptions/${lineId}`, { key: token })).status).toBe(403);

    // The victim's order keeps the victim's own declaration: 14 days, not the attacker's 7.
    const victimOrder = await sys.db.order.findUniqueOrThrow({ where: { id: order.body.orderId } });
    expect(victimOrder).toMatchObject({ customerType: 'individual', customerId: victimKey.customerId });
    const victimView = await http(sys.apiUrl, 'GET', `/orders/${order.body.orderId}`, { key: victimKey.apiKey });
    expect(victimView.status).toBe(200);
    // The account became verified only when its owner signed in.
    expect((await sys.db.customer.findUniqueOrThrow({ where: { id: victimKey.customerId } })).verifiedAt).not.toBeNull();
  });

  it('X-8: a checkout answers the same whether the address has an account or not (no enumeration)', async () => {
    const existing = await checkout(checkoutBody({ email: DEMO.customer.email, offers: [DEMO.offers.acmeMail.id] }));
    const fresh = await checkout(checkoutBody({ email: uniqueEmail('new'), offers: [DEMO.offers.acmeMail.id] }));
    expect(existing.status).toBe(201);
    expect(fresh.status).toBe(201);
    expect(Object.keys(existing.body).sort()).toEqual(Object.keys(fresh.body).sort());
    for (const body of [existing.body, fresh.body]) {
      expect(body).not.toHaveProperty('customerId');
      expect(body).not.toHaveProperty('customerApiKey');
      expect(body).not.toHaveProperty('hasKey');
    }
    // The demo customer's account was not edited by the anonymous checkout.
    expect(await sys.db.customer.findUniqueOrThrow({ where: { id: DEMO.customer.id } })).toMatchObject({ name: DEMO.customer.name, type: DEMO.customer.type });

    // Sign-in requests answer alike too.
    const known = await http(sys.apiUrl, 'POST', '/auth/sign-in', { body: { email: 'same@example.test' } });
    const unknownAnswer = await http(sys.apiUrl, 'POST', '/auth/sign-in', { body: { email: 'same@example.test'.replace('same', 'nobody') } });
    expect(known.status).toBe(202);
    expect(unknownAnswer.status).toBe(202);
    expect(Object.keys(known.body).sort()).toEqual(Object.keys(unknownAnswer.body).sort());
    expect(known.body.status).toBe(unknownAnswer.body.status);
  });

  it('X-8: a sign-in link works once, and not after it expires', async () => {
    const email = uniqueEmail('signin');
    expect((await checkout(checkoutBody({ email, offers: [DEMO.offers.acmeMail.id] }))).status).toBe(201);
    const token = await signInToken(sys.apiUrl, email);
    const first = await http(sys.apiUrl, 'POST', '/auth/sign-in/exchange', { body: { token } });
    expect(first.status).toBe(201);
    expect(first.body.apiKey).toMatch(/^cust_/);
    expect(Date.parse(first.body.expiresAt)).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    const again = await http(sys.apiUrl, 'POST', '/auth/sign-in/exchange', { body: { token } });
    expect(again.status).toBe(401);
    expect(again.contentType).toContain('application/problem+json');

    const late = await signInToken(sys.apiUrl, email);
    await sys.db.signInToken.updateMany({ where: { usedAt: null, customerId: first.body.customerId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await http(sys.apiUrl, 'POST', '/auth/sign-in/exchange', { body: { token: late } })).status).toBe(401);

    // Only hashes are stored: neither the link's token nor the key is in the database.
    const rows = JSON.stringify(await sys.db.signInToken.findMany({ where: { customerId: first.body.customerId } }));
    expect(rows).not.toContain(token);
    expect(await sys.db.apiKey.findUnique({ where: { hash: first.body.apiKey } })).toBeNull();
    expect(await sys.db.apiKey.findUnique({ where: { hash: hashKey(first.body.apiKey) } })).not.toBeNull();
  });

  it('X-8, X-6: keys are listed, rotated and revoked by their owner, and stop working when they expire', async () => {
    const email = uniqueEmail('keys');
    expect((await checkout(checkoutBody({ email, offers: [DEMO.offers.acmeMail.id] }))).status).toBe(201);
    const a = await signIn(sys.apiUrl, email);
    const b = await signIn(sys.apiUrl, email);
    const list = await http(sys.apiUrl, 'GET', '/me/keys', { key: a.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.map((k: { keyId: string }) => k.keyId).sort()).toEqual([a.keyId, b.keyId].sort());
    expect(JSON.stringify(list.body)).not.toContain(a.apiKey);

    const rotated = await http(sys.apiUrl, 'POST', '/me/keys/rotate', { key: a.apiKey, body: {} });
    expect(rotated.status).toBe(201);
    expect(rotated.body.revokedKeyId).toBe(a.keyId);
    expect((await http(sys.apiUrl, 'GET', '/me/keys', { key: a.apiKey })).status).toBe(401);
    expect((await http(sys.apiUrl, 'GET', '/me/keys', { key: rotated.body.apiKey })).status).toBe(200);

    // Another customer cannot revoke these keys; the owner can.
    expect((await http(sys.apiUrl, 'POST', `/me/keys/${b.keyId}/revoke`, { key: DEMO_KEYS.customer, body: {} })).status).toBe(404);
    expect((await http(sys.apiUrl, 'POST', `/me/keys/${b.keyId}/revoke`, { key: rotated.body.apiKey, body: {} })).status).toBe(200);
    expect((await http(sys.apiUrl, 'GET', '/me/keys', { key: b.apiKey })).status).toBe(401);

    // An expired key is refused (past the principal cache's few seconds).
    await sys.db.apiKey.update({ where: { keyId: rotated.body.keyId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await eventually(async () => (await http(sys.apiUrl, 'GET', '/me/keys', { key: rotated.body.apiKey })).status === 401, 10_000, 'expired key refused');
  });

  it('X-6: a suspended seller’s key stops working for seller actions', async () => {
    await sys.db.seller.update({ where: { id: DEMO.sellers.initech.id }, data: { status: 'suspended' } });
    try {
      const res = await eventually(async () => {
        const r = await http(sys.apiUrl, 'GET', '/seller/lines', { key: DEMO_KEYS.sellerPending });
        return r.status === 403 ? r : undefined;
      }, 10_000, 'suspended seller refused');
      expect(res.body.detail).toContain('suspended');
    } finally {
      await sys.db.seller.update({ where: { id: DEMO.sellers.initech.id }, data: { status: 'pending' } });
    }
  });

  it('X-8, X-9: a sign-in whose delivery cannot be handed over leaves no link or e-mail behind, and answers as any sign-in does', async () => {
    const email = uniqueEmail('nodelivery');
    expect((await checkout(checkoutBody({ email, offers: [DEMO.offers.acmeMail.id] }))).status).toBe(201);
    await eventually(async () => (await sys.db.customer.findUnique({ where: { email } })) ?? undefined, 10_000, 'account');
    // An API whose Temporal client is bound to a namespace the server does not have.
    const connection = await Connection.connect({ address: inject('devServerAddress') });
    const app = createApp({ db: sys.db, temporal: new Client({ connection, namespace: 'no-such-namespace' }), gateway: createSandboxGateway(sys.db), taskQueue: sys.taskQueue, mailboxEnabled: false });
    const server = await listenApi(app, 0, '127.0.0.1');
    try {
      const res = await http(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'POST', '/auth/sign-in', { body: { email } });
      expect(res.status).toBe(202);
      const customer = await sys.db.customer.findUniqueOrThrow({ where: { email } });
      // The work runs after the answer: its rows appear, then go when the hand-over fails.
      await new Promise((r) => setTimeout(r, 2_000));
      await eventually(async () => (await sys.db.signInToken.count({ where: { customerId: customer.id } })) === 0, 15_000, 'token removed');
      expect(await sys.db.email.count({ where: { id: { startsWith: `signin:${customer.id}:` } } })).toBe(0);
    } finally {
      server.close();
      await connection.close();
    }
  });

  it('X-8, ORD-4: a declined first checkout creates no account and no key', async () => {
    const email = uniqueEmail('declined');
    const res = await checkout(checkoutBody({ email, card: TEST_CARDS.declined, offers: [DEMO.offers.acmeMail.id] }));
    expect(res.status).toBe(402);
    expect(await sys.db.customer.count({ where: { email } })).toBe(0);
    const order = await sys.db.order.findUniqueOrThrow({ where: { id: res.body.orderId } });
    expect(order).toMatchObject({ customerId: null, status: 'payment_failed' });
    expect(await sys.db.apiKey.count({ where: { label: email } })).toBe(0);
  });
});

describe('ORD-4: idempotency records hold no secret and expire', () => {
  it('X-8, ORD-4: a repeat by another caller is not a replay: another customer with the same address and key is refused, nothing of the first answer shown', async () => {
    const email = uniqueEmail('replay');
    const key = newIdempotencyKey();
    const first = await checkout(checkoutBody({ email, offers: [DEMO.offers.acmeMail.id] }), { idempotencyKey: key });
    expect(first.status).toBe(201);
    const other = await checkout(checkoutBody({ email, offers: [DEMO.offers.acmeMail.id] }), { idempotencyKey: key, key: DEMO_KEYS.customer });
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain(first.body.orderToken);
  });

  it('ORD-4: checkout without an Idempotency-Key is refused with a 400 naming the header, and writes nothing', async () => {
    const before = await sys.db.order.count();
    const res = await checkout(checkoutBody(), { idempotencyKey: null });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'headers.idempotency-key' })]);
    expect(await sys.db.order.count()).toBe(before);
  });

  it('ORD-4, X-7: the record keeps a keyed fingerprint without card data, no token or key, expires in 24 hours; a repeat replays the same answer', async () => {
    const key = newIdempotencyKey();
    const body = checkoutBody({ offers: [DEMO.offers.acmeMail.id] });
    const first = await checkout(body, { idempotencyKey: key });
    expect(first.status).toBe(201);
    const record = await sys.db.idempotencyRecord.findFirstOrThrow({ where: { key: { endsWith: `:${key}` } } });
    const stored = JSON.stringify(record);
    for (const secret of [first.body.orderToken, body.card.number, body.card.cvc === '123' ? '"cvc"' : body.card.cvc]) expect(stored).not.toContain(secret);
    expect(record.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const hours = (record.expiresAt.getTime() - record.createdAt.getTime()) / 3_600_000;
    expect(hours).toBeCloseTo(24, 1);

    const again = await checkout(body, { idempotencyKey: key });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body); // the order token is rebuilt, the same
    // Another card under the same key is the same request (card data is not fingerprinted).
    expect((await checkout({ ...body, card: { ...body.card, number: TEST_CARDS.declined } }, { idempotencyKey: key })).body.orderId).toBe(first.body.orderId);
    // Another order under the same key is refused.
    const other = await checkout({ ...body, lines: [{ offerId: DEMO.offers.globexBackup.id }], acceptedTerms: checkoutBody().acceptedTerms }, { idempotencyKey: key });
    expect(other.status).toBe(422);

    // Expired: the key is new again (a second order), as at a payment gateway.
    await sys.db.idempotencyRecord.update({ where: { key: record.key }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const later = await checkout(body, { idempotencyKey: key });
    expect(later.status).toBe(201);
    expect(later.body.orderId).not.toBe(first.body.orderId);
  });
});


