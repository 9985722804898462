// MED-5 through a worker crash, in real time on the dev server with two worker processes: the
// benchmark's scenario at a reduced size (bench/seller-closure/run.ts; `npm run
// bench:seller-closure` runs it with 5,000 subscriptions). A worker is SIGKILLed while the
// fan-out is telling the subscriptions, and started again.
import { describe, expect, it } from 'vitest';
import { runSellerClosureBench } from '../bench/seller-closure/run';

describe('a closed seller with many subscriptions, through a worker crash', () => {
  it('MED-5, X-1: 150 subscriptions of 100 customers: each told exactly once and ending at its period end, each customer e-mailed exactly once, no history over 10,000 events, through a worker SIGKILL', async () => {
    const report = await runSellerClosureBench({ subscriptions: 150, secondEvery: 3, killAtShare: 0.3, concurrency: 8 });
    expect(report.violations).toEqual([]);
    expect(report.workerKills).toBe(1);
    expect(report.told).toEqual({ once: 150, never: 0, more: 0 });
    expect(report.endsAtPeriodEnd).toBe(150);
    // One e-mail per customer, each received; the kill may cost a resend of those in flight (same
    // Message-ID, a later attempt: never more copies than attempts, checked among the violations).
    expect(report.emails).toMatchObject({ customers: 100, recorded: 100, sent: 100, received: 100, perCustomerMax: 1 });
    expect(report.maxHistoryLength.sellerClosure).toBeGreaterThan(0);
    expect(report.maxHistoryLength.sellerClosure).toBeLessThan(10_000);
    expect(report.maxHistoryLength.subscription).toBeGreaterThan(0);
  }, 300_000);
});
