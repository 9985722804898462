// PAY-1, X-3, X-7: the built-in sandbox gateway and its documented test cards, on a real database
// ledger, with a real acquirer's idempotency (first answer kept, declines included; a key reused
// with other parameters refused; keys forgotten after 24 hours), refunds checked against the
// capture, and a vault that keeps no card number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../infra/db';
import { TEST_CARDS, createSandboxGateway, keyTtlHoursFromEnv } from '../infra/sandbox-gateway';
import { GatewayError, type ChargeResult, type PaymentGateway } from '../infra/payment-gateway';
import { freshDatabase } from './support/system';

let db: Db;
let gateway: PaymentGateway;

beforeAll(async () => {
  ({ db } = await freshDatabase());
  gateway = createSandboxGateway(db);
});
afterAll(async () => {
  await db?.$disconnect();
});

const cardOf = async (number: string, g: PaymentGateway = gateway) => {
  const saved = await g.saveCard({ number, expMonth: 12, expYear: 2030, cvc: '123' });
  if ('error' in saved) throw new Error(saved.error);
  return saved.token;
};
const chargeWith = (key: string, cardToken: string, amountCents = 1000, currency = 'EUR', g: PaymentGateway = gateway) =>
  g.charge({ idempotencyKey: key, cardToken, amountCents, currency, description: 'test' });
const charge = async (key: string, number: string, amountCents = 1000) => chargeWith(key, await cardOf(number), amountCents);
const captured = (r: ChargeResult) => {
  if (r.status !== 'captured') throw new Error(`not captured: ${JSON.stringify(r)}`);
  return r.reference;
};
/** The GatewayError a promise is refused with. */
async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe('sandbox payment gateway: test cards', () => {
  it('PAY-1, X-3: the success card captures, and a repeated idempotency key returns the first capture without charging again', async () => {
    const token = await cardOf(TEST_CARDS.success);
    const first = await chargeWith('pay1:success', token);
    const again = await chargeWith('pay1:success', token);
    expect(first.status).toBe('captured');
    expect(again).toEqual(first);
    const ledger = await db.sandboxTransaction.findMany({ where: { idempotencyKey: 'pay1:success' } });
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ kind: 'charge', amountCents: 1000, currency: 'EUR', cardToken: token, reference: captured(first) });
    expect((await db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: 'pay1:success' } })).attempts).toBe(2);
  });

  it('X-3: concurrent requests with one key capture once and all get that capture', async () => {
    const token = await cardOf(TEST_CARDS.success);
    const results = await Promise.all(Array.from({ length: 6 }, () => chargeWith('x3:concurrent', token)));
    expect(new Set(results.map(captured)).size).toBe(1);
    expect(await db.sandboxTransaction.count({ where: { idempotencyKey: 'x3:concurrent' } })).toBe(1);
  });

  it.each([
    [TEST_CARDS.declined, 'card_declined', false],
    [TEST_CARDS.insufficientFunds, 'insufficient_funds', false],
    [TEST_CARDS.stolen, 'stolen_card', true],
  ])('PAY-1: test card %s is declined with %s (hard: %s) and nothing is captured', async (number, code, hard) => {
    const result = await charge(`pay1:${code}`, number);
    expect(result).toMatchObject({ status: 'declined', code, hard });
    expect(await db.sandboxTransaction.count({ where: { idempotencyKey: `pay1:${code}` } })).toBe(0);
    expect(await db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: `pay1:${code}` } })).toMatchObject({ status: 'declined', declineCode: code, hardDecline: hard });
  });

  it('PAY-1, X-3: a decline is the answer for its key: a retry with that key is declined again and never captures', async () => {
    const token = await cardOf(TEST_CARDS.declined);
    const first = await chargeWith('x3:declined', token);
    expect(first).toMatchObject({ status: 'declined', code: 'card_declined' });
    // Even if the issuer would now accept the card, the key keeps its first answer.
    await db.sandboxCard.update({ where: { token }, data: { behaviour: 'success' } });
    const retry = await chargeWith('x3:declined', token);
    expect(retry).toEqual(first);
    expect(await db.sandboxTransaction.count({ where: { idempotencyKey: 'x3:declined' } })).toBe(0);
    // A new attempt is a new key.
    expect((await chargeWith('x3:declined:2', token)).status).toBe('captured');
  });

  it('PAY-1, X-3: the fails-once card captures, loses the reply once, and the retry under the same key gets that capture', async () => {
    const token = await cardOf(TEST_CARDS.failsOnceThenSucceeds);
    await expect(chargeWith('pay1:once', token)).rejects.toThrow(/connection reset/);
    const [lost] = await db.sandboxTransaction.findMany({ where: { idempotencyKey: 'pay1:once' } });
    expect(lost).toMatchObject({ kind: 'charge', amountCents: 1000 });
    const retry = await chargeWith('pay1:once', token);
    expect(retry).toEqual({ status: 'captured', reference: lost.reference });
    expect(await chargeWith('pay1:once', token)).toEqual(retry);
    expect(await db.sandboxTransaction.count({ where: { idempotencyKey: 'pay1:once' } })).toBe(1);
    // Another key on the same card: again the first reply is lost, the money moved once.
    await expect(chargeWith('pay1:once:b', token)).rejects.toThrow(/connection reset/);
    expect(captured(await chargeWith('pay1:once:b', token))).not.toBe(lost.reference);
  });

  it('PAY-1: a token the vault does not hold is declined (Unknown card); unknown numbers are refused at tokenization', async () => {
    expect(await chargeWith('pay1:unknown-token', 'tok_nothing_here')).toEqual({ status: 'declined', code: 'card_declined', message: 'Unknown card.', hard: false });
    // The tokens of earlier versions carried the number: no longer a card.
    expect((await chargeWith('pay1:legacy-token', `tok_sandbox_${TEST_CARDS.success}`)).status).toBe('declined');
    expect(await gateway.saveCard({ number: '4111 1111 1111 1111', expMonth: 1, expYear: 2030, cvc: '123' })).toHaveProperty('error');
    expect(await gateway.saveCard({ number: '42', expMonth: 1, expYear: 2030, cvc: '123' })).toHaveProperty('error');
  });
});

describe('sandbox payment gateway: idempotency keys', () => {
  it('PAY-1, X-3: a key reused with another card, amount, currency or kind is refused (idempotency_key_reused) and changes nothing', async () => {
    const token = await cardOf(TEST_CARDS.success);
    const other = await cardOf(TEST_CARDS.success);
    const first = await chargeWith('x3:reuse', token, 1000, 'EUR');
    const reference = captured(first);
    for (const attempt of [
      () => chargeWith('x3:reuse', other, 1000, 'EUR'),
      () => chargeWith('x3:reuse', token, 999_999, 'EUR'),
      () => chargeWith('x3:reuse', token, 1000, 'USD'),
      () => gateway.refund({ idempotencyKey: 'x3:reuse', chargeReference: reference, amountCents: 1000, currency: 'EUR' }),
    ]) {
      const err = await refusal(attempt());
      expect(err.code).toBe('idempotency_key_reused');
      expect(err.retryable).toBe(false);
    }
    expect(await db.sandboxTransaction.findMany({ where: { OR: [{ idempotencyKey: 'x3:reuse' }, { chargeRef: reference }] } })).toHaveLength(1);
    expect((await db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: 'x3:reuse' } })).attempts).toBe(1);
    expect(await chargeWith('x3:reuse', token, 1000, 'EUR')).toEqual(first);

    // A declined key is bound too: the same key on another card is refused, not charged.
    const declined = await cardOf(TEST_CARDS.declined);
    expect((await chargeWith('x3:reuse-declined', declined)).status).toBe('declined');
    expect((await refusal(chargeWith('x3:reuse-declined', token))).code).toBe('idempotency_key_reused');
    expect(await db.sandboxTransaction.count({ where: { idempotencyKey: 'x3:reuse-declined' } })).toBe(0);
  });

  it('PAY-1, X-3: a refund key reused for another amount, charge or as a charge key is refused', async () => {
    const token = await cardOf(TEST_CARDS.success);
    const a = captured(await chargeWith('x3:refund-reuse:a', token, 1000));
    const b = captured(await chargeWith('x3:refund-reuse:b', token, 1000));
    const refund = { idempotencyKey: 'x3:refund-reuse:r', chargeReference: a, amountCents: 300, currency: 'EUR' };
    const first = await gateway.refund(refund);
    expect(await gateway.refund(refund)).toEqual(first);
    for (const attempt of [
      () => gateway.refund({ ...refund, amountCents: 200 }),
      () => gateway.refund({ ...refund, chargeReference: b }),
      () => chargeWith('x3:refund-reuse:r', token, 300),
    ]) {
      expect((await refusal(attempt())).code).toBe('idempotency_key_reused');
    }
    expect(await db.sandboxTransaction.count({ where: { kind: 'refund', chargeRef: { in: [a, b] } } })).toBe(1);
  });

  it('PAY-1, X-3: a key is forgotten after its lifetime (24 hours by default): then it is a new request', async () => {
    let now = new Date('2026-12-01T10:00:00.000Z');
    const clocked = createSandboxGateway(db, { keyTtlHours: 24, now: () => now });
    const token = await cardOf(TEST_CARDS.success, clocked);
    const first = captured(await chargeWith('x3:expiry', token, 1000, 'EUR', clocked));

    now = new Date('2026-12-02T09:59:59.000Z'); // 23 h 59 min 59 s later: still the same key
    expect(captured(await chargeWith('x3:expiry', token, 1000, 'EUR', clocked))).toBe(first);
    expect((await refusal(chargeWith('x3:expiry', token, 2000, 'EUR', clocked))).code).toBe('idempotency_key_reused');

    now = new Date('2026-12-02T10:00:00.000Z'); // 24 h: forgotten, even with other parameters
    const second = captured(await chargeWith('x3:expiry', token, 2000, 'EUR', clocked));
    expect(second).not.toBe(first);
    expect(captured(await chargeWith('x3:expiry', token, 2000, 'EUR', clocked))).toBe(second);
    // The first capture is still in the ledger, no longer under the key.
    expect(await db.sandboxTransaction.findUniqueOrThrow({ where: { reference: first } })).toMatchObject({ idempotencyKey: null, amountCents: 1000 });
    expect(await db.sandboxTransaction.findUniqueOrThrow({ where: { idempotencyKey: 'x3:expiry' } })).toMatchObject({ reference: second, amountCents: 2000 });
    expect(await db.sandboxAttempt.findUniqueOrThrow({ where: { idempotencyKey: 'x3:expiry' } })).toMatchObject({ attempts: 2, createdAt: now });

    // A declined key too: after its lifetime the same key may capture.
    now = new Date('2026-12-03T00:00:00.000Z');
    const declined = await cardOf(TEST_CARDS.declined, clocked);
    expect((await chargeWith('x3:expiry-declined', declined, 1000, 'EUR', clocked)).status).toBe('declined');
    now = new Date('2026-12-04T00:00:01.000Z');
    expect((await chargeWith('x3:expiry-declined', token, 1000, 'EUR', clocked)).status).toBe('captured');

    // The lifetime is configurable: SANDBOX_KEY_TTL_HOURS.
    expect(keyTtlHoursFromEnv({})).toBe(24);
    expect(keyTtlHoursFromEnv({ SANDBOX_KEY_TTL_HOURS: '0.5' })).toBe(0.5);
    expect(() => keyTtlHoursFromEnv({ SANDBOX_KEY_TTL_HOURS: 'soon' })).toThrow(/SANDBOX_KEY_TTL_HOURS/);
    now = new Date('2026-12-05T00:00:00.000Z');
    const short = createSandboxGateway(db, { keyTtlHours: 1, now: () => now });
    const s1 = captured(await chargeWith('x3:expiry-1h', token, 500, 'EUR', short));
    now = new Date('2026-12-05T01:00:00.000Z');
    expect(captured(await chargeWith('x3:expiry-1h', token, 500, 'EUR', short))).not.toBe(s1);
  });
});

describe('sandbox payment gateway: refunds', () => {
  it('PAY-1, X-3: a refund carries its own idempotency key and is recorded once; an unknown charge is refused', async () => {
    const chargeRef = captured(await charge('pay1:to-refund', TEST_CARDS.success));
    const refund = { idempotencyKey: 'pay1:refund', chargeReference: chargeRef, amountCents: 400, currency: 'EUR' };
    const a = await gateway.refund(refund);
    const b = await gateway.refund(refund);
    expect(b).toEqual(a);
    expect(await db.sandboxTransaction.count({ where: { kind: 'refund', chargeRef } })).toBe(1);
    const unknown = await refusal(gateway.refund({ ...refund, idempotencyKey: 'pay1:refund-unknown', chargeReference: 'ch_nope' }));
    expect(unknown.code).toBe('unknown_charge');
    expect(unknown.message).toMatch(/unknown charge/);
    // A refund is not a charge to refund.
    expect((await refusal(gateway.refund({ ...refund, idempotencyKey: 'pay1:refund-of-refund', chargeReference: a.reference }))).code).toBe('unknown_charge');
    // Refusals are not answers: nothing kept under their keys.
    expect(await db.sandboxAttempt.count({ where: { idempotencyKey: { in: ['pay1:refund-unknown', 'pay1:refund-of-refund'] } } })).toBe(0);
  });

  it('PAY-1, X-3: the refunds of a charge never exceed its capture (over_refund), in its currency only', async () => {
    const chargeRef = captured(await charge('x3:over-refund', TEST_CARDS.success, 1000));
    const refund = (key: string, amountCents: number, currency = 'EUR') => gateway.refund({ idempotencyKey: key, chargeReference: chargeRef, amountCents, currency });
    await refund('x3:over-refund:1', 600);
    const over = await refusal(refund('x3:over-refund:2', 500));
    expect(over.code).toBe('over_refund');
    expect(over.retryable).toBe(false);
    expect((await refusal(refund('x3:over-refund:3', 100, 'USD'))).code).toBe('currency_mismatch');
    await refund('x3:over-refund:4', 400); // exactly the rest
    expect((await refusal(refund('x3:over-refund:5', 1))).code).toBe('over_refund');
    expect((await refusal(refund('x3:over-refund:6', 0))).code).toBe('invalid_request');
    const refunds = await db.sandboxTransaction.findMany({ where: { kind: 'refund', chargeRef } });
    expect(refunds.map((r) => r.amountCents).sort()).toEqual([400, 600]);
    // The refused key was not bound: with a fitting amount it could still be used… once there is room.
    expect(await db.sandboxAttempt.findUnique({ where: { idempotencyKey: 'x3:over-refund:2' } })).toBeNull();
  });

  it('PAY-1, X-3: concurrent refunds of one charge are checked one after another: never more than the capture', async () => {
    const chargeRef = captured(await charge('x3:concurrent-refunds', TEST_CARDS.success, 1000));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => gateway.refund({ idempotencyKey: `x3:concurrent-refunds:${i}`, chargeReference: chargeRef, amountCents: 300, currency: 'EUR' })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as GatewayError).code).toBe('over_refund');
    const total = await db.sandboxTransaction.aggregate({ where: { kind: 'refund', chargeRef }, _sum: { amountCents: true } });
    expect(total._sum.amountCents).toBe(900);
  });
});

describe('sandbox payment gateway: the vault', () => {
  it('X-7, PAY-1: a token is random and carries no card data; no sandbox table holds the number or the CVC', async () => {
    const saved = await gateway.saveCard({ number: '4242 4242 4242 4242', expMonth: 11, expYear: 2031, cvc: '987' });
    const again = await gateway.saveCard({ number: TEST_CARDS.success, expMonth: 11, expYear: 2031, cvc: '987' });
    if ('error' in saved || 'error' in again) throw new Error('not saved');
    expect(saved.token).toMatch(/^tok_[A-Za-z0-9_-]{24}$/);
    expect(saved.token).not.toContain(TEST_CARDS.success);
    expect(again.token).not.toBe(saved.token);
    expect(saved).toEqual({ token: saved.token, last4: '4242', brand: 'visa' });
    expect(await db.sandboxCard.findUniqueOrThrow({ where: { token: saved.token } })).toMatchObject({ last4: '4242', brand: 'visa', behaviour: 'success', expMonth: 11, expYear: 2031 });
    await chargeWith('x7:charge', saved.token);

    // The vault's columns: nothing to hold a number or a CVC.
    const columns = await db.$queryRaw<{ column_name: string }[]>`SELECT column_name FROM information_schema.columns WHERE table_name = 'SandboxCard'`;
    expect(columns.map((c) => c.column_name).sort()).toEqual(['behaviour', 'brand', 'createdAt', 'expMonth', 'expYear', 'last4', 'token']);
    // Every row of every sandbox table, as text: no card number of any test card saved above.
    const tables = await db.$queryRaw<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'Sandbox%'`;
    // SandboxPayout (the payout sandbox, PYO-1) holds IBANs, no card data; it has no row in this test's database.
    expect(tables.map((t) => t.table_name).sort()).toEqual(['SandboxAttempt', 'SandboxCard', 'SandboxPayout', 'SandboxTransaction']);
    let rows = 0;
    for (const { table_name } of tables) {
      const dump = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
      rows += dump.length;
      for (const { row } of dump) {
        for (const number of Object.values(TEST_CARDS)) expect(row, `${table_name}: ${row}`).not.toContain(number);
        // Nor any card-number-like run of digits (the fingerprint is hex: a hash, set apart).
        const { fingerprint: _hash, ...fields } = JSON.parse(row) as Record<string, unknown>;
        expect(JSON.stringify(fields), `${table_name}: ${row}`).not.toMatch(/\d{13,19}/);
      }
    }
    expect(rows).toBeGreaterThan(20);
  });
});
