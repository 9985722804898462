// The subscription lifecycle on the time-skipping server: automatic renewal and its invoice
// (SUB-1, SUB-3, INV-1), card replacement (SUB-4), failed payments (SUB-5), termination (SUB-7,
// SUB-8, SUB-9), the state query (SUB-13), and a charge that survives a lost gateway reply.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO } from '../prisma/demo-data';
import { dueDate } from '../domain/calendar';
import { plusDays } from '../domain/subscription';
import { formatDateTime } from '../domain/time-format';
import {
  payNextPeriodUpdate,
  subscriptionStateQuery,
  subscriptionWorkflowId,
  terminateUpdate,
  updateCardUpdate,
  withdrawTerminationUpdate,
} from '../workflows/subscription';
import { emailSent } from './support/orders';
import { DAY, MINUTE, deleteNow, seedPaidLine, startSubscription, waitState, type SeededLine, saveTestCard } from './support/subscriptions';
import type { TestSystem } from './support/system';

/** A card saved with the gateway, as the API saves one, for the updateCard Update (X-7: by id). */
async function card(number: string, last4?: string): Promise<{ cardId: string; last4: string }> {
  const saved = await saveTestCard(sys, number);
  return { cardId: saved.cardId, last4: last4 ?? saved.last4 };
}

/** The gateway token of a saved card (never in a workflow's history: only its id is). */
async function tokenOf(cardId: string): Promise<string> {
  return (await sys.db.paymentCard.findUniqueOrThrow({ where: { id: cardId } })).token;
}

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const TZ = 'Europe/Paris';
const handleOf = (line: SeededLine) => env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId));
const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();

async function sleepUntil(iso: string, offsetMs = 0): Promise<void> {
  const ms = Date.parse(iso) + offsetMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

async function newSubscription(opts: Omit<Parameters<typeof seedPaidLine>[1], 'paidAt'> = {}): Promise<SeededLine> {
  const line = await seedPaidLine(sys, { paidAt: await nowIso(), ...opts });
  await startSubscription(env.client, sys, line);
  return line;
}

/** Ends a test's subscription so its later renewals do not load the rest of the file. */
async function stop(line: SeededLine): Promise<void> {
  await deleteNow(env.client, sys, line);
}

describe('renewal', () => {
  it('SUB-1, SUB-3, INV-1: auto-renewal by default at the due date on the saved card, with an invoice e-mailed', async () => {
    const line = await newSubscription();
    const s0 = await handleOf(line).query(subscriptionStateQuery);
    expect(s0).toMatchObject({ status: 'active', renewalMode: 'auto', paidPeriods: 1, card: { last4: '4242' } });
    expect(s0.nextDueAt).toBe(dueDate(line.paidAt, 'monthly', 1, TZ));

    await sleepUntil(s0.nextDueAt!, -MINUTE);
    expect((await handleOf(line).query(subscriptionStateQuery)).paidPeriods).toBe(1);
    expect(await sys.db.payment.count({ where: { lineId: line.lineId } })).toBe(0);

    await sleepUntil(s0.nextDueAt!, MINUTE);
    const s1 = await waitState(env.client, line.lineId, (s) => s.paidPeriods === 2);
    expect(s1.nextDueAt).toBe(dueDate(line.paidAt, 'monthly', 2, TZ));
    const payment = await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } });
    expect(payment).toMatchObject({ status: 'captured', amountCents: 2399, kind: 'renewal', period: 2 });
    const invoice = await sys.db.invoice.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } });
    expect(invoice).toMatchObject({ exclVatCents: 1999, vatCents: 400, totalCents: 2399, sellerId: 'sel_acme', customerId: line.customerId });
    const mail = await emailSent(sys.db, `sub:${line.lineId}:period:2:invoice`);
    expect(mail.email.toAddress).toBe(line.email);
    expect(mail.email.text).toContain(invoice.number);
    await stop(line);
  });
});

describe('price, card and state', () => {
  it('SUB-13: the state query shows status, next due date, price, renewal mode, card, commitment end, pending termination, paid periods', async () => {
    const line = await newSubscription({ offerId: DEMO.offers.acmeCrm.id });
    const s = await handleOf(line).query(subscriptionStateQuery);
    expect(s).toMatchObject({
      status: 'active',
      nextDueAt: dueDate(line.paidAt, 'monthly', 1, TZ),
      priceCents: 4900,
      vatRateBp: 2000,
      currency: 'EUR',
      renewalMode: 'auto',
      card: { last4: '4242' },
      commitmentEnd: dueDate(line.paidAt, 'monthly', 12, TZ),
      pendingTermination: null,
      paidPeriods: 1,
    });
    expect(s.periods).toEqual([expect.objectContaining({ n: 1, start: line.paidAt, end: s.nextDueAt })]);
    expect(s.historyLength).toBeGreaterThan(0);
    const row = await sys.db.subscription.findUniqueOrThrow({ where: { id: line.lineId } });
    expect(row).toMatchObject({ status: 'active', renewalMode: 'auto', paidPeriods: 1 });
    await stop(line);
  });

  it('SUB-3, POL-2: a renewal charges the price in force for the new period (a decrease needs no notice; rises: test/subscription-policies.test.ts)', async () => {
    const line = await newSubscription();
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(due, -DAY);
    await sys.db.offer.update({ where: { id: DEMO.offers.acmeMail.id }, data: { priceCents: 1899 } });
    try {
      await sleepUntil(due, MINUTE);
      const s = await waitState(env.client, line.lineId, (x) => x.paidPeriods === 2);
      expect(s.priceCents).toBe(1899);
      expect((await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } })).amountCents).toBe(1899 + 380);
    } finally {
      await sys.db.offer.update({ where: { id: DEMO.offers.acmeMail.id }, data: { priceCents: DEMO.offers.acmeMail.priceCents } });
      await stop(line);
    }
  });

  it('SUB-4, SUB-3, X-3: a replaced card is used by the next charge; a reply lost after capture is retried and charges the period once', async () => {
    const line = await newSubscription();
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    const replaced = await card(TEST_CARDS.failsOnceThenSucceeds, '0119');
    const answer = await handleOf(line).executeUpdate(updateCardUpdate, { args: [replaced] });
    expect(answer.state.card.last4).toBe('0119');
    await sleepUntil(due, MINUTE);
    await waitState(env.client, line.lineId, (x) => x.paidPeriods === 2);
    const paymentId = `sub:${line.lineId}:period:2`;
    // One attempt (X-3: its own gateway key), whose reply was lost once and retried under that key.
    const key = `${paymentId}:attempt:1`;
    const txs = await sys.db.sandboxTransaction.findMany({ where: { idempotencyKey: { startsWith: paymentId } } });
    expect(txs.map((t) => [t.idempotencyKey, t.kind])).toEqual([[key, 'charge']]);
    expect(txs[0].cardToken).toBe(await tokenOf(replaced.cardId));
    expect(await sys.db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: key } })).toMatchObject({ attempts: 2, status: 'captured' });
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ status: 'captured', gatewayKey: key, gatewayRef: txs[0].reference });
    expect(await sys.db.invoice.count({ where: { paymentId } })).toBe(1);
    await stop(line);
  });
});

describe('failed renewal payments', () => {
  it('SUB-5, SUB-4: a declined renewal makes it past_due with a card-update link; a new card before +3 days is charged at once', async () => {
    const line = await newSubscription({ renewalCard: TEST_CARDS.declined });
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(due, MINUTE);
    const pastDue = await waitState(env.client, line.lineId, (x) => x.status === 'past_due');
    expect(pastDue.pastDue).toMatchObject({
      period: 2,
      dueAt: due,
      retryAt: [1, 3, 7].map((d) => plusDays(due, d, TZ)),
      hardDeclined: false,
    });
    const failed = await emailSent(sys.db, `sub:${line.lineId}:period:2:payment-failed:1`);
    // A signed card-update link (api/signed-links.ts) that opens in a browser, not an API route.
    expect(failed.email.text).toMatch(/\/links\/card-update\/[A-Za-z0-9_.-]+/);

    await sleepUntil(due, DAY + MINUTE); // first retry, same card: declined again
    await waitState(env.client, line.lineId, (x) => x.pastDue?.attempts.length === 2);
    await sleepUntil(due, 2 * DAY);
    const replaced = await card(TEST_CARDS.success, '4242');
    const answer = await handleOf(line).executeUpdate(updateCardUpdate, { args: [replaced] });
    expect(answer.state).toMatchObject({ status: 'active', paidPeriods: 2, pastDue: null, nextDueAt: dueDate(line.paidAt, 'monthly', 2, TZ) });
    // each attempt had its own gateway key (a gateway replays a key's first answer, a decline
    // included): the two declines, then the new card's capture under a third key.
    const paymentId = `sub:${line.lineId}:period:2`;
    const attempts = await sys.db.sandboxAttempt.findMany({ where: { idempotencyKey: { startsWith: `${paymentId}:attempt:` } }, orderBy: { idempotencyKey: 'asc' } });
    expect(attempts.map((a) => [a.idempotencyKey, a.status])).toEqual([
      [`${paymentId}:attempt:1`, 'declined'],
      [`${paymentId}:attempt:2`, 'declined'],
      [`${paymentId}:attempt:3`, 'captured'],
    ]);
    const tx = await sys.db.sandboxTransaction.findUniqueOrThrow({ where: { idempotencyKey: `${paymentId}:attempt:3` } });
    expect(tx.cardToken).toBe(await tokenOf(replaced.cardId));
    expect(await sys.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ status: 'captured', gatewayKey: `${paymentId}:attempt:3`, gatewayRef: tx.reference });
    await stop(line);
  });

  it('SUB-5: retries at +1, +3 and +7 days all fail: terminated for non_payment, customer and seller e-mailed', async () => {
    const line = await newSubscription({ renewalCard: TEST_CARDS.insufficientFunds });
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(due, MINUTE);
    await waitState(env.client, line.lineId, (x) => x.pastDue?.attempts.length === 1);
    await sleepUntil(due, 3 * DAY + MINUTE);
    await waitState(env.client, line.lineId, (x) => x.pastDue?.attempts.length === 3);
    await sleepUntil(due, 7 * DAY - MINUTE);
    expect((await handleOf(line).query(subscriptionStateQuery)).status).toBe('past_due');
    await sleepUntil(due, 7 * DAY + MINUTE);
    const s = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
    expect(s).toMatchObject({ endReason: 'non_payment', paidPeriods: 1 });
    expect(s.pastDue?.attempts.map((a) => a.trigger)).toEqual(['due_date', 'scheduled_retry', 'scheduled_retry', 'scheduled_retry']);
    const customer = await emailSent(sys.db, `sub:${line.lineId}:ended:customer`);
    const seller = await emailSent(sys.db, `sub:${line.lineId}:ended:seller`);
    expect(customer.email.toAddress).toBe(line.email);
    expect(seller.email.toAddress).toBe(DEMO.sellers.acme.contactEmail);
    expect((await sys.db.subscription.findUniqueOrThrow({ where: { id: line.lineId } })).endReason).toBe('non_payment');
    expect(await sys.db.payment.count({ where: { lineId: line.lineId, status: 'captured' } })).toBe(0);
  });

  it('SUB-5: a hard decline (stolen card) is not retried until the card is replaced', async () => {
    const line = await newSubscription({ renewalCard: TEST_CARDS.stolen });
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(due, MINUTE);
    await waitState(env.client, line.lineId, (x) => x.pastDue?.hardDeclined === true);
    await sleepUntil(due, 4 * DAY);
    expect((await handleOf(line).query(subscriptionStateQuery)).pastDue?.attempts).toHaveLength(1);
    const answer = await handleOf(line).executeUpdate(updateCardUpdate, { args: [await card(TEST_CARDS.success, '4242')] });
    expect(answer.state).toMatchObject({ status: 'active', paidPeriods: 2 });
    await stop(line);
  });
});

describe('termination', () => {
  it('SUB-7: requested 24h00 before the due date: no renewal, the service ends at that due date', async () => {
    const line = await newSubscription();
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(due, -(DAY + 2000)); // 24h00 (+2 s of margin for the update's own latency)
    const answer = await handleOf(line).executeUpdate(terminateUpdate);
    expect(answer.effectiveAt).toBe(due);
    expect(answer.state.pendingTermination).toMatchObject({ effectiveAt: due });
    const mail = await emailSent(sys.db, `sub:${line.lineId}:termination:${answer.state.pendingTermination!.requestedAt}`);
    expect(mail.email.text).toContain(formatDateTime(due)); // in Paris time, as the customer reads it
    await sleepUntil(due, MINUTE);
    const s = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
    expect(s).toMatchObject({ endReason: 'terminated', endedAt: due, paidPeriods: 1 });
    expect(await sys.db.payment.count({ where: { lineId: line.lineId } })).toBe(0);
  });

  it('SUB-7: requested 23h59 before the due date: that renewal happens and the service ends at the end of the renewed period', async () => {
    const line = await newSubscription();
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    const next = dueDate(line.paidAt, 'monthly', 2, TZ);
    await sleepUntil(due, -(DAY - MINUTE));
    const answer = await handleOf(line).executeUpdate(terminateUpdate);
    expect(answer.effectiveAt).toBe(next);
    await sleepUntil(due, MINUTE);
    await waitState(env.client, line.lineId, (x) => x.paidPeriods === 2);
    await sleepUntil(next, -MINUTE);
    expect((await handleOf(line).query(subscriptionStateQuery)).status).toBe('active');
    await sleepUntil(next, MINUTE);
    const s = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
    expect(s).toMatchObject({ endReason: 'terminated', endedAt: next, paidPeriods: 2 });
  });

  it('SUB-8: a 12-month commitment terminated in month 2 keeps renewing and ends at the commitment end', async () => {
    const line = await newSubscription({ offerId: DEMO.offers.acmeCrm.id });
    const first = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    const commitmentEnd = dueDate(line.paidAt, 'monthly', 12, TZ);
    await sleepUntil(first, 3 * DAY);
    await waitState(env.client, line.lineId, (x) => x.paidPeriods === 2);
    const answer = await handleOf(line).executeUpdate(terminateUpdate);
    expect(answer.effectiveAt).toBe(commitmentEnd);
    await sleepUntil(commitmentEnd, -MINUTE);
    const before = await waitState(env.client, line.lineId, (x) => x.paidPeriods === 12);
    expect(before.status).toBe('active');
    await sleepUntil(commitmentEnd, MINUTE);
    const s = await waitState(env.client, line.lineId, (x) => x.status === 'terminated');
    expect(s).toMatchObject({ endReason: 'terminated', endedAt: commitmentEnd, paidPeriods: 12 });
  });

  it('SUB-9: a pending termination withdrawn before it takes effect: the subscription renews as before', async () => {
    const line = await newSubscription();
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(due, -5 * DAY);
    await handleOf(line).executeUpdate(terminateUpdate);
    await sleepUntil(due, -2 * DAY);
    const answer = await handleOf(line).executeUpdate(withdrawTerminationUpdate);
    expect(answer.state.pendingTermination).toBeNull();
    await expect(handleOf(line).executeUpdate(withdrawTerminationUpdate)).rejects.toThrow();
    await sleepUntil(due, MINUTE);
    const s = await waitState(env.client, line.lineId, (x) => x.paidPeriods === 2);
    expect(s.status).toBe('active');
    await stop(line);
  });

  it('SUB-6: pay the next period in advance: charged once with the period key, and the due date moves on', async () => {
    const line = await newSubscription();
    const due = (await handleOf(line).query(subscriptionStateQuery)).nextDueAt!;
    await sleepUntil(due, -3 * DAY);
    const answer = await handleOf(line).executeUpdate(payNextPeriodUpdate);
    expect(answer.state).toMatchObject({ paidPeriods: 2, nextDueAt: dueDate(line.paidAt, 'monthly', 2, TZ) });
    await expect(handleOf(line).executeUpdate(payNextPeriodUpdate)).rejects.toThrow();
    await sleepUntil(due, MINUTE);
    expect((await handleOf(line).query(subscriptionStateQuery)).paidPeriods).toBe(2);
    expect(await sys.db.sandboxTransaction.count({ where: { idempotencyKey: { startsWith: `sub:${line.lineId}:` } } })).toBe(1);
    expect((await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } })).gatewayKey).toBe(`sub:${line.lineId}:period:2:attempt:1`);
    await stop(line);
  });
});
