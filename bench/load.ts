// `npm run bench [-- --orders 500 --concurrency 20]`: the load benchmark against the engine's floor.
//  1. Our system as in production (dev server on its SQLite file, worker and API processes):
//     N orders of 2 lines placed and accepted over HTTP until every line is active.
//  2. The floor: a fresh dev server and a worker of bare workflows with the same shape (starts,
//     updates, activities, counted from one of our orders), driven straight from a client.
//  3. One subscription-year of monthly renewals under time skipping.
// Prints the table and writes every figure to bench/results/<date>.json.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../infra/dev-server';
import { driveFloor } from './floor/drive';
import { FLOOR_TASK_QUEUE } from './floor/activities';
import type { FloorShape } from './floor/workflows';
import { placeAndAcceptOrders, type LoadRun } from './load/drive-orders';
import { measureOrderShape } from './load/order-shape';
import { simulateSubscriptionYear } from './subscription-year';
import { sampleMemory } from './support/memory';
import { spawnNodeProcess } from '../test/support/node-process';
import { freePort } from './support/ports';
import { startProcessSystem } from './support/process-system';
import { latencySummary } from './support/stats';

const log = (line: string) => console.log(line);

function summarize(run: LoadRun, orders: number) {
  return {
    ordersPerSecond: Math.round((orders / (run.wallMs / 1000)) * 100) / 100,
    wallSeconds: Math.round(run.wallMs / 100) / 10,
    checkoutMs: latencySummary(run.timings.map((t) => t.checkoutMs)),
    acceptMs: latencySummary(run.timings.flatMap((t) => t.acceptMs)),
    endToEndMs: latencySummary(run.timings.map((t) => t.endToEndMs)),
    retries: run.retries,
    readinessPolls: run.readinessPolls,
  };
}

/** What the API logged as unexpected failures (each a 503 to the client), grouped by cause. */
function apiErrors(logFile: string): Record<string, number> {
  const errors: Record<string, number> = {};
  const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
  lines.forEach((line, i) => {
    if (!line.startsWith('[api] ') || line.includes('listening on')) return;
    // The cause is on the first line of the error that says what happened.
    const cause = lines.slice(i, i + 12).find((l) => /timed out|busy|locked|UNAVAILABLE|DEADLINE|ECONN/i.test(l)) ?? line;
    const key = `${line.split(':')[0]}: ${cause.trim().slice(0, 120)}`;
    errors[key] = (errors[key] ?? 0) + 1;
  });
  return errors;
}

async function benchOurSystem(orders: number, concurrency: number, warmup: number) {
  const sys = await startProcessSystem({ log });
  const connection = await Connection.connect({ address: sys.temporalAddress });
  try {
    log(`[bench] warm-up: ${warmup} orders`);
    const warm = await placeAndAcceptOrders(sys.apiUrl, { orders: warmup, concurrency, tag: 'warmup' });
    log(`[bench] our system: ${orders} orders, ${concurrency} at a time`);
    const memory = sampleMemory({ worker: sys.worker()?.child.pid, api: sys.api().child.pid });
    const run = await placeAndAcceptOrders(sys.apiUrl, { orders, concurrency, tag: 'run' });
    const peakMiB = memory.stop();
    const active = await sys.db.orderLine.count({ where: { status: 'active' } });
    if (active !== 2 * (orders + warmup)) throw new Error(`${active} active lines, expected ${2 * (orders + warmup)}`);
    const shape = await measureOrderShape(new Client({ connection }), warm.timings[0]);
    return { ...summarize(run, orders), peakMiB, shape, apiErrors: apiErrors(path.join(sys.dir, 'api.log')) };
  } finally {
    await connection.close();
    await sys.stop();
  }
}

async function benchFloor(orders: number, concurrency: number, warmup: number, shape: FloorShape) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'marketplace-floor-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), port: await freePort(), uiPort: await freePort(), stderr: 'ignore' });
  const worker = await spawnNodeProcess({ entry: path.join(__dirname, 'floor', 'worker.ts'), env: { ...process.env, TEMPORAL_ADDRESS: server.address }, readyText: 'polling task queue' });
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    log(`[bench] floor warm-up: ${warmup} orders`);
    await driveFloor(client, { orders: warmup, concurrency, tag: 'warmup', shape, taskQueue: FLOOR_TASK_QUEUE });
    log(`[bench] engine floor: ${orders} bare orders, ${concurrency} at a time, shape ${JSON.stringify(shape)}`);
    const memory = sampleMemory({ worker: worker.child.pid });
    const run = await driveFloor(client, { orders, concurrency, tag: 'run', shape, taskQueue: FLOOR_TASK_QUEUE });
    return { ...summarize(run, orders), peakMiB: memory.stop() };
  } finally {
    await connection.close();
    await worker.kill('SIGTERM');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '20' },
    },
  });
  const orders = Number(values.orders);
  const concurrency = Number(values.concurrency);
  const warmup = Number(values.warmup);

  const ours = await benchOurSystem(orders, concurrency, warmup);
  const floor = await benchFloor(orders, concurrency, warmup, ours.shape);
  log('[bench] one subscription-year under time skipping');
  const subscriptionYear = await simulateSubscriptionYear();

  const ratio = Math.round((ours.ordersPerSecond / floor.ordersPerSecond) * 1000) / 1000;
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    params: { orders, linesPerOrder: 2, concurrency, warmup },
    ours,
    floor,
    ratio,
    subscriptionYear,
  };
  const table = [
    '| | our system | engine floor |',
    '|---|---|---|',
    `| orders/s (${orders} orders × 2 lines, ${concurrency} at a time) | ${ours.ordersPerSecond} | ${floor.ordersPerSecond} |`,
    `| ratio (ours / floor) | ${ratio} | 1 |`,
    `| checkout p50 / p95 / p99 (ms) | ${ours.checkoutMs.p50} / ${ours.checkoutMs.p95} / ${ours.checkoutMs.p99} | ${floor.checkoutMs.p50} / ${floor.checkoutMs.p95} / ${floor.checkoutMs.p99} |`,
    `| accept p50 / p95 / p99 (ms) | ${ours.acceptMs.p50} / ${ours.acceptMs.p95} / ${ours.acceptMs.p99} | ${floor.acceptMs.p50} / ${floor.acceptMs.p95} / ${floor.acceptMs.p99} |`,
    `| checkout → every line active p50 / p99 (ms) | ${ours.endToEndMs.p50} / ${ours.endToEndMs.p99} | ${floor.endToEndMs.p50} / ${floor.endToEndMs.p99} |`,
    `| requests retried after a 5xx / readiness polls | ${ours.retries} / ${ours.readinessPolls} | – / ${floor.readinessPolls} |`,
    `| peak memory (MiB) | worker ${ours.peakMiB.worker}, API ${ours.peakMiB.api} | worker ${floor.peakMiB.worker} |`,
    `| one subscription-year (12 monthly renewals) under time skipping | ${subscriptionYear.wallSeconds} s wall | |`,
  ].join('\n');
  console.log(`\n${table}\n`);
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.date.slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify({ ...result, table }, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
