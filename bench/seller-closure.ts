// `npm run bench:seller-closure [-- --subscriptions 5000 --second-every 5 --kill-at 0.3]`: MED-5 at
// size (bench/seller-closure/run.ts). Prints the report and writes
// bench/results/seller-closure-<date>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
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
  console.log(JSON.stringify(report, null, 2));
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `seller-closure-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), file)}`);
  if (report.violations.length > 0) {
    console.log(`\n${report.violations.length} VIOLATIONS:\n${report.violations.slice(0, 50).join('\n')}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
