// The ledger (PAY-1, FEE-1) on a real PostgreSQL copy of the test template: the fee examples, the
// cumulative fee reversal over partial refunds, append-only transfers, and a property test driving
// random captures, refunds and replays, checking the books after every step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import fc from 'fast-check';
import { availableBalance, linePosting, postBatch } from '../activities/ledger';
import { accounts, captureBatch, divHalfUp, feeOf, feeReversalOf, payoutConfirmed, payoutPending, payoutVoided, refundBatch, releaseBatch, type TransferSpec } from '../domain/ledger';
import { createDb, type Db } from '../infra/db';
import { copyOfDatabase } from './support/template-db';

let db: Db;
beforeAll(async () => {
  db = await createDb(await copyOfDatabase(inject('templateDb'), 'ledger'));
}, 60_000);
afterAll(async () => {
  await db?.$disconnect();
});

describe('the fee (FEE-1)', () => {
  it('FEE-1: 3 % of each captured line, half-up to the cent: 99.99 → 3.00, 10.50 → 0.32', () => {
    expect(feeOf(9999n, 300)).toBe(300n);
    expect(feeOf(1050n, 300)).toBe(32n); // 31.5 rounds up
    expect(feeOf(1049n, 300)).toBe(31n); // 31.47
    expect(feeOf(0n, 300)).toBe(0n);
    expect(divHalfUp(5n, 2n)).toBe(3n);
  });

  it('FEE-1: three partial refunds give back the fee cumulatively, never drifting: 10.50 refunded in thirds returns 0.11 + 0.10 + 0.11 = the whole 0.32', () => {
    const fee = feeOf(1050n, 300);
    let refunded = 0n;
    let reversed = 0n;
    const steps: bigint[] = [];
    for (const refund of [350n, 350n, 350n]) {
      const r = feeReversalOf({ fee, captured: 1050n, refundedBefore: refunded, refund, reversedBefore: reversed });
      steps.push(r);
      refunded += refund;
      reversed += r;
      expect(reversed).toBe(divHalfUp(fee * refunded, 1050n));
    }
    expect(steps).toEqual([11n, 10n, 11n]);
    expect(reversed).toBe(fee); // rounding each third alone would give back 0.33
    expect(() => feeReversalOf({ fee, captured: 1050n, refundedBefore: refunded, refund: 1n, reversedBefore: reversed })).toThrow(RangeError);
  });
});

describe('the ledger (PAY-1)', () => {
  it('PAY-1: a checkout capture splits per line and seller, each fee from the seller share, and a replay writes nothing', async () => {
    const paymentId = 'order:ord_ledger_1:checkout';
    const batch = captureBatch({ paymentId, currency: 'EUR', feeRateBp: 300, lines: [{ lineId: 'l1', sellerId: 's_a', amount: 11999n }, { lineId: 'l2', sellerId: 's_b', amount: 1050n }] });
    await db.$transaction((tx) => postBatch(tx, `payment:${paymentId}:capture`, new Date(), batch));
    expect(await db.$transaction((tx) => postBatch(tx, `payment:${paymentId}:capture`, new Date(), batch))).toBe(0);
    const held = async (sellerId: string) => {
      const a = await db.ledgerAccount.findUniqueOrThrow({ where: { id: accounts.sellerHeld(sellerId, 'EUR').id } });
      return a.creditsPosted - a.debitsPosted;
    };
    expect(await held('s_a')).toBe(11999n - 360n);
    expect(await held('s_b')).toBe(1050n - 32n);
    const fees = await db.ledgerTransfer.findMany({ where: { paymentId, code: 'fee' }, orderBy: { id: 'asc' } });
    expect(fees.map((f) => [f.lineId, f.amount, f.feeRateBp])).toEqual([['l1', 360n, 300], ['l2', 32n, 300]]);
  });

  it('PAY-1: transfers are append-only: the database refuses to change or remove one', async () => {
    const t = await db.ledgerTransfer.findFirstOrThrow();
    await expect(db.ledgerTransfer.update({ where: { id: t.id }, data: { amount: 1n } })).rejects.toThrow(/append-only/);
    await expect(db.ledgerTransfer.delete({ where: { id: t.id } })).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe('TRUNCATE "LedgerTransfer"')).rejects.toThrow(/append-only/);
  });

  it('PAY-1: a pending payout is settled once: posted or voided, never both, never twice', async () => {
    const sellerId = 's_two_phase';
    const paymentId = 'order:ord_two_phase:checkout';
    await db.$transaction((tx) => postBatch(tx, 'cap', new Date(), captureBatch({ paymentId, currency: 'EUR', feeRateBp: 300, lines: [{ lineId: 'l1', sellerId, amount: 10_000n }] })));
    await db.$transaction(async (tx) => postBatch(tx, 'rel', new Date(), releaseBatch({ paymentId, lineId: 'l1', sellerId, currency: 'EUR', posted: await linePosting(tx, paymentId, 'l1') })));
    expect(await availableBalance(db, sellerId, 'EUR')).toBe(9_700n);
    const pending = payoutPending({ payoutId: `payout:${sellerId}:EUR:2026-03-30`, sellerId, currency: 'EUR', amount: 9_700n });
    await db.$transaction((tx) => postBatch(tx, pending.id, new Date(), [pending]));
    expect(await availableBalance(db, sellerId, 'EUR')).toBe(0n); // reserved
    await db.$transaction((tx) => postBatch(tx, `${pending.id}:post`, new Date(), payoutConfirmed(pending)));
    await expect(db.$transaction((tx) => postBatch(tx, `${pending.id}:void`, new Date(), payoutVoided(pending)))).rejects.toThrow();
    const clearing = await db.ledgerAccount.findUniqueOrThrow({ where: { id: accounts.payoutClearing('EUR').id } });
    expect([clearing.debitsPosted - clearing.creditsPosted, clearing.creditsPending, clearing.debitsPending]).toEqual([0n, 0n, 0n]);
    const paid = await db.ledgerAccount.findUniqueOrThrow({ where: { id: accounts.sellerPaidOut(sellerId, 'EUR').id } });
    expect(paid.creditsPosted).toBe(9_700n);
  });

  it('PAY-1, FEE-1, PYO-1 (property): random captures, partial refunds, releases, two-phase payouts posted or voided, and replays keep the books: every currency sums to zero (posted and pending), accounts equal their transfers, each seller equals its statement, payout clearing returns to zero, each line’s reversed fee is exactly half-up(fee × refunded ÷ captured)', async () => {
    let run = 0;
    type Step =
      | { kind: 'capture'; lines: { seller: number; amount: number }[]; currency: number }
      | { kind: 'refund'; pick: number; share: number }
      | { kind: 'release'; pick: number }
      | { kind: 'payout'; seller: number; currency: number }
      | { kind: 'settle'; pick: number; confirm: boolean }
      | { kind: 'replay'; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('capture' as const), currency: fc.integer({ min: 0, max: 1 }), lines: fc.array(fc.record({ seller: fc.integer({ min: 0, max: 2 }), amount: fc.integer({ min: 1, max: 500_000 }) }), { minLength: 1, maxLength: 3 }) }),
      fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), share: fc.double({ min: 0.01, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('payout' as const), seller: fc.integer({ min: 0, max: 2 }), currency: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(), confirm: fc.boolean() }),
      fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 1000 }), async (steps, rate) => {
        run += 1;
        const prefix = `prop${run}_${Date.now()}`;
        const sellers = [0, 1, 2].map((i) => `${prefix}_s${i}`);
        const currencies = [`E${run % 10}${String.fromCharCode(65 + (run % 26))}`, `C${run % 10}${String.fromCharCode(65 + (run % 26))}`].map((c) => `${c}_${prefix}`);
        const lines: { paymentId: string; lineId: string; sellerId: string; currency: string; amount: bigint }[] = [];
        const batches: { id: string; transfers: TransferSpec[] }[] = [];
        const open: TransferSpec[] = [];
        let n = 0;
        for (const s of steps) {
          n += 1;
          if (s.kind === 'capture') {
            const paymentId = `${prefix}_p${n}`;
            const currency = currencies[s.currency];
            const captured = s.lines.map((l, i) => ({ lineId: `${paymentId}_l${i}`, sellerId: sellers[l.seller], amount: BigInt(l.amount) }));
            const transfers = captureBatch({ paymentId, currency, lines: captured, feeRateBp: rate });
            await db.$transaction((tx) => postBatch(tx, `payment:${paymentId}:capture`, new Date(), transfers));
            batches.push({ id: `payment:${paymentId}:capture`, transfers });
            for (const l of captured) lines.push({ paymentId, currency, ...l });
          } else if (s.kind === 'refund' && lines.length > 0) {
            const l = lines[s.pick % lines.length];
            const refundId = `${prefix}_r${n}`;
            await db.$transaction(async (tx) => {
              const posted = await linePosting(tx, l.paymentId, l.lineId);
              const left = posted.captured - posted.refunded;
              if (left === 0n) return;
              const amount = BigInt(Math.max(1, Math.min(Number(left), Math.round(Number(left) * s.share))));
              const transfers = refundBatch({ refundId, paymentId: l.paymentId, lineId: l.lineId, sellerId: l.sellerId, currency: l.currency, amount, posted });
              await postBatch(tx, `refund:${refundId}`, new Date(), transfers);
              batches.push({ id: `refund:${refundId}`, transfers });
            });
          } else if (s.kind === 'release' && lines.length > 0) {
            const l = lines[s.pick % lines.length];
            await db.$transaction(async (tx) => {
              const transfers = releaseBatch({ paymentId: l.paymentId, lineId: l.lineId, sellerId: l.sellerId, currency: l.currency, posted: await linePosting(tx, l.paymentId, l.lineId) });
              await postBatch(tx, `release:${l.paymentId}:${l.lineId}`, new Date(), transfers);
              batches.push({ id: `release:${l.paymentId}:${l.lineId}`, transfers });
            });
          } else if (s.kind === 'payout') {
            const sellerId = sellers[s.seller];
            const currency = currencies[s.currency];
            // Never negative (PYO-1): only what is available, net of pending payouts; a deficit stays.
            const amount = await availableBalance(db, sellerId, currency);
            if (amount > 0n) {
              const pending = payoutPending({ payoutId: `payout:${prefix}:${n}`, sellerId, currency, amount });
              await db.$transaction((tx) => postBatch(tx, pending.id, new Date(), [pending]));
              batches.push({ id: pending.id, transfers: [pending] });
              open.push(pending);
            }
          } else if (s.kind === 'settle' && open.length > 0) {
            const [pending] = open.splice(s.pick % open.length, 1);
            const transfers = s.confirm ? payoutConfirmed(pending) : payoutVoided(pending);
            await db.$transaction((tx) => postBatch(tx, `${pending.id}:settle`, new Date(), transfers));
            batches.push({ id: `${pending.id}:settle`, transfers });
          } else if (s.kind === 'replay' && batches.length > 0) {
            const b = batches[s.pick % batches.length];
            expect(await db.$transaction((tx) => postBatch(tx, b.id, new Date(), b.transfers))).toBe(0);
          }
          await checkBooks(currencies, sellers, lines, open);
        }
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});

/** The invariants, read back from the database after a step. */
async function checkBooks(currencies: string[], sellers: string[], lines: { paymentId: string; lineId: string }[], open: TransferSpec[]): Promise<void> {
  const accountRows = await db.ledgerAccount.findMany({ where: { currency: { in: currencies } } });
  for (const c of currencies) {
    const mine = accountRows.filter((a) => a.currency === c);
    expect(mine.reduce((sum, a) => sum + a.creditsPosted - a.debitsPosted, 0n), `currency ${c} sums to zero`).toBe(0n);
    expect(mine.reduce((sum, a) => sum + a.creditsPending - a.debitsPending, 0n), `currency ${c} pending sums to zero`).toBe(0n);
    // Payout clearing: nothing posted stays there; what is pending is the payouts still open.
    const clearing = mine.find((a) => a.kind === 'payout_clearing');
    if (clearing) {
      expect(clearing.creditsPosted - clearing.debitsPosted, `payout clearing ${c} returns to zero`).toBe(0n);
      expect(clearing.creditsPending, `payout clearing ${c} pending`).toBe(open.filter((t) => t.currency === c).reduce((s, t) => s + t.amount, 0n));
    }
  }
  const transfers = await db.ledgerTransfer.findMany({ where: { currency: { in: currencies } } });
  for (const a of accountRows) {
    const posted = transfers.filter((t) => t.flags === 'posted' || t.flags === 'post_pending');
    const debits = posted.filter((t) => t.debitAccountId === a.id).reduce((s, t) => s + t.amount, 0n);
    const credits = posted.filter((t) => t.creditAccountId === a.id).reduce((s, t) => s + t.amount, 0n);
    expect([a.debitsPosted, a.creditsPosted], `account ${a.id} equals its transfers`).toEqual([debits, credits]);
  }
  for (const sellerId of sellers) {
    // The seller's statement: captures − fees − refunds + fee reversals, from its own transfers.
    const mine = transfers.filter((t) => t.sellerId === sellerId);
    const sum = (code: string) => mine.filter((t) => t.code === code).reduce((s, t) => s + t.amount, 0n);
    const statement = sum('capture') - sum('fee') - sum('refund') + sum('fee_reversal');
    const balance = accountRows.filter((a) => a.sellerId === sellerId).reduce((s, a) => s + a.creditsPosted - a.debitsPosted, 0n);
    expect(balance, `seller ${sellerId} equals its statement`).toBe(statement);
  }
  for (const l of lines) {
    const p = await linePosting(db, l.paymentId, l.lineId);
    expect(p.refunded <= p.captured).toBe(true);
    expect(p.feeReversed, `line ${l.lineId}: fee reversed`).toBe(divHalfUp(p.fee * p.refunded, p.captured));
  }
}
