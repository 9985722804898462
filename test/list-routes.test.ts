// The list routes (api/pagination.ts, api/routes/*-lists.ts) on the dev-server system: each
// answers the caller's own items from the database, newest first with the id as
// tie-breaker, as `{ items, nextCursor }` pages (default 20, at most 100, opaque cursors), with
// its filters; staff find a customer by e-mail and an order by number. The expected order of every
// list is computed from the database with the documented sort, never written down by hand.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { customerPage } from '../api/routes/customer-lists';
import { documentPage } from '../api/routes/document-lists';
import { LINE_STATUSES, linePage } from '../api/routes/line-lists';
import { orderPage, orderSummary } from '../api/routes/order-lists';
import { paymentPage } from '../api/routes/payment-lists';
import { customerSubscriptionPage, sellerSubscriptionPage } from '../api/routes/subscription-lists';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import { eventually, http, type HttpResponse } from './support/http';
import { linesAwaitingValidation, newIdempotencyKey, placeOrder, waitForLineStatus, type PlacedOrder } from './support/orders';
import { waitState } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

const EMAIL_A = 'lists-alice@example.test';
const EMAIL_B = 'lists-bob@example.test';
const ACME = DEMO.sellers.acme.id;
const GLOBEX = DEMO.sellers.globex.id;

/**
 * customerA: three paid orders (Acme and Globex lines) and a declined one; Acme accepts the line
 * of A's first order (a subscription) and Globex refuses the line of A's second (a refund and a
 * credit note). customerB: one order, Acme's line accepted, Globex's refused.
 */
let a: { key: string; customerId: string; orders: PlacedOrder[]; declinedOrderId: string };
let b: { key: string; customerId: string; order: PlacedOrder };

const lineOf = (o: PlacedOrder, sellerId: string) => o.lines.find((l) => l.sellerId === sellerId)!.lineId;

beforeAll(async () => {
  const api = sys.apiUrl;
  const ordersA = [await placeOrder(api, { email: EMAIL_A }), await placeOrder(api, { email: EMAIL_A }), await placeOrder(api, { email: EMAIL_A })];
  const orderB = await placeOrder(api, { email: EMAIL_B });
  const declined = await http(api, 'POST', '/checkout', { body: checkoutBody({ email: EMAIL_A, card: TEST_CARDS.declined }), headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(declined.status, JSON.stringify(declined.body)).toBe(402);
  for (const o of [...ordersA, orderB]) await linesAwaitingValidation(sys.db, o);

  const decide = async (o: PlacedOrder, sellerId: string, key: string, command: 'accept' | 'refuse') => {
    const body = command === 'accept' ? { accessInstructions: 'https://access.example.test' } : { reason: 'Region not served' };
    const res = await http(api, 'POST', `/orders/${o.orderId}/lines/${lineOf(o, sellerId)}/${command}`, { key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  await decide(ordersA[0], ACME, DEMO_KEYS.sellerAcme, 'accept');
  await decide(ordersA[1], GLOBEX, DEMO_KEYS.sellerGlobex, 'refuse');
  await decide(orderB, ACME, DEMO_KEYS.sellerAcme, 'accept');
  await decide(orderB, GLOBEX, DEMO_KEYS.sellerGlobex, 'refuse');
  for (const id of [lineOf(ordersA[0], ACME), lineOf(orderB, ACME)]) {
    await eventually(async () => (await sys.db.subscription.findUnique({ where: { id } })) !== null, 20_000, `subscription ${id}`);
    await waitState(env.client, id, (s) => s.status === 'active' && s.paidPeriods >= 1);
  }
  for (const id of [lineOf(ordersA[1], GLOBEX), lineOf(orderB, GLOBEX)]) {
    await waitForLineStatus(sys.db, id, 'refused');
    await eventually(async () => (await sys.db.invoice.count({ where: { id: { startsWith: `credit:line:${id}:` } } })) > 0, 20_000, `credit note of ${id}`);
  }
  // More lines than a default page holds: anonymous checkouts of other buyers, left undecided.
  for (let i = 0; i < 6; i++) {
    const res = await http(api, 'POST', '/checkout', { body: checkoutBody(), headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    for (const l of res.body.lines as { lineId: string }[]) await waitForLineStatus(sys.db, l.lineId, 'awaiting_validation');
  }
  // Every checkout invoice (one per seller and paid order) is issued.
  await eventually(async () => (await sys.db.invoice.count({ where: { kind: 'invoice', orderId: { in: [...ordersA, orderB].map((o) => o.orderId) } } })) === 8, 20_000, 'checkout invoices');

  a = { key: ordersA[0].customerApiKey, customerId: ordersA[0].customerId, orders: ordersA, declinedOrderId: declined.body.orderId };
  b = { key: orderB.customerApiKey, customerId: orderB.customerId, order: orderB };
  expect(ordersA.every((o) => o.customerId === a.customerId)).toBe(true);
}, 180_000);

// --- helpers -----------------------------------------------------------------------------------------

const get = (key: string | undefined, path: string): Promise<HttpResponse> => http(sys.apiUrl, 'GET', path, key ? { key } : {});

/** One page, checked against the route's declared schema (strict: no field it does not list). */
async function page<S extends z.ZodType>(schema: S, key: string, path: string): Promise<z.infer<S>> {
  const res = await get(key, path);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return schema.parse(res.body);
}

const withQuery = (path: string, params: Record<string, string | number>) => {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
};

/** Every page of a list at this limit: each at most `limit` items, a cursor on all but the last. */
async function walk<S extends z.ZodType<{ items: unknown[]; nextCursor: string | null }>>(schema: S, key: string, path: string, limit: number) {
  const items: z.infer<S>['items'] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const p: z.infer<S> = await page(schema, key, withQuery(path, cursor ? { limit, cursor } : { limit }));
    expect(p.items.length).toBeLessThanOrEqual(limit);
    if (p.nextCursor !== null) expect(p.items.length, 'a page before the last is full').toBe(limit);
    pages.push(p.items.length);
    items.push(...p.items);
    cursor = p.nextCursor;
    expect(pages.length, 'the walk ends').toBeLessThan(200);
  } while (cursor !== null);
  return { items, pages };
}

async function expectProblem(res: HttpResponse, status: number, field?: string): Promise<void> {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status });
  if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

/** The documented order: newest first on the sort key, the id (as PostgreSQL compares it) on ties. */
const ORDER_DESC = <K extends string>(key: K) => [{ [key]: 'desc' as const }, { id: 'desc' as const }] as { [P in K]: 'desc' }[];

// --- customers: their own account (ACC-2) ---------------------------------------------------------------

describe('ACC-2: a customer lists its own orders, subscriptions, payments and documents', () => {
  it("ACC-2, X-6: GET /me/orders answers the caller's orders (the declined one too), newest first, each with its lines; never another customer's", async () => {
    const mine = await page(orderPage, a.key, '/me/orders');
    const expected = await sys.db.order.findMany({ where: { customerId: a.customerId }, orderBy: ORDER_DESC('createdAt') });
    expect(expected).toHaveLength(4);
    expect(mine.items.map((o) => o.orderId)).toEqual(expected.map((o) => o.id));
    expect(mine.nextCursor).toBeNull();
    expect(mine.items.map((o) => o.orderId)).toContain(a.declinedOrderId);
    expect(mine.items.map((o) => o.orderId)).not.toContain(b.order.orderId);
    const first = mine.items.find((o) => o.orderId === a.orders[0].orderId)!;
    expect(first).toMatchObject({ number: a.orders[0].number, status: 'paid', customerId: a.customerId, href: `/orders/${a.orders[0].orderId}` });
    expect(first.lines.map((l) => l.lineId).sort()).toEqual(a.orders[0].lines.map((l) => l.lineId).sort());

    const theirs = await page(orderPage, b.key, '/me/orders');
    expect(theirs.items.map((o) => o.orderId)).toEqual([b.order.orderId]);
  });

  it('ACC-2: GET /me/orders filters by status', async () => {
    const failed = await page(orderPage, a.key, '/me/orders?status=payment_failed');
    expect(failed.items.map((o) => o.orderId)).toEqual([a.declinedOrderId]);
    expect(failed.items[0].failure?.code).toBeTruthy();
    const paid = await page(orderPage, a.key, '/me/orders?status=paid');
    expect(paid.items.map((o) => o.orderId).sort()).toEqual(a.orders.map((o) => o.orderId).sort());
    expect(paid.items.every((o) => o.status === 'paid')).toBe(true);
    await expectProblem(await get(a.key, '/me/orders?status=shipped'), 400, 'query.status');
  });

  it("ACC-2, X-6: GET /me/subscriptions answers the caller's subscriptions with their card, newest first, filterable by status", async () => {
    const mine = await page(customerSubscriptionPage, a.key, '/me/subscriptions');
    expect(mine.items.map((s) => s.subscriptionId)).toEqual([lineOf(a.orders[0], ACME)]);
    expect(mine.items[0]).toMatchObject({ customerId: a.customerId, sellerId: ACME, status: 'active', name: 'Acme Mail Pro', cardLast4: '4242' });
    const theirs = await page(customerSubscriptionPage, b.key, '/me/subscriptions');
    expect(theirs.items.map((s) => s.subscriptionId)).toEqual([lineOf(b.order, ACME)]);
    expect((await page(customerSubscriptionPage, a.key, '/me/subscriptions?status=active')).items).toHaveLength(1);
    expect((await page(customerSubscriptionPage, a.key, '/me/subscriptions?status=terminated')).items).toEqual([]);
    // Demo customer: no subscription, an empty list (not everyone's).
    expect(await page(customerSubscriptionPage, DEMO_KEYS.customer, '/me/subscriptions')).toEqual({ items: [], nextCursor: null });
  });

  it("ACC-2, X-6: GET /me/payments answers the caller's charges (captured and declined) and refunds with amounts, newest first; filters by kind and status", async () => {
    const all = await page(paymentPage, a.key, '/me/payments?limit=100');
    const charges = await sys.db.payment.findMany({ where: { order: { customerId: a.customerId } } });
    const refunds = await sys.db.refund.findMany({ where: { payment: { order: { customerId: a.customerId } } } });
    expect(charges.length).toBeGreaterThanOrEqual(4);
    expect(refunds).toHaveLength(1);
    const ids = all.items.map((p) => (p.kind === 'charge' ? p.paymentId : p.refundId));
    expect([...ids].sort()).toEqual([...charges.map((c) => c.id), ...refunds.map((r) => r.id)].sort());
    // Newest first.
    const times = all.items.map((p) => Date.parse(p.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));

    const refund = all.items.find((p) => p.kind === 'refund')!;
    expect(refund).toMatchObject({ kind: 'refund', status: 'refunded', lineId: lineOf(a.orders[1], GLOBEX), amountCents: refunds[0].amountCents, currency: 'EUR' });
    const declined = all.items.filter((p) => p.kind === 'charge' && p.status === 'declined');
    expect(declined.map((p) => p.orderId)).toEqual([a.declinedOrderId]);
    for (const c of charges) {
      expect(all.items).toContainEqual(expect.objectContaining({ kind: 'charge', paymentId: c.id, amountCents: c.amountCents, status: c.status }));
    }

    const onlyRefunds = await page(paymentPage, a.key, '/me/payments?kind=refund');
    expect(onlyRefunds.items.map((p) => p.kind)).toEqual(['refund']);
    const onlyDeclined = await page(paymentPage, a.key, '/me/payments?status=declined');
    expect(onlyDeclined.items.map((p) => p.orderId)).toEqual([a.declinedOrderId]);
    const captured = await page(paymentPage, a.key, '/me/payments?kind=charge&status=captured');
    expect(captured.items.length).toBe(charges.filter((c) => c.status === 'captured').length);
    expect(captured.items.every((p) => p.kind === 'charge' && p.status === 'captured')).toBe(true);
    expect((await page(paymentPage, a.key, '/me/payments?kind=refund&status=captured')).items).toEqual([]);

    // B's payments are B's alone.
    const theirs = await page(paymentPage, b.key, '/me/payments?limit=100');
    const bOrders = new Set([b.order.orderId]);
    expect(theirs.items.length).toBeGreaterThan(0);
    expect(theirs.items.every((p) => bOrders.has(p.orderId))).toBe(true);
    await expectProblem(await get(a.key, '/me/payments?kind=payout'), 400, 'query.kind');
  });

  it("INV-1, X-6: GET /customers/{customerId}/invoices is a page of the customer's invoices and credit notes, newest first, filterable by kind", async () => {
    const path = `/customers/${a.customerId}/invoices`;
    const mine = await page(documentPage, a.key, `${path}?limit=100`);
    const expected = await sys.db.invoice.findMany({ where: { customerId: a.customerId }, orderBy: ORDER_DESC('issuedAt') });
    // Three paid orders with two sellers each, and the credit note of Globex's refund.
    expect(expected.filter((i) => i.kind === 'invoice')).toHaveLength(6);
    expect(mine.items.map((i) => i.invoiceId)).toEqual(expected.map((i) => i.id));
    expect(mine.items.every((i) => i.customerId === a.customerId && i.pdf === `/invoices/${encodeURIComponent(i.invoiceId)}/pdf`)).toBe(true);
    const notes = await page(documentPage, a.key, `${path}?kind=credit_note`);
    expect(notes.items.map((i) => i.invoiceId)).toEqual(expected.filter((i) => i.kind === 'credit_note').map((i) => i.id));
    expect(notes.items[0].creditedInvoiceId).toBeTruthy();
    // Staff (finance, support) read any customer's; another customer never.
    expect((await page(documentPage, DEMO_KEYS.finance, `${path}?limit=100`)).items).toHaveLength(expected.length);
    expect((await page(documentPage, DEMO_KEYS.support, `${path}?kind=invoice`)).items).toHaveLength(6);
    await expectProblem(await get(b.key, path), 403);
  });
});

// --- pagination -----------------------------------------------------------------------------------------

describe('X-5: pagination (limit, cursor) on every list', () => {
  it('ACC-2: walking /me/orders page by page yields every order once, in order; a page of exactly `limit` items with nothing after has no cursor', async () => {
    const expected = (await sys.db.order.findMany({ where: { customerId: a.customerId }, orderBy: ORDER_DESC('createdAt') })).map((o) => o.id);
    for (const limit of [1, 2, 3]) {
      const { items, pages } = await walk(orderPage, a.key, '/me/orders', limit);
      expect(items.map((o) => o.orderId), `limit ${limit}`).toEqual(expected);
      expect(pages.length).toBe(Math.ceil(expected.length / limit));
    }
    // Exactly `limit` items: one page, no next cursor (no empty page to fetch).
    const exact = await page(orderPage, a.key, `/me/orders?limit=${expected.length}`);
    expect(exact.items).toHaveLength(expected.length);
    expect(exact.nextCursor).toBeNull();
    // One more than `limit`: a full page with a cursor, then a short last page without one.
    const first = await page(orderPage, a.key, `/me/orders?limit=${expected.length - 1}`);
    expect(first.items).toHaveLength(expected.length - 1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const last = await page(orderPage, a.key, withQuery('/me/orders', { limit: expected.length - 1, cursor: first.nextCursor! }));
    expect(last.items.map((o) => o.orderId)).toEqual(expected.slice(-1));
    expect(last.nextCursor).toBeNull();
    // With a filter, the cursor walks the filtered list.
    const paid = await walk(orderPage, a.key, '/me/orders?status=paid', 1);
    expect(paid.items.map((o) => o.orderId)).toEqual(expected.filter((id) => id !== a.declinedOrderId));
  });

  it('ORD-7: walking /ops/lines one line at a time yields every line once, in order, lines of one order (same timestamp) ordered by id', async () => {
    const rows = await sys.db.orderLine.findMany({ include: { order: true }, orderBy: [{ order: { createdAt: 'desc' } }, { id: 'desc' }] });
    const { items } = await walk(linePage, DEMO_KEYS.ops, '/ops/lines', 1);
    expect(items.map((l) => l.lineId)).toEqual(rows.map((l) => l.id));
    expect(new Set(items.map((l) => l.lineId)).size).toBe(items.length);
    const times = items.map((l) => Date.parse(l.orderedAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it('ACC-2: walking /me/payments (charges and refunds, two tables) yields every movement once, in the order of the whole list', async () => {
    const whole = await page(paymentPage, b.key, '/me/payments?limit=100');
    expect(whole.items.length).toBeGreaterThanOrEqual(2);
    expect(whole.items.some((p) => p.kind === 'refund')).toBe(true);
    const { items } = await walk(paymentPage, b.key, '/me/payments', 1);
    expect(items).toEqual(whole.items);
  });

  it('X-5: the default limit is 20, 100 is allowed; 0, 101, a non-number or a repeated limit are 400 naming query.limit', async () => {
    const total = await sys.db.orderLine.count();
    expect(total).toBeGreaterThan(20);
    expect(total).toBeLessThanOrEqual(100);
    const defaultPage = await page(linePage, DEMO_KEYS.ops, '/ops/lines');
    expect(defaultPage.items).toHaveLength(20);
    expect(defaultPage.nextCursor).toEqual(expect.any(String));
    const rest = await page(linePage, DEMO_KEYS.ops, withQuery('/ops/lines', { cursor: defaultPage.nextCursor! }));
    expect(rest.items).toHaveLength(total - 20);
    expect(rest.nextCursor).toBeNull();
    const hundred = await page(linePage, DEMO_KEYS.ops, '/ops/lines?limit=100');
    expect(hundred.items.map((l) => l.lineId)).toEqual([...defaultPage.items, ...rest.items].map((l) => l.lineId));
    expect(hundred.nextCursor).toBeNull();
    for (const path of ['/me/orders', '/me/subscriptions', '/me/payments', `/customers/${a.customerId}/invoices`]) {
      expect((await get(a.key, `${path}?limit=100`)).status, path).toBe(200);
      for (const bad of ['101', '0', '-1', 'ten', '', '1.5', '20&limit=30']) {
        await expectProblem(await get(a.key, `${path}?limit=${bad}`), 400, 'query.limit');
      }
    }
    const tooMany = await get(DEMO_KEYS.sellerAcme, '/seller/lines?limit=101');
    await expectProblem(tooMany, 400, 'query.limit');
    expect(tooMany.body.errors[0].message).toContain('100');
  });

  it('X-5: a cursor that is not one, or is another list\'s, is 400 naming query.cursor; an unknown query parameter is 400 naming it', async () => {
    const ordersCursor = (await page(orderPage, a.key, '/me/orders?limit=1')).nextCursor!;
    expect(ordersCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const bad of ['nope', '%%%', Buffer.from('{"k":1}').toString('base64url'), Buffer.from('not json').toString('base64url'), 'x'.repeat(1001), `${ordersCursor}!`]) {
      await expectProblem(await get(a.key, withQuery('/me/orders', { cursor: bad })), 400, 'query.cursor');
    }
    // A cursor names its list: /me/orders' cursor on /me/payments is refused, not silently applied.
    const foreign = await get(a.key, withQuery('/me/payments', { cursor: ordersCursor }));
    await expectProblem(foreign, 400, 'query.cursor');
    expect(foreign.body.errors[0].message).toContain('another list');
    // A well-formed cursor at a time PostgreSQL cannot hold (year 0000) is refused too, not a 500.
    const yearZero = Buffer.from(JSON.stringify({ l: 'my-payments', k: '0000-01-01T00:00:00.000Z', id: 'x' })).toString('base64url');
    await expectProblem(await get(a.key, withQuery('/me/payments', { cursor: yearZero })), 400, 'query.cursor');
    // A misspelt filter never lists everything.
    for (const [key, path] of [
      [a.key, '/me/orders?state=paid'],
      [a.key, '/me/subscriptions?page=2'],
      [a.key, '/me/payments?offset=10'],
      [DEMO_KEYS.sellerAcme, '/seller/lines?statuses=active'],
      [DEMO_KEYS.sellerAcme, '/seller/documents?type=invoice'],
      [DEMO_KEYS.sellerAcme, '/seller/subscriptions?sort=asc'],
      [DEMO_KEYS.ops, '/ops/lines?overdue=1'],
      [DEMO_KEYS.support, `/customers?email=${EMAIL_A}&name=Alice`],
    ] as const) {
      const res = await get(key, path);
      const unknown = path.split('?')[1].split('&').map((kv) => kv.split('=')[0]).filter((k) => !['email'].includes(k));
      await expectProblem(res, 400, `query.${unknown[0]}`);
    }
  });
});

// --- sellers -------------------------------------------------------------------------------------------

describe('X-6: a seller lists its own lines, subscriptions and documents', () => {
  it("X-6: GET /seller/lines answers the seller's paid lines only, newest first, filterable by status; another seller's never", async () => {
    const acme = await walk(linePage, DEMO_KEYS.sellerAcme, '/seller/lines', 2);
    const expected = await sys.db.orderLine.findMany({
      where: { sellerId: ACME, status: { notIn: ['awaiting_payment', 'payment_failed'] } },
      orderBy: [{ order: { createdAt: 'desc' } }, { id: 'desc' }],
    });
    expect(acme.items.map((l) => l.lineId)).toEqual(expected.map((l) => l.id));
    expect(acme.items.every((l) => l.sellerId === ACME)).toBe(true);
    // The declined order's Acme line never reached Acme.
    const declinedLines = await sys.db.orderLine.findMany({ where: { orderId: a.declinedOrderId } });
    expect(declinedLines.every((l) => l.status === 'payment_failed')).toBe(true);
    for (const l of declinedLines) expect(acme.items.map((i) => i.lineId)).not.toContain(l.id);

    const active = await page(linePage, DEMO_KEYS.sellerAcme, '/seller/lines?status=active');
    expect(active.items.map((l) => l.lineId).sort()).toEqual([lineOf(a.orders[0], ACME), lineOf(b.order, ACME)].sort());
    const refused = await page(linePage, DEMO_KEYS.sellerGlobex, '/seller/lines?status=refused');
    expect(refused.items.map((l) => l.lineId)).toEqual([lineOf(b.order, GLOBEX), lineOf(a.orders[1], GLOBEX)]);
    const globex = await page(linePage, DEMO_KEYS.sellerGlobex, '/seller/lines?limit=100');
    expect(globex.items.every((l) => l.sellerId === GLOBEX)).toBe(true);
    expect(await page(linePage, DEMO_KEYS.sellerPending, '/seller/lines')).toEqual({ items: [], nextCursor: null });
    // A seller's list has no unpaid statuses to filter on.
    await expectProblem(await get(DEMO_KEYS.sellerAcme, '/seller/lines?status=awaiting_payment'), 400, 'query.status');
  });

  it("X-6: GET /seller/subscriptions answers the seller's subscriptions, newest first, without the customer's card", async () => {
    const acme = await page(sellerSubscriptionPage, DEMO_KEYS.sellerAcme, '/seller/subscriptions');
    const expected = await sys.db.subscription.findMany({ where: { sellerId: ACME }, orderBy: ORDER_DESC('startedAt') });
    expect(acme.items.map((s) => s.subscriptionId)).toEqual(expected.map((s) => s.id));
    expect(acme.items.map((s) => s.subscriptionId).sort()).toEqual([lineOf(a.orders[0], ACME), lineOf(b.order, ACME)].sort());
    expect(acme.items.every((s) => !('cardLast4' in s))).toBe(true);
    expect((await walk(sellerSubscriptionPage, DEMO_KEYS.sellerAcme, '/seller/subscriptions?status=active', 1)).items).toEqual(acme.items);
    expect(await page(sellerSubscriptionPage, DEMO_KEYS.sellerGlobex, '/seller/subscriptions')).toEqual({ items: [], nextCursor: null });
  });

  it('INV-1, X-6: GET /seller/documents answers the invoices, credit notes and purchase orders issued in the seller\'s name, newest first, filterable by kind', async () => {
    const globex = await walk(documentPage, DEMO_KEYS.sellerGlobex, '/seller/documents', 3);
    const expected = await sys.db.invoice.findMany({ where: { sellerId: GLOBEX }, orderBy: ORDER_DESC('issuedAt') });
    expect(globex.items.map((i) => i.invoiceId)).toEqual(expected.map((i) => i.id));
    expect(globex.items.every((i) => i.sellerId === GLOBEX)).toBe(true);
    const notes = await page(documentPage, DEMO_KEYS.sellerGlobex, '/seller/documents?kind=credit_note');
    expect(notes.items.map((i) => i.customerId).sort()).toEqual([a.customerId, b.customerId].sort());
    const acme = await page(documentPage, DEMO_KEYS.sellerAcme, '/seller/documents?limit=100');
    expect(acme.items.length).toBeGreaterThan(0);
    expect(acme.items.every((i) => i.sellerId === ACME && ['invoice', 'purchase_order'].includes(i.kind))).toBe(true);
    // The PDF each links to opens for that seller.
    const pdf = await fetch(`${sys.apiUrl}${acme.items[0].pdf}`, { headers: { authorization: `Bearer ${DEMO_KEYS.sellerAcme}` } });
    expect(pdf.status).toBe(200);
    await expectProblem(await get(DEMO_KEYS.sellerAcme, '/seller/documents?kind=receipt'), 400, 'query.kind');
  });
});

// --- staff ----------------------------------------------------------------------------------------------

describe('ORD-7: staff list lines by any status', () => {
  it('ORD-7: GET /ops/lines without a status lists lines of every status; each status, terminated included, filters', async () => {
    const all = await page(linePage, DEMO_KEYS.ops, '/ops/lines?limit=100');
    const statuses = new Set(all.items.map((l) => l.status));
    for (const s of ['awaiting_validation', 'active', 'refused', 'payment_failed']) expect(statuses, s).toContain(s);
    for (const status of LINE_STATUSES) {
      const filtered = await page(linePage, DEMO_KEYS.support, `/ops/lines?status=${status}&limit=100`);
      const expected = await sys.db.orderLine.findMany({ where: { status }, orderBy: [{ order: { createdAt: 'desc' } }, { id: 'desc' }] });
      expect(filtered.items.map((l) => l.lineId), status).toEqual(expected.map((l) => l.id));
    }
  });

  it('ORD-7, X-5: an unknown status is 400 naming query.status and listing the allowed values', async () => {
    for (const bad of ['bogus', 'OVERDUE', '']) {
      const res = await get(DEMO_KEYS.ops, `/ops/lines?status=${bad}`);
      await expectProblem(res, 400, 'query.status');
      const message = res.body.errors.find((e: { field: string }) => e.field === 'query.status').message;
      for (const s of LINE_STATUSES) expect(message).toContain(s);
    }
  });
});

describe('X-6: staff find a customer by e-mail and an order by number', () => {
  it('X-6: GET /customers?email= finds the customer by exact address, whatever its case; no match is an empty list', async () => {
    for (const email of [EMAIL_A, EMAIL_A.toUpperCase(), ` ${EMAIL_A} `]) {
      const found = await page(customerPage, DEMO_KEYS.support, withQuery('/customers', { email }));
      expect(found.items.map((c) => c.customerId), email).toEqual([a.customerId]);
      expect(found.items[0]).toMatchObject({ email: EMAIL_A, verifiedAt: expect.any(String) });
    }
    for (const key of [DEMO_KEYS.admin, DEMO_KEYS.ops, DEMO_KEYS.finance]) {
      expect((await page(customerPage, key, withQuery('/customers', { email: EMAIL_B }))).items.map((c) => c.customerId)).toEqual([b.customerId]);
    }
    // Exact: a part of the address, or the address with a wildcard, finds nobody.
    for (const email of ['lists-alice', 'lists-alice@example', 'lists_alice@example.test', 'lists-%@example.test']) {
      expect((await page(customerPage, DEMO_KEYS.support, withQuery('/customers', { email }))).items, email).toEqual([]);
    }
    await expectProblem(await get(DEMO_KEYS.support, '/customers'), 400, 'query.email');
  });

  it('X-6: GET /orders/by-number/{number} answers the order to staff; an unknown number is a 404 problem, a malformed one a 400', async () => {
    const o = a.orders[1];
    for (const key of [DEMO_KEYS.admin, DEMO_KEYS.ops, DEMO_KEYS.support, DEMO_KEYS.finance]) {
      const res = await get(key, `/orders/by-number/${o.number}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(orderSummary.parse(res.body)).toMatchObject({ orderId: o.orderId, number: o.number, customerId: a.customerId, href: `/orders/${o.orderId}` });
    }
    expect(o.number).toMatch(/^O-\d{4}-\d{6}$/);
    expect((await get(DEMO_KEYS.ops, `/orders/by-number/${o.number.toLowerCase()}`)).body.orderId).toBe(o.orderId);
    const missing = await get(DEMO_KEYS.ops, '/orders/by-number/O-2099-999999');
    await expectProblem(missing, 404);
    expect(missing.body.detail).toContain('O-2099-999999');
    await expectProblem(await get(DEMO_KEYS.ops, '/orders/by-number/2026-000001'), 400, 'params.number');
  });

  it('X-6: customers (the owner too), sellers and an order token get 403 on the staff lookups; no key is 401', async () => {
    const number = a.orders[0].number;
    for (const key of [a.key, b.key, DEMO_KEYS.sellerAcme, a.orders[0].orderToken]) {
      await expectProblem(await get(key, `/orders/by-number/${number}`), 403);
      await expectProblem(await get(key, withQuery('/customers', { email: EMAIL_A })), 403);
      await expectProblem(await get(key, '/ops/lines'), 403);
    }
    await expectProblem(await get(undefined, `/orders/by-number/${number}`), 401);
    await expectProblem(await get(undefined, withQuery('/customers', { email: EMAIL_A })), 401);
  });
});

// --- authorization on every list ---------------------------------------------------------------------------

describe('X-6: who may call each list', () => {
  const CUSTOMER_LISTS = ['/me/orders', '/me/subscriptions', '/me/payments'];
  const SELLER_LISTS = ['/seller/lines', '/seller/subscriptions', '/seller/documents'];

  it('X-6: the customer lists refuse staff and sellers (403), an order token (403) and no key (401)', async () => {
    for (const path of CUSTOMER_LISTS) {
      for (const key of [DEMO_KEYS.admin, DEMO_KEYS.support, DEMO_KEYS.finance, DEMO_KEYS.sellerAcme, a.orders[0].orderToken]) await expectProblem(await get(key, path), 403);
      await expectProblem(await get(undefined, path), 401);
    }
    // A customer's documents: its own only; an order token reads no list, not even its order's customer's.
    await expectProblem(await get(a.orders[0].orderToken, `/customers/${a.customerId}/invoices`), 403);
    await expectProblem(await get(DEMO_KEYS.sellerAcme, `/customers/${a.customerId}/invoices`), 403);
    await expectProblem(await get(DEMO_KEYS.ops, `/customers/${a.customerId}/invoices`), 403);
    await expectProblem(await get(DEMO_KEYS.customer, `/customers/${a.customerId}/invoices`), 403);
  });

  it('X-6: the seller lists refuse customers, staff and an order token (403), no key (401) and a suspended seller (403)', async () => {
    for (const path of SELLER_LISTS) {
      for (const key of [a.key, DEMO_KEYS.admin, DEMO_KEYS.ops, a.orders[0].orderToken]) await expectProblem(await get(key, path), 403);
      await expectProblem(await get(undefined, path), 401);
    }
    await sys.db.seller.update({ where: { id: DEMO.sellers.initech.id }, data: { status: 'suspended' } });
    try {
      for (const path of SELLER_LISTS) {
        // The key's principal is cached a few seconds (api/auth.ts): the suspension shows within that.
        const res = await eventually(async () => {
          const r = await get(DEMO_KEYS.sellerPending, path);
          return r.status === 403 ? r : undefined;
        }, 10_000, `suspended seller refused on ${path}`);
        expect(res.body.detail).toContain('suspended');
      }
    } finally {
      await sys.db.seller.update({ where: { id: DEMO.sellers.initech.id }, data: { status: 'pending' } });
    }
  });

  it("X-6: no list answers another owner's items: every item of every list belongs to its caller", async () => {
    const ownersOf = async (key: string, customerId: string) => {
      const orders = await walk(orderPage, key, '/me/orders', 100);
      const subs = await walk(customerSubscriptionPage, key, '/me/subscriptions', 100);
      const docs = await walk(documentPage, key, `/customers/${customerId}/invoices`, 100);
      const orderIds = new Set((await sys.db.order.findMany({ where: { customerId } })).map((o) => o.id));
      const pays = await walk(paymentPage, key, '/me/payments', 100);
      expect(orders.items.every((o) => o.customerId === customerId)).toBe(true);
      expect(subs.items.every((s) => s.customerId === customerId)).toBe(true);
      expect(docs.items.every((d) => d.customerId === customerId)).toBe(true);
      expect(pays.items.every((p) => orderIds.has(p.orderId))).toBe(true);
    };
    await ownersOf(a.key, a.customerId);
    await ownersOf(b.key, b.customerId);
    for (const [key, sellerId] of [[DEMO_KEYS.sellerAcme, ACME], [DEMO_KEYS.sellerGlobex, GLOBEX]] as const) {
      expect((await walk(linePage, key, '/seller/lines', 100)).items.every((l) => l.sellerId === sellerId)).toBe(true);
      expect((await walk(sellerSubscriptionPage, key, '/seller/subscriptions', 100)).items.every((s) => s.sellerId === sellerId)).toBe(true);
      expect((await walk(documentPage, key, '/seller/documents', 100)).items.every((d) => d.sellerId === sellerId)).toBe(true);
    }
  });

  it('X-6: every list route is documented in /openapi.json with its query parameters and its page schema', async () => {
    const doc = (await get(undefined, '/openapi.json')).body;
    for (const path of [...CUSTOMER_LISTS, ...SELLER_LISTS, '/ops/lines', '/customers', '/customers/{customerId}/invoices']) {
      const op = doc.paths[path].get;
      expect(op.security.length, path).toBeGreaterThan(0);
      const params = op.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
      expect(params, path).toEqual(expect.arrayContaining(['limit', 'cursor']));
      const limit = op.parameters.find((p: { name: string }) => p.name === 'limit');
      expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
      const schema = op.responses['200'].content['application/json'].schema;
      const page = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
      expect(page.required, path).toEqual(['items', 'nextCursor']);
      expect(op.summary, path).toMatch(/newest first/);
    }
    expect(doc.paths['/orders/by-number/{number}'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/OrderSummary');
  });
});
