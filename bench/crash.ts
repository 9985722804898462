// `npm run crash-test [-- --orders 100 --kills 5 --restarts 1 --renewals 10 --concurrency 10 --seed N]`:
// the crash test at full size; prints the counts and writes bench/results/crash-<date>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashTest } from './crash/run';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '100' },
      kills: { type: 'string', default: '5' },
      restarts: { type: 'string', default: '1' },
      renewals: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '10' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    },
  });
  const report = await runCrashTest({
    orders: Number(values.orders),
    workerKills: Number(values.kills),
    temporalRestarts: Number(values.restarts),
    renewals: Number(values.renewals),
    concurrency: Number(values.concurrency),
    seed: Number(values.seed),
    log: (line) => console.log(line),
  });
  console.log('\nCounts:');
  console.table(Object.entries({ ...report.counts, lines: JSON.stringify(report.counts.lines), apiRetries: report.apiRetries, orderSeconds: JSON.stringify(report.orderSeconds), wallSeconds: report.wallSeconds }).map(([what, n]) => ({ what, n })));
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `crash-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), file)}`);
  if (report.violations.length > 0) {
    console.log(`\n${report.violations.length} VIOLATIONS:\n${report.violations.join('\n')}`);
    process.exit(1);
  }
  console.log('\nNo violation: every line in the state its rules demand, every renewal on time and once, every payment once, every e-mail once.');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
