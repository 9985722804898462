// Checkout under the sellers' commercial policies (README "Commercial policies"): the period a
// line bills (POL-6), its quantity, the charity or education discount (POL-3) and the free trial
// (POL-1), checked where the money is: the line, the order, the card charge (or verification),
// the checkout invoice and the ledger, which agree to the cent. Each test has its own seller.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashKey } from '../api/auth';
import { checkoutPaymentId, checkoutVerificationKey } from '../activities/payments';
import { checkoutInvoiceId } from '../activities/invoices';
import { trialEnd } from '../domain/commercial-policy';
import { businessTimeZone } from '../domain/time-format';
import { GatewayError } from '../infra/payment-gateway';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO_KEYS } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { newIdempotencyKey } from './support/orders';
import { pdfText } from './support/pdf-text';
import { freshSeller, type FreshSeller } from './support/sellers';
import { saveTestCard } from './support/subscriptions';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('time-skipping', (_e, s) => {
  sys = s;
});

const DAY = 86_400_000;

/** An offer of the seller, stating its policies. */
async function offer(s: FreshSeller, data: { priceCents: number; billingPeriod?: string; vatRateBp?: number; trialDays?: number; allowedPeriods?: string[]; discountEligible?: boolean }) {
  const id = `off_t_${randomUUID().slice(0, 8)}`;
  await sys.db.offer.create({
    data: { id, sellerId: s.sellerId, name: `Offer ${id}`, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, published: true, ...data },
  });
  return id;
}

/** A signed-in customer (its API key), with a verification expiring at `expiresAt` if given. */
async function customer(expiresAt?: Date): Promise<{ customerId: string; key: string; email: string }> {
  const u = randomUUID().slice(0, 8);
  const c = { customerId: `cus_t_${u}`, key: `cust_test_${u}`, email: `school-${u}@example.test` };
  await sys.db.customer.create({ data: { id: c.customerId, email: c.email, name: `School ${u}`, type: 'business', verifiedAt: new Date() } });
  await sys.db.apiKey.create({ data: { hash: hashKey(c.key), label: c.email, kind: 'customer', customerId: c.customerId } });
  if (expiresAt) {
    await sys.db.customerVerification.create({ data: { id: `cver_t_${u}`, customerId: c.customerId, kind: 'education', evidenceRef: 'UAI 0751234A', expiresAt, recordedBy: 'staff:test' } });
  }
  return c;
}

type Line = { offerId: string; billingPeriod?: string; quantity?: number };

/** A checkout of the seller's offers: anonymous, or signed in with `key` (then `email` is the account's). */
function checkout(s: FreshSeller, lines: Line[], opts: { card?: string; key?: string; email?: string } = {}) {
  const body = { ...checkoutBody({ terms: [{ sellerId: s.sellerId, version: s.terms }], card: opts.card, email: opts.email }), lines };
  return http(sys.apiUrl, 'POST', '/checkout', { body, key: opts.key, headers: { 'idempotency-key': newIdempotencyKey() } });
}

async function placed(s: FreshSeller, lines: Line[], opts: Parameters<typeof checkout>[2] = {}) {
  const res = await checkout(s, lines, opts);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { orderId: string; totalCents: number; totalExclVatCents: number; totalVatCents: number; lines: { lineId: string; totalCents: number }[] };
}

/** The seller's checkout invoice, issued by the order process once paid. */
async function invoiceOf(orderId: string, sellerId: string) {
  const invoice = await eventually(() => sys.db.invoice.findUnique({ where: { id: checkoutInvoiceId(orderId, sellerId) } }).then((i) => i ?? undefined), 20_000, 'checkout invoice');
  return { ...invoice, lines: JSON.parse(invoice.lines) as { description: string; quantity: number; unitExclVatCents: number; exclVatCents: number; vatCents: number; totalCents: number }[] };
}

/** What the ledger captured per line of the checkout payment. */
async function capturedByLine(orderId: string): Promise<Record<string, number>> {
  const transfers = await sys.db.ledgerTransfer.findMany({ where: { paymentId: checkoutPaymentId(orderId), code: 'capture' } });
  return Object.fromEntries(transfers.map((t) => [t.lineId, Number(t.amount)]));
}

const linesWithSeller = (orderId: string) =>
  eventually(async () => {
    const lines = await sys.db.orderLine.findMany({ where: { orderId }, orderBy: { position: 'asc' } });
    return lines.every((l) => l.status === 'awaiting_validation') ? lines : undefined;
  }, 20_000, 'lines awaiting validation');

describe('billing periods and quantities (POL-6)', () => {
  it('POL-6: a monthly line on an annual-only offer is refused 422 naming lines.0.billingPeriod and the allowed periods; nothing is recorded', async () => {
    const s = await freshSeller(sys.db);
    const yearly = await offer(s, { priceCents: 48_000, billingPeriod: 'annual', allowedPeriods: ['annual', 'triennial'] });
    const refused = await checkout(s, [{ offerId: yearly, billingPeriod: 'monthly' }]);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.errors).toEqual([{ field: 'body.lines.0.billingPeriod', message: 'must be one of: annual, triennial' }]);
    expect(refused.body.allowedPeriods).toEqual(['annual', 'triennial']);
    expect(refused.body.detail).toContain('annual, triennial only (POL-6)');
    // A period the offer does not list (biennial) is refused the same way; an unknown word by the schema.
    expect((await checkout(s, [{ offerId: yearly, billingPeriod: 'biennial' }])).status).toBe(422);
    const unknown = await checkout(s, [{ offerId: yearly, billingPeriod: 'weekly' }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.lines.0.billingPeriod']);
    expect(await sys.db.order.count({ where: { lines: { some: { sellerId: s.sellerId } } } })).toBe(0);
  });

  it('POL-6: a 3-year line costs 3 × the yearly price, paid in advance: line, order, charge, invoice and ledger agree; a line without a period bills the offer\u2019s own', async () => {
    const s = await freshSeller(sys.db);
    const yearly = await offer(s, { priceCents: 48_000, billingPeriod: 'annual', allowedPeriods: ['annual', 'triennial'] });
    const order = await placed(s, [{ offerId: yearly, billingPeriod: 'triennial' }, { offerId: yearly }]);
    const [three, one] = await linesWithSeller(order.orderId);
    expect(three).toMatchObject({ billingPeriod: 'triennial', quantity: 1, unitPriceCents: 144_000, priceCents: 144_000, vatCents: 28_800, totalCents: 172_800, trialEndsAt: null, discountBp: 0 });
    expect(one).toMatchObject({ billingPeriod: 'annual', unitPriceCents: 48_000, totalCents: 57_600 });
    expect(order).toMatchObject({ totalExclVatCents: 192_000, totalVatCents: 38_400, totalCents: 230_400 });
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: checkoutPaymentId(order.orderId) } })).toMatchObject({ amountCents: 230_400, status: 'captured' });
    const invoice = await invoiceOf(order.orderId, s.sellerId);
    expect(invoice.totalCents).toBe(230_400);
    expect(invoice.lines.map((l) => [l.quantity, l.unitExclVatCents, l.totalCents])).toEqual([[1, 144_000, 172_800], [1, 48_000, 57_600]]);
    expect(await capturedByLine(order.orderId)).toEqual({ [three.id]: 172_800, [one.id]: 57_600 });
  });

  it('POL-6, quantities: 3 seats charge 3 × the unit price, VAT rounded per line: the charge is the sum of the invoice lines, to the cent', async () => {
    const s = await freshSeller(sys.db);
    const seat = await offer(s, { priceCents: 1999 });
    const book = await offer(s, { priceCents: 333, vatRateBp: 550 });
    const order = await placed(s, [{ offerId: seat, quantity: 3 }, { offerId: book }]);
    const [seats, books] = await linesWithSeller(order.orderId);
    // 3 × 19.99 = 59.97, VAT 11.994 → 11.99; 3.33 at 5.5 % = 0.18315 → 0.18.
    expect(seats).toMatchObject({ quantity: 3, unitPriceCents: 1999, priceCents: 5997, vatCents: 1199, totalCents: 7196 });
    expect(books).toMatchObject({ quantity: 1, unitPriceCents: 333, priceCents: 333, vatCents: 18, totalCents: 351 });
    expect(order).toMatchObject({ totalExclVatCents: 6330, totalVatCents: 1217, totalCents: 7547 });
    expect((await sys.db.payment.findUniqueOrThrow({ where: { id: checkoutPaymentId(order.orderId) } })).amountCents).toBe(7547);
    const invoice = await invoiceOf(order.orderId, s.sellerId);
    expect(invoice.lines.map((l) => [l.quantity, l.unitExclVatCents, l.exclVatCents, l.vatCents])).toEqual([[3, 1999, 5997, 1199], [1, 333, 333, 18]]);
    expect(invoice.totalCents).toBe(7547);
    expect(await capturedByLine(order.orderId)).toEqual({ [seats.id]: 7196, [books.id]: 351 });

    // The order's views show what each line was bought under.
    const view = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: DEMO_KEYS.ops });
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    expect(view.body.lines[0]).toMatchObject({ billingPeriod: 'monthly', quantity: 3, unitPriceCents: 1999, discountBp: 0, discountKind: null, trialEndsAt: null, totalCents: 7196 });
    const line = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}/lines/${seats.id}`, { key: s.key });
    expect(line.status, JSON.stringify(line.body)).toBe(200);
    expect(line.body).toMatchObject({ status: 'awaiting_validation', quantity: 3, unitPriceCents: 1999, billingPeriod: 'monthly' });
    const listed = await http(sys.apiUrl, 'GET', '/seller/lines?status=awaiting_validation', { key: s.key });
    expect(listed.body.items.find((l: { lineId: string }) => l.lineId === seats.id)).toMatchObject({ quantity: 3, unitPriceCents: 1999 });
  });

  it('PRT-6: an offer\u2019s volume tier comes off the unit price from its quantity on, for every buyer: 34 web hostings at 201.25 EUR, 35 at 150.94', async () => {
    const s = await freshSeller(sys.db);
    const hosting = await offer(s, { priceCents: 20125 });
    await sys.db.offer.update({ where: { id: hosting }, data: { volumeTiers: [{ fromQuantity: 35, discountBp: 2500 }] } });
    const below = await placed(s, [{ offerId: hosting, quantity: 34 }]);
    const at = await placed(s, [{ offerId: hosting, quantity: 35 }]);
    const [b] = await linesWithSeller(below.orderId);
    const [a] = await linesWithSeller(at.orderId);
    expect(b).toMatchObject({ quantity: 34, unitPriceCents: 20125, priceCents: 34 * 20125 });
    // 201.25 − 25 % = 150.9375 → 150.94 (half-up), × 35 = 5,282.90.
    expect(a).toMatchObject({ quantity: 35, unitPriceCents: 15094, priceCents: 35 * 15094 });
    expect((await sys.db.payment.findUniqueOrThrow({ where: { id: checkoutPaymentId(at.orderId) } })).amountCents).toBe(a.totalCents);
  });

  it('X-5, quantities: a quantity outside 1..10000 or not whole is a 400 naming lines.N.quantity', async () => {
    const s = await freshSeller(sys.db);
    for (const quantity of [0, 10_001, 1.5]) {
      const res = await checkout(s, [{ offerId: s.offerId }, { offerId: s.offerId, quantity }]);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.lines.1.quantity']);
    }
  });
});

describe('the charity and education discount at checkout (POL-3)', () => {
  it('POL-3: an eligible offer bought by a signed-in customer with a valid verification is 20 % off, as its own invoice line; charge, invoice and ledger agree to the cent', async () => {
    const s = await freshSeller(sys.db);
    const eligible = await offer(s, { priceCents: 1999, discountEligible: true });
    const buyer = await customer(new Date(Date.now() + 30 * DAY));
    const order = await placed(s, [{ offerId: eligible, quantity: 3 }], buyer);
    const [line] = await linesWithSeller(order.orderId);
    // 59.97 less 20 % (11.994 → 11.99) = 47.98; VAT per invoice line: 11.99 − 2.40 (−2.398) = 9.59,
    // a cent less than VAT on 47.98 (9.596 → 9.60): the charge follows the invoice.
    expect(line).toMatchObject({ quantity: 3, unitPriceCents: 1999, discountBp: 2000, discountKind: 'education', priceCents: 4798, vatCents: 959, totalCents: 5757 });
    expect(order.totalCents).toBe(5757);
    expect((await sys.db.payment.findUniqueOrThrow({ where: { id: checkoutPaymentId(order.orderId) } })).amountCents).toBe(5757);
    const invoice = await invoiceOf(order.orderId, s.sellerId);
    expect(invoice.lines.map((l) => [l.description.replace(/ \(order .*\)$/, ''), l.quantity, l.unitExclVatCents, l.exclVatCents, l.vatCents])).toEqual([
      [`Offer ${eligible}, period 1`, 3, 1999, 5997, 1199],
      ['education discount 20 % (POL-3)', 1, -1199, -1199, -240],
    ]);
    expect(invoice.totalCents).toBe(5757);
    // The PDF a reader opens shows the discount line and the total charged.
    const pdf = await fetch(`${sys.apiUrl}/invoices/${encodeURIComponent(invoice.id)}/pdf`, { headers: { authorization: `Bearer ${buyer.key}` } });
    expect(pdf.status).toBe(200);
    const text = (await pdfText(Buffer.from(await pdf.arrayBuffer()))).replace(/\s+/g, '');
    for (const shown of ['educationdiscount20%(POL-3)', '-11.99', '57.57']) expect(text).toContain(shown);
    expect(await capturedByLine(order.orderId)).toEqual({ [line.id]: 5757 });
    const view = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: buyer.key });
    expect(view.body.lines[0]).toMatchObject({ discountBp: 2000, discountKind: 'education' });
  });

  it('POL-3: no discount with an expired verification, on an offer its seller did not make eligible, or for an anonymous checkout of a verified address (X-8)', async () => {
    const s = await freshSeller(sys.db);
    const eligible = await offer(s, { priceCents: 1000, discountEligible: true });
    const ineligible = await offer(s, { priceCents: 1000 });
    const lapsed = await customer(new Date(Date.now() - 1000));
    const verified = await customer(new Date(Date.now() + 30 * DAY));
    const orders = [
      await placed(s, [{ offerId: eligible }], lapsed),
      await placed(s, [{ offerId: ineligible }], verified),
      await placed(s, [{ offerId: eligible }], { email: verified.email }),
    ];
    for (const o of orders) {
      expect(o.totalCents).toBe(1200);
      expect(await sys.db.orderLine.findFirstOrThrow({ where: { orderId: o.orderId } })).toMatchObject({ discountBp: 0, discountKind: null, priceCents: 1000, totalCents: 1200 });
    }
  });
});

describe('free trials at checkout (POL-1)', () => {
  it('POL-1: a mixed order charges only the lines without a trial; the trial line has no invoice line and no ledger movement, and goes to its seller with its trial end', async () => {
    const s = await freshSeller(sys.db);
    const trial = await offer(s, { priceCents: 5000, trialDays: 30 });
    const order = await placed(s, [{ offerId: trial, quantity: 2 }, { offerId: s.offerId }]);
    expect(order.lines.map((l) => l.totalCents)).toEqual([0, 1200]);
    expect(order).toMatchObject({ totalExclVatCents: 1000, totalVatCents: 200, totalCents: 1200 });
    const [trialLine, paidLine] = await linesWithSeller(order.orderId);
    // What the line will cost once the trial ends, kept for its conversion; nothing charged now.
    expect(trialLine).toMatchObject({ quantity: 2, unitPriceCents: 5000, priceCents: 10_000, vatCents: 2000, totalCents: 0 });
    // 30 days after the order was placed, at the same Paris wall-clock time.
    const { createdAt } = await sys.db.order.findUniqueOrThrow({ where: { id: order.orderId } });
    expect(trialLine.trialEndsAt!.toISOString()).toBe(trialEnd(createdAt.toISOString(), 30, businessTimeZone()));
    expect(paidLine.trialEndsAt).toBeNull();
    expect((await sys.db.payment.findUniqueOrThrow({ where: { id: checkoutPaymentId(order.orderId) } })).amountCents).toBe(1200);
    const invoice = await invoiceOf(order.orderId, s.sellerId);
    expect(invoice.lines).toHaveLength(1);
    expect(invoice.totalCents).toBe(1200);
    expect(await capturedByLine(order.orderId)).toEqual({ [paidLine.id]: 1200 });
    expect(await sys.db.ledgerTransfer.count({ where: { lineId: trialLine.id } })).toBe(0);
    const view = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}`, { key: DEMO_KEYS.ops });
    expect(view.body.lines[0]).toMatchObject({ totalCents: 0, trialEndsAt: trialLine.trialEndsAt!.toISOString() });

    // Refused by its seller: nothing was charged, so nothing is refunded and no credit note issued.
    const refused = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${trialLine.id}/refuse`, { key: s.key, body: { reason: 'no capacity' } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refused.body).toMatchObject({ status: 'refused', trialEndsAt: trialLine.trialEndsAt!.toISOString() });
    expect(await sys.db.refund.count({ where: { lineId: trialLine.id } })).toBe(0);
    expect(await sys.db.invoice.count({ where: { orderId: order.orderId, kind: 'credit_note' } })).toBe(0);
  });

  it('POL-1: an order of trial lines only verifies the card instead of charging it: paid, no payment, no invoice, no ledger movement; the lines go to their seller', async () => {
    const s = await freshSeller(sys.db);
    const trial = await offer(s, { priceCents: 5000, trialDays: 14 });
    const order = await placed(s, [{ offerId: trial }]);
    expect(order.totalCents).toBe(0);
    const [line] = await linesWithSeller(order.orderId);
    expect(line.trialEndsAt).not.toBeNull();
    expect(await sys.db.order.findUniqueOrThrow({ where: { id: order.orderId } })).toMatchObject({ status: 'paid', totalCents: 0 });
    expect(await sys.db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: checkoutVerificationKey(order.orderId) } })).toMatchObject({ kind: 'verify', status: 'verified' });
    expect(await sys.db.payment.count({ where: { orderId: order.orderId } })).toBe(0);
    expect(await sys.db.sandboxTransaction.count({ where: { idempotencyKey: { startsWith: checkoutPaymentId(order.orderId) } } })).toBe(0);
    expect(await sys.db.ledgerTransfer.count({ where: { lineId: line.id } })).toBe(0);
    // The purchase order went out; no invoice was issued, since nothing was paid.
    await eventually(() => sys.db.email.findUnique({ where: { id: `order:${order.orderId}:purchase-order` } }).then((e) => e?.status === 'sent'), 20_000, 'purchase order sent');
    expect(await sys.db.invoice.count({ where: { orderId: order.orderId, kind: 'invoice' } })).toBe(0);
    const audit = await sys.db.auditLog.findFirstOrThrow({ where: { orderId: order.orderId, action: 'order.paid' } });
    expect(JSON.parse(audit.data)).toMatchObject({ amountCents: 0, cardVerification: expect.stringMatching(/^cv_/) });
  });

  it('POL-1: an order of trial lines whose card verification is declined fails as a declined charge: 402, the order and lines payment_failed, nothing reaches the seller', async () => {
    const s = await freshSeller(sys.db);
    const trial = await offer(s, { priceCents: 5000, trialDays: 14 });
    const res = await checkout(s, [{ offerId: trial }], { card: TEST_CARDS.insufficientFunds });
    expect(res.status, JSON.stringify(res.body)).toBe(402);
    expect(res.body).toMatchObject({ code: 'insufficient_funds' });
    expect(await sys.db.order.findUniqueOrThrow({ where: { id: res.body.orderId } })).toMatchObject({ status: 'payment_failed', failureCode: 'insufficient_funds', customerId: null });
    expect((await sys.db.orderLine.findMany({ where: { orderId: res.body.orderId } })).map((l) => l.status)).toEqual(['payment_failed']);
    expect(await sys.db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: checkoutVerificationKey(res.body.orderId) } })).toMatchObject({ kind: 'verify', status: 'declined' });
  });

  it('POL-1, X-3: the sandbox verifies a card once per key: a repeat answers the same, a declining card declines it, and the key cannot be reused for a charge', async () => {
    const gateway = sys.activityDeps.gateway;
    const good = await saveTestCard(sys, TEST_CARDS.success);
    const key = `test-verify-${randomUUID()}`;
    const request = { idempotencyKey: key, cardToken: good.token, currency: 'EUR', description: 'trial' };
    const first = await gateway.verifyCard(request);
    expect(first).toMatchObject({ status: 'verified', reference: expect.stringMatching(/^cv_/) });
    expect(await gateway.verifyCard(request)).toEqual(first);
    await expect(gateway.charge({ ...request, amountCents: 100 })).rejects.toMatchObject({ name: 'GatewayError', code: 'idempotency_key_reused' } satisfies Partial<GatewayError>);
    const stolen = await saveTestCard(sys, TEST_CARDS.stolen);
    expect(await gateway.verifyCard({ ...request, idempotencyKey: `${key}-2`, cardToken: stolen.token })).toEqual({ status: 'declined', code: 'stolen_card', message: 'The card was reported stolen.', hard: true });
  });
});
