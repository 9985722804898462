// `npm run crash-test [-- --topology embedded|cluster --orders 100 --kills 5 --restarts 1
// --db-restarts 1 --renewals 10 --concurrency 10 --seed N]`: the crash test at full size; prints
// the counts and writes bench/results/crash-<date>[-cluster].json. On the cluster, `--restarts N`
// kills the history service N times and the matching service N times.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashTest } from './crash/run';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      topology: { type: 'string', default: 'embedded' },
      orders: { type: 'string', default: '100' },
      'db-restarts': { type: 'string', default: '1' },
      kills: { type: 'string', default: '5' },
      restarts: { type: 'string', default: '1' },
      renewals: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '10' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    },
  });
  const topology = values.topology === 'cluster' ? 'cluster' : 'embedded';
  const report = await runCrashTest({
    topology,
    databaseRestarts: Number(values['db-restarts']),
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
  const file = path.join(dir, `crash-${new Date().toISOString().slice(0, 10)}${topology === 'cluster' ? '-cluster' : ''}.json`);
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
