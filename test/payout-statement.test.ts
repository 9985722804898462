// PYO-1 statements, pure: each transfer's effect on the available balance, the rows a release
// expands into, and the two reconciliation failures (a release that is not what its line nets, a
// movement no row explains). The full path is in test/payouts.test.ts.
import { describe, expect, it } from 'vitest';
import { availableEffect, statementCsv, statementRows, type StatementContent, type StatementTransfer } from '../domain/payout-statement';

const A = 'seller:s1:EUR:available';
const H = 'seller:s1:EUR:held';
let n = 0;
const t = (p: Partial<StatementTransfer> & Pick<StatementTransfer, 'code' | 'debitAccountId' | 'creditAccountId' | 'amount'>): StatementTransfer => ({
  id: `t${++n}`, flags: 'posted', paymentId: 'pay1', refundId: null, lineId: 'l1', feeRateBp: null, at: new Date(Date.UTC(2027, 2, 1, 9, 0, n)), ...p,
});

describe('payout statements (PYO-1)', () => {
  it('PYO-1: a reservation takes from the available balance at once, its post changes nothing more, its void gives it back', () => {
    const pending = t({ code: 'payout', debitAccountId: A, creditAccountId: 'payouts:EUR:clearing', amount: 700n, flags: 'pending' });
    expect(availableEffect(pending, A)).toBe(-700n);
    expect(availableEffect({ ...pending, flags: 'post_pending' }, A)).toBe(0n);
    expect(availableEffect({ ...pending, flags: 'void_pending' }, A)).toBe(700n);
    expect(availableEffect(t({ code: 'release', debitAccountId: H, creditAccountId: A, amount: 970n }), A)).toBe(970n);
    expect(availableEffect(t({ code: 'refund', debitAccountId: A, creditAccountId: 'gateway:EUR:clearing', amount: 50n }), A)).toBe(-50n);
  });

  it('PYO-1, FEE-1: a release is listed as what it nets (payment, fee, refund, fee given back); a refund after release on its own', () => {
    const held = [
      t({ code: 'capture', debitAccountId: 'gateway:EUR:clearing', creditAccountId: H, amount: 1000n }),
      t({ code: 'fee', debitAccountId: H, creditAccountId: 'marketplace:EUR:fee_revenue', amount: 30n, feeRateBp: 300 }),
      t({ code: 'refund', debitAccountId: H, creditAccountId: 'gateway:EUR:clearing', amount: 100n, refundId: 'r1' }),
      t({ code: 'fee_reversal', debitAccountId: 'marketplace:EUR:fee_revenue', creditAccountId: H, amount: 3n, refundId: 'r1', feeRateBp: 300 }),
    ];
    const release = t({ code: 'release', debitAccountId: H, creditAccountId: A, amount: 873n });
    const late = t({ code: 'refund', debitAccountId: A, creditAccountId: 'gateway:EUR:clearing', amount: 200n, refundId: 'r2' });
    const out = statementRows(A, [late, release], () => held);
    expect(out.mismatches).toEqual([]);
    expect(out.rows.map((r) => [r.kind, r.amountCents])).toEqual([['payment', 1000], ['fee', -30], ['refund', -100], ['fee_reversal', 3], ['refund', -200]]);
    expect(out.rows[4].description).toBe('Refund r2 after release: payment pay1, line l1');
    expect(out.movementsCents).toBe(673n);
  });

  it('PYO-1: a release that is not what its line nets, or a movement no row explains, is a mismatch (the payout stops)', () => {
    const held = [t({ code: 'capture', debitAccountId: 'gateway:EUR:clearing', creditAccountId: H, amount: 1000n })];
    const release = t({ code: 'release', debitAccountId: H, creditAccountId: A, amount: 999n });
    const odd = t({ code: 'capture', debitAccountId: 'gateway:EUR:clearing', creditAccountId: A, amount: 5n, id: 'odd' });
    const out = statementRows(A, [release, odd], () => held);
    expect(out.mismatches).toEqual([`release ${release.id} moved 999 but its payment line nets 1000`, 'transfer odd (capture) moves the available balance but no statement line says why']);
  });

  it('PYO-1: the CSV sums: opening + movements = closing, held lines listed after, quoted where they hold a comma', () => {
    const s: StatementContent = {
      payoutId: 'payout:s1:EUR:2027-03-30', sellerId: 's1', sellerName: 'Acme, SAS', currency: 'EUR', date: '2027-03-30', cutoff: '2027-03-30T21:59:59.999Z',
      openingCents: -500, rows: [{ at: '2027-03-22T09:00:00.000Z', kind: 'payment', description: 'Payment captured: payment p, line l', paymentId: 'p', lineId: 'l', refundId: null, amountCents: 1000 }, { at: '2027-03-30T22:00:00.000Z', kind: 'payout', description: 'This payout (x)', paymentId: null, lineId: null, refundId: null, amountCents: -500 }],
      movementsCents: 500, closingCents: 0, payoutCents: 500, deficitInCents: 500, deficitOutCents: 0, status: 'sending',
      held: [{ paymentId: 'p2', lineId: 'l2', capturedAt: '2027-03-29T10:00:00.000Z', netCents: 970, heldUntil: '2027-04-19T10:00:00.000Z', paidOn: '2027-04-30' }],
    };
    const lines = statementCsv(s).trimEnd().split('\r\n');
    expect(lines[0]).toBe('date,kind,description,payment,line,refund,amount,currency');
    const amounts = lines.slice(1, 5).map((l) => Number(l.split(',').at(-2)));
    expect(amounts).toEqual([-5, 10, -5, 0]);
    expect(amounts[0] + amounts[1] + amounts[2]).toBe(amounts[3]);
    expect(lines[5]).toBe('2027-03-29T10:00:00.000Z,held,"Held until 2027-04-19T10:00:00.000Z, paid on 2027-04-30",p2,l2,,9.70,EUR');
  });
});
