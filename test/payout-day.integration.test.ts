// PYO-1 through a worker crash, in real time on the dev server with two worker processes: the
// payout-day benchmark's scenario at a reduced size (bench/payout-day/run.ts; `npm run
// bench:payout-day` runs it with 2,000 sellers of 100 lines). A worker is SIGKILLed once 30 % of
// the payouts are settled, and started again.
import { describe, expect, it } from 'vitest';
import { runPayoutDayBench } from '../bench/payout-day/run';

describe('a payout day for many sellers, through a worker crash', () => {
  it('PYO-1, X-1, X-3: 40 sellers of 5 captured lines (some refunded, some in two currencies, some banking on the fails-once account): each paid exactly once per currency for its exact net, the books balanced, no history over 10,000 events, through a worker SIGKILL', async () => {
    const report = await runPayoutDayBench({ sellers: 40, linesPerSeller: 5, killAtShare: 0.3, failsOnceEvery: 10, refundEvery: 9, secondCurrencyEvery: 8, timeoutMs: 90_000 });
    expect(report.violations).toEqual([]);
    expect(report.workerKills).toBe(1);
    expect(report.killedAtSettled).toBeLessThan(report.payouts);
    // 5 of the 40 sellers also sell in USD: 45 payouts, each paid once, by one bank transfer.
    expect(report.payouts).toBe(45);
    expect(report.refunds).toBe(17);
    expect(report.paid).toEqual({ expected: 45, once: 45, never: 0, more: 0, wrongAmount: 0 });
    expect(report.bankTransfers).toEqual({ expected: 45, once: 45, never: 0, more: 0, wrongAmount: 0 });
    expect(report.failsOnceSellers).toBe(4);
    expect(report.retriedTransfers).toBe(4);
    expect(report.books.transfers).toBeGreaterThan(2 * report.lines);
    expect(report.maxHistoryLength.calendar).toBeGreaterThan(0);
    expect(report.maxHistoryLength.calendar).toBeLessThan(10_000);
    expect(report.maxHistoryLength.payout).toBeGreaterThan(0);
    expect(report.maxHistoryLength.payout).toBeLessThan(10_000);
  }, 170_000);
});
