// The commercial policies a running subscription applies, on the time-skipping server: the free
// trial and its conversion (POL-1), the renewal price cap with its 30 days' notice (POL-2), the
// charity or education discount decided again at each renewal (POL-3), multi-year anniversaries
// (POL-6) and quantity changes (increase prorated at once, decrease at the renewal).
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { checkoutInvoiceId } from '../activities/invoices';
import { dueDate, type BillingPeriod } from '../domain/calendar';
import { lineCharge, noticeInstant, proratedCents, trialEnd } from '../domain/commercial-policy';
import { lineAmounts } from '../domain/money';
import { plusDays, priceAppliesFrom, proratedLines, renewalUnitPrice } from '../domain/subscription';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { creditNoteId } from '../activities/invoices';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { subscriptionStateQuery, subscriptionWorkflow, subscriptionWorkflowId, terminateUpdate } from '../workflows/subscription';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { emailSent, newIdempotencyKey } from './support/orders';
import { DAY, HOUR, MINUTE, deleteNow, seedPaidLine, waitState, type SeededLine } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const TZ = 'Europe/Paris';
const handleOf = (line: SeededLine) => env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId));
const stateOf = (line: SeededLine) => handleOf(line).query(subscriptionStateQuery);
const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();

async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/** An offer of its own (its price changes touch no other test): a yearly one unless told, 100.00 + 20 % VAT. */
async function ownOffer(data: { billingPeriod?: string; allowedPeriods?: string[]; discountEligible?: boolean } = {}): Promise<string> {
  const id = `off_pol_${randomUUID().slice(0, 8)}`;
  await sys.db.offer.create({
    data: { id, sellerId: DEMO.sellers.acme.id, name: `Policy test ${id}`, priceCents: 10_000, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'annual', commitmentMonths: 0, ...data },
  });
  return id;
}
const setPrice = (offerId: string, priceCents: number) => sys.db.offer.update({ where: { id: offerId }, data: { priceCents } });

/**
 * A line as checkout writes it (the contract of issue 15) and its Subscription workflow started.
 * A trial line paid nothing: its checkout share is 0.
 */
async function subscribe(
  offerId: string,
  opts: { paidAt?: string; period?: BillingPeriod; quantity?: number; trialDays?: number; discount?: { bp: number; kind: string }; sameCustomerAs?: SeededLine; renewalCard?: string } = {},
): Promise<SeededLine> {
  const line = await seedPaidLine(sys, { paidAt: opts.paidAt ?? (await nowIso()), offerId, sameCustomerAs: opts.sameCustomerAs, renewalCard: opts.renewalCard });
  const offer = await sys.db.offer.findUniqueOrThrow({ where: { id: offerId } });
  const period = opts.period ?? (offer.billingPeriod as BillingPeriod);
  const unit = period === 'biennial' ? offer.priceCents * 2 : period === 'triennial' ? offer.priceCents * 3 : offer.priceCents;
  const quantity = opts.quantity ?? 1;
  const charge = lineCharge({ name: offer.name, unitPriceCents: unit, quantity, discountBp: opts.discount?.bp ?? 0, discountKind: opts.discount?.kind ?? null, vatRateBp: offer.vatRateBp });
  const trialEndsAt = opts.trialDays ? trialEnd(line.paidAt, opts.trialDays, TZ) : null;
  await sys.db.orderLine.update({
    where: { id: line.lineId },
    data: {
      billingPeriod: period,
      quantity,
      unitPriceCents: unit,
      discountBp: opts.discount?.bp ?? 0,
      discountKind: opts.discount?.kind ?? null,
      priceCents: charge.amounts.exclVatCents,
      vatCents: charge.amounts.vatCents,
      totalCents: trialEndsAt ? 0 : charge.amounts.totalCents,
      trialEndsAt: trialEndsAt ? new Date(trialEndsAt) : null,
    },
  });
  await env.client.workflow.start(subscriptionWorkflow, {
    taskQueue: sys.taskQueue,
    workflowId: subscriptionWorkflowId(line.lineId),
    args: [{ subscriptionId: line.lineId, orderId: line.orderId, customerId: line.customerId, sellerId: line.sellerId, anchor: line.paidAt }],
  });
  await waitState(env.client, line.lineId, (s) => s.status === (trialEndsAt ? 'trialing' : 'active'));
  await eventually(async () => (await sys.db.subscription.findUnique({ where: { id: line.lineId } })) !== null, 20_000, 'subscription row');
  return line;
}

const payment = (line: SeededLine, id: string) => sys.db.payment.findUnique({ where: { id: `sub:${line.lineId}:${id}` } });
const invoiceLines = async (id: string) => JSON.parse((await sys.db.invoice.findUniqueOrThrow({ where: { id } })).lines) as { description: string; quantity: number; exclVatCents: number; totalCents: number }[];
const period = (line: SeededLine, n: number) => waitState(env.client, line.lineId, (s) => s.paidPeriods >= n, `period ${n}`);

describe('POL-1 free trials', () => {
  it('POL-1: a 30-day trial charges nothing and has no checkout invoice, reminds 7 days and 1 day before its end, then converts by charging period 1 anchored at its end', async () => {
    const offerId = await ownOffer({ billingPeriod: 'monthly' });
    const line = await subscribe(offerId, { trialDays: 30 });
    const end = trialEnd(line.paidAt, 30, TZ);
    const s = await stateOf(line);
    expect(s).toMatchObject({ status: 'trialing', trialEndsAt: end, anchor: end, nextDueAt: end, paidPeriods: 0, periods: [] });
    expect(await sys.db.invoice.findUnique({ where: { id: checkoutInvoiceId(line.orderId, line.sellerId) } })).toBeNull();

    for (const days of [7, 1]) {
      const remindAt = plusDays(end, -days, TZ);
      await sleepUntil(remindAt, -MINUTE);
      expect(await sys.db.email.findUnique({ where: { id: `sub:${line.lineId}:trial-reminder:${days}` } })).toBeNull();
      await sleepUntil(remindAt, MINUTE);
      const mail = await emailSent(sys.db, `sub:${line.lineId}:trial-reminder:${days}`);
      expect(mail.email.text).toContain(`in ${days} ${days === 1 ? 'day' : 'days'}`);
      expect(mail.email.text).toContain('120.00');
    }

    await sleepUntil(end, -MINUTE);
    expect((await stateOf(line)).status).toBe('trialing');
    expect(await sys.db.payment.count({ where: { lineId: line.lineId } })).toBe(0);
    await sleepUntil(end, MINUTE);
    const converted = await period(line, 1);
    expect(converted).toMatchObject({ status: 'active', paidPeriods: 1, nextDueAt: dueDate(end, 'monthly', 1, TZ) });
    expect(converted.periods).toEqual([expect.objectContaining({ n: 1, start: end, end: dueDate(end, 'monthly', 1, TZ), amountCents: 12_000 })]);
    expect(await payment(line, 'period:1')).toMatchObject({ status: 'captured', amountCents: 12_000 });
    expect(await sys.db.invoice.findUnique({ where: { id: `sub:${line.lineId}:period:1` } })).toMatchObject({ totalCents: 12_000 });
    await deleteNow(env.client, sys, line);
  });

  it('POL-1: a trial terminated before its end ends at its end with nothing charged; the reminder due after the termination is not sent', async () => {
    const offerId = await ownOffer({ billingPeriod: 'monthly' });
    const line = await subscribe(offerId, { trialDays: 30 });
    const end = trialEnd(line.paidAt, 30, TZ);
    await sleepUntil(plusDays(end, -7, TZ), MINUTE);
    await emailSent(sys.db, `sub:${line.lineId}:trial-reminder:7`);
    await sleepUntil(plusDays(end, -3, TZ));
    const answer = await handleOf(line).executeUpdate(terminateUpdate);
    expect(answer.effectiveAt).toBe(end);
    expect(answer.state).toMatchObject({ status: 'trialing', pendingTermination: { effectiveAt: end } });

    await sleepUntil(end, MINUTE);
    const ended = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
    expect(ended).toMatchObject({ endReason: 'terminated', endedAt: end, paidPeriods: 0 });
    expect(await sys.db.email.findUnique({ where: { id: `sub:${line.lineId}:trial-reminder:1` } })).toBeNull();
    expect(await sys.db.payment.count({ where: { lineId: line.lineId } })).toBe(0);
    expect(await sys.db.sandboxTransaction.count({ where: { idempotencyKey: { startsWith: `sub:${line.lineId}:` } } })).toBe(0);
    expect(await sys.db.invoice.count({ where: { paymentId: { startsWith: `sub:${line.lineId}:` } } })).toBe(0);
  });

  it('POL-1, SUB-5: a conversion declined at the trial end makes the subscription past due for period 1, with its retries', async () => {
    const offerId = await ownOffer({ billingPeriod: 'monthly' });
    const line = await subscribe(offerId, { trialDays: 14, renewalCard: TEST_CARDS.declined });
    const end = trialEnd(line.paidAt, 14, TZ);
    await sleepUntil(end, MINUTE);
    const pastDue = await waitState(env.client, line.lineId, (s) => s.status === 'past_due');
    expect(pastDue).toMatchObject({ paidPeriods: 0, pastDue: { period: 1, dueAt: end, retryAt: [1, 3, 7].map((d) => plusDays(end, d, TZ)) } });
    await emailSent(sys.db, `sub:${line.lineId}:period:1:payment-failed:1`);
    await sleepUntil(plusDays(end, 7, TZ), MINUTE);
    expect(await waitState(env.client, line.lineId, (s) => s.status === 'terminated')).toMatchObject({ endReason: 'non_payment', paidPeriods: 0 });
  });

  it('POL-1, SUB-11: a withdrawal during the trial ends it at once with nothing to refund', async () => {
    const offerId = await ownOffer({ billingPeriod: 'monthly' });
    const line = await subscribe(offerId, { trialDays: 30 });
    await sleepUntil(line.paidAt, 3 * DAY);
    const res = await http(sys.apiUrl, 'POST', `/orders/${line.orderId}/withdraw`, { key: line.customerKey, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await waitState(env.client, line.lineId, (s) => s.status === 'terminated')).toMatchObject({ endReason: 'withdrawn', paidPeriods: 0 });
    expect(await sys.db.refund.count({ where: { lineId: line.lineId } })).toBe(0);
  });
});

describe('POL-4 with SUB-11', () => {
  it('POL-4, SUB-11: a withdrawal after a partial seller refund refunds only the rest of the payment, on a credit note for that rest', async () => {
    const offerId = await ownOffer();
    const line = await subscribe(offerId);
    const paymentId = `order:${line.orderId}:checkout`;
    const partial = await http(sys.apiUrl, 'POST', `/seller/subscriptions/${line.lineId}/refunds`, {
      key: DEMO_KEYS.sellerAcme,
      body: { paymentId, amountCents: 503, reason: 'Outage' },
      headers: { 'idempotency-key': newIdempotencyKey() },
    });
    expect(partial.status, JSON.stringify(partial.body)).toBe(201);
    const res = await http(sys.apiUrl, 'POST', `/orders/${line.orderId}/withdraw`, { key: line.customerKey, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await waitState(env.client, line.lineId, (s) => s.status === 'terminated');
    const refundId = `line:${line.lineId}:withdrawal:${paymentId}`;
    expect(await sys.db.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({ amountCents: 12_000 - 503 });
    expect(await sys.db.invoice.findUniqueOrThrow({ where: { id: creditNoteId(refundId) } })).toMatchObject({ kind: 'credit_note', totalCents: 12_000 - 503 });
    expect((await sys.db.refund.aggregate({ where: { paymentId, lineId: line.lineId }, _sum: { amountCents: true } }))._sum.amountCents).toBe(12_000);
  });
});

describe('POL-2 renewal price cap and notice', () => {
  it('POL-2 (H): a rise applies from the first renewal whose notice instant (30 days before) is not before the announcement', () => {
    const anchor = '2027-01-10T09:00:00.000Z';
    const due = dueDate(anchor, 'annual', 1, TZ);
    const at = (iso: string) => priceAppliesFrom({ anchor, period: 'annual', zone: TZ, paidPeriods: 1, nextDueAt: due, announcedAt: iso });
    expect(at(noticeInstant(due, TZ))).toBe(due);
    expect(at(new Date(Date.parse(noticeInstant(due, TZ)) + 1).toISOString())).toBe(dueDate(anchor, 'annual', 2, TZ));
    expect(at(plusDays(due, -29, TZ))).toBe(dueDate(anchor, 'annual', 2, TZ));
  });

  it('POL-2: a capped rise never falls below the price in force (a monthly base 12 months back may be lower); a lower price passes as is', () => {
    expect(renewalUnitPrice({ currentCents: 1070, proposedCents: 1100, baseCents: 900, period: 'monthly' })).toBe(1070);
    expect(renewalUnitPrice({ currentCents: 1000, proposedCents: 1100, baseCents: 1000, period: 'monthly' })).toBe(1070);
    expect(renewalUnitPrice({ currentCents: 30_000, proposedCents: 40_000, baseCents: 30_000, period: 'triennial' })).toBe(36_751);
    expect(renewalUnitPrice({ currentCents: 1070, proposedCents: 900, baseCents: 1000, period: 'annual' })).toBe(900);
  });

  it('POL-2: a 10 % rise is capped to 7 % (announced 30 days before, charged and invoiced); a 5 % rise passes as is', async () => {
    const [ten, five] = [await ownOffer(), await ownOffer()];
    const lineTen = await subscribe(ten);
    const lineFive = await subscribe(five, { sameCustomerAs: lineTen });
    await setPrice(ten, 11_000);
    await setPrice(five, 10_500);
    const due = (await stateOf(lineTen)).nextDueAt!;
    await sleepUntil(noticeInstant(due, TZ), -HOUR + MINUTE);
    const announced = await waitState(env.client, lineTen.lineId, (s) => s.nextPrice !== null, 'announced');
    expect(announced.nextPrice).toMatchObject({ unitPriceCents: 10_700, from: due });
    expect(Date.parse(announced.nextPrice!.announcedAt)).toBeLessThanOrEqual(Date.parse(noticeInstant(due, TZ)));
    const mail = await emailSent(sys.db, `sub:${lineTen.lineId}:price-change:${announced.nextPrice!.announcedAt}`);
    expect(mail.email.text).toContain('107.00');
    const dueFive = (await stateOf(lineFive)).nextDueAt!;
    expect((await waitState(env.client, lineFive.lineId, (s) => s.nextPrice !== null)).nextPrice).toMatchObject({ unitPriceCents: 10_500, from: dueFive });

    await sleepUntil(dueFive, MINUTE);
    const renewed = await period(lineTen, 2);
    // The rest of the rise (110.00 is within 7 % of 107.00) is announced at once for the next anniversary.
    expect(renewed).toMatchObject({ unitPriceCents: 10_700, priceCents: 10_700, nextPrice: { unitPriceCents: 11_000, from: dueDate(lineTen.paidAt, 'annual', 2, TZ) } });
    expect(await payment(lineTen, 'period:2')).toMatchObject({ amountCents: 12_840 });
    expect((await invoiceLines(`sub:${lineTen.lineId}:period:2`)).map((l) => l.exclVatCents)).toEqual([10_700]);
    await period(lineFive, 2);
    expect(await payment(lineFive, 'period:2')).toMatchObject({ amountCents: 12_600 });
    await deleteNow(env.client, sys, lineTen);
    await deleteNow(env.client, sys, lineFive);
  });

  it('POL-2 (H): a rise made before the check 30 days before the renewal applies at it; one made 29 days before applies only at the following renewal', async () => {
    const [early, late] = [await ownOffer(), await ownOffer()];
    const lineEarly = await subscribe(early);
    const lineLate = await subscribe(late, { sameCustomerAs: lineEarly });
    const due = (await stateOf(lineEarly)).nextDueAt!;
    await sleepUntil(noticeInstant(due, TZ), -2 * HOUR);
    await setPrice(early, 10_500);
    await sleepUntil(plusDays(due, -29, TZ));
    await setPrice(late, 10_500);
    expect((await stateOf(lineLate)).nextPrice).toBeNull();

    await sleepUntil(due, MINUTE);
    await period(lineEarly, 2);
    expect(await payment(lineEarly, 'period:2')).toMatchObject({ amountCents: 12_600 });
    const late2 = await period(lineLate, 2);
    expect(await payment(lineLate, 'period:2')).toMatchObject({ amountCents: 12_000 });
    const due2 = dueDate(lineLate.paidAt, 'annual', 2, TZ);
    expect(late2).toMatchObject({ unitPriceCents: 10_000, nextPrice: { unitPriceCents: 10_500, from: due2 } });
    await emailSent(sys.db, `sub:${lineLate.lineId}:price-change:${late2.nextPrice!.announcedAt}`);
    await deleteNow(env.client, sys, lineEarly);

    await sleepUntil(due2, MINUTE);
    await period(lineLate, 3);
    expect(await payment(lineLate, 'period:3')).toMatchObject({ amountCents: 12_600 });
    await deleteNow(env.client, sys, lineLate);
  });

  it('POL-2: a 20 % rise reaches the price over two consecutive years, 7 % a year compounded (107.00, then 114.49)', async () => {
    const offerId = await ownOffer();
    const line = await subscribe(offerId);
    await setPrice(offerId, 12_000);
    const due = (await stateOf(line)).nextDueAt!;
    await sleepUntil(due, MINUTE);
    const year2 = await period(line, 2);
    expect(year2.unitPriceCents).toBe(10_700);
    // The rest of the rise is announced at once, for the next anniversary.
    const due2 = dueDate(line.paidAt, 'annual', 2, TZ);
    expect(year2.nextPrice).toMatchObject({ unitPriceCents: 11_449, from: due2 });
    await sleepUntil(due2, MINUTE);
    const year3 = await period(line, 3);
    expect(year3.unitPriceCents).toBe(11_449);
    expect(await payment(line, 'period:3')).toMatchObject({ amountCents: lineAmounts(11_449, 2000).totalCents });
    await deleteNow(env.client, sys, line);
  });

  it('POL-2: a decrease applies at the next renewal without notice', async () => {
    const offerId = await ownOffer();
    const line = await subscribe(offerId);
    const due = (await stateOf(line)).nextDueAt!;
    await sleepUntil(due, -DAY);
    await setPrice(offerId, 9_000);
    await sleepUntil(due, MINUTE);
    expect((await period(line, 2)).unitPriceCents).toBe(9_000);
    expect(await payment(line, 'period:2')).toMatchObject({ amountCents: 10_800 });
    await deleteNow(env.client, sys, line);
  });
});

describe('POL-3 discount at each renewal', () => {
  async function verify(line: SeededLine, expiresAt: string): Promise<void> {
    await sys.db.customerVerification.create({ data: { id: `ver_${randomUUID().slice(0, 8)}`, customerId: line.customerId, kind: 'charity', evidenceRef: 'RNA W123456789', expiresAt: new Date(expiresAt), recordedBy: 'staff:test' } });
  }

  it('POL-3: a verified customer keeps 20 % off at the renewal, as its own invoice line; a verification expired by the renewal gives the full price', async () => {
    const offerId = await ownOffer({ discountEligible: true });
    const kept = await subscribe(offerId, { discount: { bp: 2000, kind: 'charity' } });
    const due = (await stateOf(kept)).nextDueAt!;
    await verify(kept, plusDays(due, 365, TZ));
    const lapsed = await subscribe(offerId, { discount: { bp: 2000, kind: 'charity' } });
    await verify(lapsed, plusDays(due, -1, TZ));

    await sleepUntil(due, MINUTE);
    expect(await period(kept, 2)).toMatchObject({ discount: { bp: 2000, kind: 'charity' }, priceCents: 8_000 });
    expect(await payment(kept, 'period:2')).toMatchObject({ amountCents: 9_600 });
    const lines = await invoiceLines(`sub:${kept.lineId}:period:2`);
    expect(lines.map((l) => [l.quantity, l.exclVatCents])).toEqual([[1, 10_000], [1, -2_000]]);
    expect(lines[1].description).toContain('charity discount 20 %');
    expect(await period(lapsed, 2)).toMatchObject({ discount: null, priceCents: 10_000 });
    expect(await payment(lapsed, 'period:2')).toMatchObject({ amountCents: 12_000 });
    expect(await invoiceLines(`sub:${lapsed.lineId}:period:2`)).toHaveLength(1);
    await deleteNow(env.client, sys, kept);
    await deleteNow(env.client, sys, lapsed);
  });
});

describe('quantities', () => {
  it('quantities: each charge line of the added units, the discount line too, is prorated on its own; the charge is their sum with VAT per line', () => {
    const lines = lineCharge({ name: 'Seats', unitPriceCents: 10_000, quantity: 3, discountBp: 2000, discountKind: 'education', vatRateBp: 2000 }).lines;
    const half = proratedLines(lines, 1, 2);
    expect(half.lines.map((l) => l.exclVatCents)).toEqual([15_000, -3_000]);
    expect(half.amounts).toEqual({ exclVatCents: 12_000, vatCents: 2_400, totalCents: 14_400 });
    // A third of 1 cent rounds to 0; two thirds to 1 (half-up once).
    expect(proratedLines([{ description: 'x', quantity: 1, exclVatCents: 1, vatRateBp: 0 }], 1, 3).amounts.totalCents).toBe(0);
    expect(proratedLines([{ description: 'x', quantity: 1, exclVatCents: 1, vatRateBp: 0 }], 2, 3).amounts.totalCents).toBe(1);
  });

  it('quantities: an increase mid-period is charged at once for the rest of the period, prorated to the cent, with its invoice; a decrease takes effect at the renewal', async () => {
    const offerId = await ownOffer();
    const line = await subscribe(offerId, { quantity: 2 });
    const first = await stateOf(line);
    await sleepUntil(first.anchor, 100 * DAY);
    const up = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/quantity`, { key: line.customerKey, body: { quantity: 5 } });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    const charge = up.body.state.quantityCharges[0];
    const extra = proratedCents(3 * 10_000, Date.parse(first.nextDueAt!) - Date.parse(charge.at), Date.parse(first.nextDueAt!) - Date.parse(first.anchor));
    expect(charge).toMatchObject({ n: 1, from: 2, to: 5, paymentId: `sub:${line.lineId}:quantity:1`, amountCents: lineAmounts(extra, 2000).totalCents });
    // 265 of 365 (or 266 of 366) days left: about 21 780 of 30 000.
    expect(extra).toBeGreaterThan(21_700);
    expect(extra).toBeLessThan(21_850);
    expect(up.body.state).toMatchObject({ quantity: 5, priceCents: 50_000 });
    expect(await payment(line, 'quantity:1')).toMatchObject({ status: 'captured', kind: 'quantity', amountCents: charge.amountCents });
    expect(await sys.db.ledgerTransfer.count({ where: { batchId: `payment:sub:${line.lineId}:quantity:1:capture` } })).toBeGreaterThan(0);
    const invoice = await sys.db.invoice.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:quantity:1` } });
    expect(invoice.totalCents).toBe(charge.amountCents);
    expect((await invoiceLines(invoice.id)).map((l) => [l.quantity, l.exclVatCents])).toEqual([[3, extra]]);
    await emailSent(sys.db, `sub:${line.lineId}:quantity:1:invoice`);

    const down = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/quantity`, { key: line.customerKey, body: { quantity: 3 } });
    expect(down.status, JSON.stringify(down.body)).toBe(200);
    expect(down.body).toMatchObject({ effectiveAt: first.nextDueAt, state: { quantity: 5, pendingQuantity: { quantity: 3, effectiveAt: first.nextDueAt } } });
    expect(await payment(line, 'quantity:2')).toBeNull();
    const bad = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/quantity`, { key: line.customerKey, body: { quantity: 0 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.quantity');

    await sleepUntil(first.nextDueAt!, MINUTE);
    expect(await period(line, 2)).toMatchObject({ quantity: 3, pendingQuantity: null, priceCents: 30_000 });
    expect(await payment(line, 'period:2')).toMatchObject({ amountCents: 36_000 });
    expect((await invoiceLines(`sub:${line.lineId}:period:2`)).map((l) => [l.quantity, l.exclVatCents])).toEqual([[3, 30_000]]);
    await deleteNow(env.client, sys, line);
  });
});

describe('POL-6 multi-year periods', () => {
  it('POL-6: a 3-year subscription paid on 29 February renews on 28 February three years on, at the same Paris time, charged 3 years', async () => {
    const offerId = await ownOffer({ allowedPeriods: ['triennial'] });
    // The next 29 February of the test clock (earlier tests moved it years ahead).
    let year = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ }).year + 1;
    while (!DateTime.local(year, 1, 1).isInLeapYear) year += 1;
    const local = (y: number, day: number) => DateTime.fromObject({ year: y, month: 2, day, hour: 10 }, { zone: TZ }).toUTC().toISO()!;
    const line = await subscribe(offerId, { paidAt: local(year, 29), period: 'triennial' });
    const renewal = local(year + 3, 28);
    expect(await stateOf(line)).toMatchObject({ billingPeriod: 'triennial', unitPriceCents: 30_000, nextDueAt: renewal });
    await sleepUntil(renewal, -MINUTE);
    expect((await stateOf(line)).paidPeriods).toBe(1);
    await sleepUntil(renewal, MINUTE);
    const renewed = await period(line, 2);
    expect(renewed.periods.at(-1)).toMatchObject({ n: 2, start: renewal, end: local(year + 6, 28), amountCents: 36_000 });
    await deleteNow(env.client, sys, line);
  });
});
