// PAY-1: the built-in sandbox gateway and its documented test cards, on a real database ledger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../infra/db';
import { TEST_CARDS, createSandboxGateway } from '../infra/sandbox-gateway';
import type { PaymentGateway } from '../infra/payment-gateway';
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

const card = (number: string) => {
  const saved = gateway.saveCard({ number, expMonth: 12, expYear: 2030, cvc: '123' });
  if ('error' in saved) throw new Error(saved.error);
  return saved.token;
};
const charge = (key: string, number: string, amountCents = 1000) =>
  gateway.charge({ idempotencyKey: key, cardToken: card(number), amountCents, currency: 'EUR', description: 'test' });

describe('sandbox payment gateway', () => {
  it('PAY-1: the success card captures, and a repeated idempotency key returns the first capture without charging again', async () => {
    const first = await charge('pay1:success', TEST_CARDS.success);
    const again = await charge('pay1:success', TEST_CARDS.success, 999_999);
    expect(first.status).toBe('captured');
    expect(again).toEqual(first);
    const ledger = await db.sandboxTransaction.findMany({ where: { idempotencyKey: 'pay1:success' } });
    expect(ledger).toHaveLength(1);
    expect(ledger[0].amountCents).toBe(1000);
  });

  it.each([
    [TEST_CARDS.declined, 'card_declined', false],
    [TEST_CARDS.insufficientFunds, 'insufficient_funds', false],
    [TEST_CARDS.stolen, 'stolen_card', true],
  ])('PAY-1: test card %s is declined with %s (hard: %s) and nothing is captured', async (number, code, hard) => {
    const result = await charge(`pay1:${code}`, number);
    expect(result).toMatchObject({ status: 'declined', code, hard });
    expect(await db.sandboxTransaction.count({ where: { idempotencyKey: `pay1:${code}` } })).toBe(0);
  });

  it('PAY-1: the fails-once card captures, loses the reply once, and the retry under the same key gets that capture', async () => {
    await expect(charge('pay1:once', TEST_CARDS.failsOnceThenSucceeds)).rejects.toThrow(/connection reset/);
    const retry = await charge('pay1:once', TEST_CARDS.failsOnceThenSucceeds);
    expect(retry.status).toBe('captured');
    expect(await db.sandboxTransaction.count({ where: { idempotencyKey: 'pay1:once' } })).toBe(1);
  });

  it('PAY-1: a refund carries its own idempotency key and is recorded once; unknown cards are refused at tokenization', async () => {
    const captured = await charge('pay1:to-refund', TEST_CARDS.success);
    if (captured.status !== 'captured') throw new Error('not captured');
    const refund = { idempotencyKey: 'pay1:refund', chargeReference: captured.reference, amountCents: 400, currency: 'EUR' };
    const a = await gateway.refund(refund);
    const b = await gateway.refund(refund);
    expect(b).toEqual(a);
    expect(await db.sandboxTransaction.count({ where: { kind: 'refund', chargeRef: captured.reference } })).toBe(1);
    await expect(gateway.refund({ ...refund, idempotencyKey: 'pay1:refund-unknown', chargeReference: 'ch_nope' })).rejects.toThrow(/unknown charge/);
    expect(gateway.saveCard({ number: '4111 1111 1111 1111', expMonth: 1, expYear: 2030, cvc: '123' })).toHaveProperty('error');
    expect(gateway.saveCard({ number: '42', expMonth: 1, expYear: 2030, cvc: '123' })).toHaveProperty('error');
  });
});
