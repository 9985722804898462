// PRT-4, PRT-5, X-6, X-4: a partner acting for its customer through the API, on the time-skipping
// server. Partnerships are rows written directly (test/support/partner-access-fixtures.ts): access
// is read from the row in force at each call, so changing the row changes what the next call may
// do. Limited access manages its products only and neither orders nor renews; complete access
// orders, paid by whoever the customer chose, and the invoices land in that payer's organisation.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { checkoutInvoiceId } from '../activities/invoices';
import { checkoutPaymentId } from '../activities/payments';
import { createSubscriptionActivities } from '../activities/subscriptions';
import { partnerMay } from '../api/partner-access';
import { subscriptionStateQuery, subscriptionWorkflowId } from '../workflows/subscription';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { newIdempotencyKey } from './support/orders';
import { activePartnership, freshAccount, freshPartner, sellerOffering, type TestAccount, type TestPartner } from './support/partner-access-fixtures';
import { freshSeller, type FreshSeller } from './support/sellers';
import { seedPaidLine, startSubscription, waitState } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();
const partnerCall = (partner: TestPartner, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => http(sys.apiUrl, method, path, { key: partner.key, body, headers });

/** A partner's order for the customer, paid by `cardId`. */
const orderFor = (partner: TestPartner, customer: TestAccount, seller: FreshSeller, cardId: string) =>
  partnerCall(partner, 'POST', `/partner/customers/${customer.customerId}/orders`, { lines: [{ offerId: seller.offerId }], acceptedTerms: [{ sellerId: seller.sellerId, version: seller.terms }], cardId }, { 'idempotency-key': newIdempotencyKey() });

const invoiceIds = async (key: string, path: string) => ((await http(sys.apiUrl, 'GET', path, { key })).body.items as { invoiceId: string }[]).map((i) => i.invoiceId);
const pdfStatus = async (key: string, invoiceId: string) => (await fetch(`${sys.apiUrl}/invoices/${encodeURIComponent(invoiceId)}/pdf`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('partner access (PRT-4)', () => {
  it('PRT-4: a limited partner ordering or renewing is refused naming PRT-4; it manages its product (renewal mode, support contacts, audited with both parties) and another product is refused; X-6: an ended partnership stops it at once', async () => {
    const [mine, other] = [await freshSeller(sys.db), await freshSeller(sys.db)];
    const lineA = await seedPaidLine(sys, { paidAt: await nowIso(), offerId: mine.offerId });
    const lineB = await seedPaidLine(sys, { paidAt: await nowIso(), offerId: other.offerId, sameCustomerAs: lineA });
    await startSubscription(env.client, sys, lineA);
    await startSubscription(env.client, sys, lineB);
    const partner = await freshPartner(sys);
    const partnershipId = await activePartnership(sys, { customerId: lineA.customerId, partnerId: partner.partnerId, access: 'limited', productIds: [mine.offerId] });
    const base = `/partner/customers/${lineA.customerId}`;

    const customerCard = (await sys.db.order.findUniqueOrThrow({ where: { id: lineA.orderId } })).cardId;
    const ordered = await partnerCall(partner, 'POST', `${base}/orders`, { lines: [{ offerId: mine.offerId }], acceptedTerms: [{ sellerId: mine.sellerId, version: mine.terms }], cardId: customerCard }, { 'idempotency-key': newIdempotencyKey() });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(403);
    expect(ordered.body).toMatchObject({ rule: 'PRT-4', partnershipId, detail: expect.stringContaining('PRT-4') });
    expect(await sys.db.order.count({ where: { customerId: lineA.customerId } })).toBe(2);

    const renewed = await partnerCall(partner, 'POST', `${base}/subscriptions/${lineA.lineId}/pay-next-period`, {});
    expect(renewed.status).toBe(403);
    expect(renewed.body.detail).toContain('cannot renew');

    const listed = await partnerCall(partner, 'GET', `${base}/subscriptions`);
    expect(listed.body.items.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([lineA.lineId]);

    const manual = await partnerCall(partner, 'POST', `${base}/subscriptions/${lineA.lineId}/renewal-mode`, { mode: 'manual' });
    expect(manual.status, JSON.stringify(manual.body)).toBe(200);
    expect((await env.client.workflow.getHandle(subscriptionWorkflowId(lineA.lineId)).query(subscriptionStateQuery)).renewalMode).toBe('manual');
    const audit = await sys.db.auditLog.findFirstOrThrow({ where: { action: 'partner.subscription_renewal_mode', entityId: lineA.lineId } });
    expect(audit.actor).toBe(`partner:${partner.partnerId}`);
    expect(JSON.parse(audit.data)).toMatchObject({ customerId: lineA.customerId, partnerId: partner.partnerId, access: 'limited', mode: 'manual' });

    const contact = await partnerCall(partner, 'POST', `${base}/subscriptions/${lineA.lineId}/support-contacts`, { name: 'Ada', email: 'ada@example.test' });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    expect(await sys.db.supportContact.count({ where: { subscriptionId: lineA.lineId, removedAt: null } })).toBe(1);

    const otherProduct = await partnerCall(partner, 'POST', `${base}/subscriptions/${lineB.lineId}/renewal-mode`, { mode: 'manual' });
    expect(otherProduct.status).toBe(403);
    expect(otherProduct.body.detail).toContain(other.offerId);
    expect((await partnerCall(partner, 'POST', `${base}/subscriptions/${lineB.lineId}/support-contacts`, { name: 'Bob', email: 'bob@example.test' })).status).toBe(403);
    expect((await env.client.workflow.getHandle(subscriptionWorkflowId(lineB.lineId)).query(subscriptionStateQuery)).renewalMode).toBe('auto');

    // read at each call — the same partner, once the partnership has ended, may do nothing.
    await sys.db.partnership.update({ where: { id: partnershipId }, data: { status: 'ended', endedAt: new Date(), endedBy: 'customer' } });
    const after = await partnerCall(partner, 'POST', `${base}/subscriptions/${lineA.lineId}/renewal-mode`, { mode: 'auto' });
    expect(after.status).toBe(403);
    await waitState(env.client, lineA.lineId, (s) => s.renewalMode === 'manual');
  });

  it('PRT-4: a complete partner renews its customer\'s subscription of any product; a partner never terminates (house rule: no such route)', async () => {
    const seller = await freshSeller(sys.db);
    const line = await seedPaidLine(sys, { paidAt: await nowIso(), offerId: seller.offerId });
    await startSubscription(env.client, sys, line);
    const partner = await freshPartner(sys);
    await activePartnership(sys, { customerId: line.customerId, partnerId: partner.partnerId, access: 'complete' });
    const renewed = await partnerCall(partner, 'POST', `/partner/customers/${line.customerId}/subscriptions/${line.lineId}/pay-next-period`, {});
    expect([200, 202], JSON.stringify(renewed.body)).toContain(renewed.status);
    await waitState(env.client, line.lineId, (s) => s.paidPeriods === 2);
    expect((await partnerCall(partner, 'POST', `/partner/customers/${line.customerId}/subscriptions/${line.lineId}/terminate`, {})).status).toBe(404);
  });
});

describe('what a partnership allows (PRT-4)', () => {
  it('PRT-4: limited access reads, commands and manages the users of its products only, never orders or renews; complete does all but terminating (house rule)', () => {
    const limited = { access: 'limited', productIds: ['prd_a'] };
    for (const action of ['read', 'command', 'manage_users'] as const) {
      expect(partnerMay(limited, action, 'prd_a').allowed).toBe(true);
      expect(partnerMay(limited, action, 'prd_b').allowed).toBe(false);
    }
    expect(partnerMay(limited, 'order')).toMatchObject({ allowed: false, reason: expect.stringContaining('PRT-4') });
    expect(partnerMay(limited, 'renew', 'prd_a').allowed).toBe(false);
    const complete = { access: 'complete', productIds: [] };
    for (const action of ['read', 'command', 'manage_users', 'order', 'renew'] as const) expect(partnerMay(complete, action, 'prd_b').allowed).toBe(true);
    expect(partnerMay(complete, 'terminate', 'prd_b').allowed).toBe(false);
    expect(partnerMay({ access: null, productIds: ['prd_a'] }, 'read', 'prd_a').allowed).toBe(false);
  });

  it('PRT-6: a seller states its reseller discount and volume tiers when publishing; an edit that leaves them out keeps them', async () => {
    const seller = await freshSeller(sys.db);
    const offer = { name: 'Web hosting', description: 'One site', priceCents: 34720, currency: 'CHF', vatRateBp: 810, billingPeriod: 'monthly' };
    const tiers = [{ fromQuantity: 35, discountBp: 2500 }];
    const published = await http(sys.apiUrl, 'POST', '/seller/offers', { key: seller.key, body: { ...offer, partnerDiscountBp: 2000, volumeTiers: tiers }, headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.latest).toMatchObject({ partnerDiscountBp: 2000, volumeTiers: tiers });
    const edited = await http(sys.apiUrl, 'POST', `/seller/offers/${published.body.productId}/versions`, { key: seller.key, body: { ...offer, priceCents: 35000, commitmentMonths: 0, supportTier: 'basic', baseVersion: 1 } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(201);
    expect(edited.body.latest).toMatchObject({ version: 2, priceCents: 35000, partnerDiscountBp: 2000, volumeTiers: tiers });
    const twice = await http(sys.apiUrl, 'POST', '/seller/offers', { key: seller.key, body: { ...offer, volumeTiers: [...tiers, ...tiers] }, headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ field: 'body.volumeTiers', message: expect.any(String) }]);
  });
});

describe('who pays, and where the invoices live (PRT-5)', () => {
  it('PRT-5, PRT-6: a complete partner paying orders on its own card at its reseller price (347.20 CHF −20 % = 277.76); the invoice is only in the partner\'s organisation, and no cashback (the discount was given)', async () => {
    const seller = await sellerOffering(sys, { priceCents: 34720, currency: 'CHF', partnerDiscountBp: 2000 });
    const [customer, partner] = [await freshAccount(sys), await freshPartner(sys)];
    await activePartnership(sys, { customerId: customer.customerId, partnerId: partner.partnerId, access: 'complete', payer: 'partner' });

    // The payer's card only: the customer's card is refused, naming the field.
    const wrongCard = await orderFor(partner, customer, seller, customer.cardId);
    expect(wrongCard.status).toBe(422);
    expect(wrongCard.body.errors).toEqual([{ field: 'body.cardId', message: expect.stringContaining("partner's own") }]);

    const res = await orderFor(partner, customer, seller, partner.cardId);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const order = await sys.db.order.findUniqueOrThrow({ where: { id: res.body.orderId }, include: { lines: true } });
    expect(order).toMatchObject({ customerId: customer.customerId, partnerId: partner.partnerId, payer: 'partner', cardId: partner.cardId, currency: 'CHF' });
    expect(order.lines[0].priceCents).toBe(27776);
    expect(await sys.db.paymentCard.count({ where: { customerId: customer.customerId } })).toBe(1);

    const invoiceId = checkoutInvoiceId(order.id, seller.sellerId);
    const invoice = (await eventually(() => sys.db.invoice.findUnique({ where: { id: invoiceId } }), 20_000, 'checkout invoice'))!;
    expect(invoice.partnerId).toBe(partner.partnerId);
    expect(invoice.exclVatCents).toBe(27776);
    expect(await invoiceIds(customer.key, `/customers/${customer.customerId}/invoices`)).not.toContain(invoiceId);
    expect(await pdfStatus(customer.key, invoiceId)).toBe(403);
    expect(await invoiceIds(partner.key, '/partner/invoices')).toEqual([invoiceId]);
    expect(await pdfStatus(partner.key, invoiceId)).toBe(200);
    const mail = await eventually(() => sys.db.email.findUnique({ where: { id: `invoice:${invoiceId}:email` } }), 20_000, 'invoice e-mail');
    expect(mail).toMatchObject({ toAddress: partner.email, customerId: partner.customerId });
    // A renewal's e-mail (its invoice, the partner's card charged) goes to the partner as well,
    // naming the customer by id; what is the customer's own (a termination) stays the customer's.
    const subscriptions = createSubscriptionActivities(sys.activityDeps);
    const lineId = order.lines[0].id;
    const renewedKey = await subscriptions.composeSubscriptionEmail({
      key: `test:${lineId}:renewed`,
      subscriptionId: lineId,
      to: 'customer',
      kind: 'renewed',
      data: { invoiceId, invoiceNumber: invoice.number, period: 2, periodStart: await nowIso(), periodEnd: await nowIso(), amountCents: invoice.totalCents, cardLast4: '4242' },
    });
    const renewed = await sys.db.email.findUniqueOrThrow({ where: { id: renewedKey } });
    expect(renewed).toMatchObject({ toAddress: partner.email, customerId: partner.customerId });
    expect(renewed.text).toMatch(new RegExp(`^For your customer ${customer.customerId}, whose subscription you pay \\(PRT-5\\):\nYour subscription`));
    const terminationKey = await subscriptions.composeSubscriptionEmail({ key: `test:${lineId}:termination`, subscriptionId: lineId, to: 'customer', kind: 'termination_confirmed', data: { effectiveAt: await nowIso() } });
    expect(await sys.db.email.findUniqueOrThrow({ where: { id: terminationKey } })).toMatchObject({ toAddress: customer.email, customerId: customer.customerId });

    expect(await sys.db.ledgerTransfer.count({ where: { paymentId: checkoutPaymentId(order.id), code: 'cashback' } })).toBe(0);
    const placed = await sys.db.auditLog.findUniqueOrThrow({ where: { key: `order:${order.id}:created` } });
    expect(placed.actor).toBe(`partner:${partner.partnerId}`);
  });

  it("PRT-5: with the customer paying, the partner's order is on the customer's card at the public price; the invoice is only in the customer's organisation and the partner cannot read it", async () => {
    const seller = await sellerOffering(sys, { priceCents: 20125, currency: 'EUR', partnerDiscountBp: 2000 });
    const [customer, partner] = [await freshAccount(sys), await freshPartner(sys)];
    await activePartnership(sys, { customerId: customer.customerId, partnerId: partner.partnerId, access: 'complete', payer: 'customer' });

    expect((await orderFor(partner, customer, seller, partner.cardId)).status).toBe(422);
    const res = await orderFor(partner, customer, seller, customer.cardId);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const order = await sys.db.order.findUniqueOrThrow({ where: { id: res.body.orderId }, include: { lines: true } });
    expect(order).toMatchObject({ partnerId: partner.partnerId, payer: 'customer', cardId: customer.cardId });
    expect(order.lines[0].priceCents).toBe(20125);

    const invoiceId = checkoutInvoiceId(order.id, seller.sellerId);
    const invoice = (await eventually(() => sys.db.invoice.findUnique({ where: { id: invoiceId } }), 20_000, 'checkout invoice'))!;
    expect(invoice.partnerId).toBeNull();
    expect(await invoiceIds(customer.key, `/customers/${customer.customerId}/invoices`)).toContain(invoiceId);
    expect(await pdfStatus(customer.key, invoiceId)).toBe(200);
    expect(await invoiceIds(partner.key, '/partner/invoices')).toEqual([]);
    expect(await pdfStatus(partner.key, invoiceId)).toBe(403);
    // Its renewal e-mails are the customer's, like its invoices.
    const renewedKey = await createSubscriptionActivities(sys.activityDeps).composeSubscriptionEmail({
      key: `test:${order.lines[0].id}:renewed`,
      subscriptionId: order.lines[0].id,
      to: 'customer',
      kind: 'renewed',
      data: { invoiceId, invoiceNumber: invoice.number, period: 2, periodStart: await nowIso(), periodEnd: await nowIso(), amountCents: invoice.totalCents, cardLast4: '4242' },
    });
    expect(await sys.db.email.findUniqueOrThrow({ where: { id: renewedKey } })).toMatchObject({ toAddress: customer.email, customerId: customer.customerId });
    // PRT-6, the seed table: complete access, the customer's means — the partner earns cashback instead (201.25 − 161.00).
    const cashback = await sys.db.ledgerTransfer.findMany({ where: { paymentId: checkoutPaymentId(order.id), code: 'cashback' } });
    expect(cashback.map((t) => [t.creditAccountId, t.amount])).toEqual([[`partner:${partner.partnerId}:EUR:prepaid`, 4025n]]);
  });
});
