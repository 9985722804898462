// `npm run bench:payout-day [-- --sellers 2000 --lines 100 --kill-at 0.3]`: PYO-1 at size, a payout
// day for N sellers of M captured lines each through a worker SIGKILL (bench/payout-day/run.ts).
// Prints the report and writes bench/results/payout-day-<date>.json; exits 1 on any violation.
import { parseArgs } from 'node:util';
import { writeBenchReport } from './support/report';
import { runPayoutDayBench } from './payout-day/run';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sellers: { type: 'string', default: '2000' },
      lines: { type: 'string', default: '100' },
      'kill-at': { type: 'string', default: '0.3' },
      'fails-once-every': { type: 'string', default: '100' },
      'refund-every': { type: 'string', default: '50' },
      'second-currency-every': { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      'timeout-minutes': { type: 'string', default: '180' },
    },
  });
  const report = await runPayoutDayBench({
    sellers: Number(values.sellers),
    linesPerSeller: Number(values.lines),
    killAtShare: Number(values['kill-at']),
    failsOnceEvery: Number(values['fails-once-every']),
    refundEvery: Number(values['refund-every']),
    secondCurrencyEvery: Number(values['second-currency-every']),
    seed: Number(values.seed),
    timeoutMs: Number(values['timeout-minutes']) * 60_000,
    log: (line) => console.log(line),
  });
  writeBenchReport('payout-day', report);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
