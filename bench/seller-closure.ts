// `npm run bench:seller-closure [-- --subscriptions 5000 --second-every 5 --kill-at 0.3]`: MED-5 at
// size (bench/seller-closure/run.ts). Prints the report and writes
// bench/results/seller-closure-<date>.json.
import { parseArgs } from 'node:util';
import { writeBenchReport } from './support/report';
import { runSellerClosureBench } from './seller-closure/run';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subscriptions: { type: 'string', default: '5000' },
      'second-every': { type: 'string', default: '5' },
      'kill-at': { type: 'string', default: '0.3' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const report = await runSellerClosureBench({
    subscriptions: Number(values.subscriptions),
    secondEvery: Number(values['second-every']),
    killAtShare: Number(values['kill-at']),
    concurrency: Number(values.concurrency),
    log: (line) => console.log(line),
  });
  writeBenchReport('seller-closure', report);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
