// `npm run bench [-- --orders 500 --concurrency 20 --warmup 20 --topology both]`: the load
// benchmark against the engine's floor, on each topology (bench/support/process-system.ts):
//  1. Our system as in production: N orders of 2 lines placed and accepted over HTTP until every
//     line is active (embedded: dev server, one worker, one API; cluster: the four Temporal
//     services on PostgreSQL, two workers, two APIs).
//  2. The floor on the same topology, fresh: bare workflows with the same shape (starts, updates,
//     activities, counted from one of our orders) and as many workers, driven from a client.
//  3. One subscription-year of monthly renewals under time skipping.
// Also counted per order: CPU seconds of each process, and the database's transactions and
// statements (pg_stat_database, pg_stat_statements). Prints the tables and writes every figure to
// bench/results/<date>.json.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { driveFloor } from './floor/drive';
import { FLOOR_TASK_QUEUE } from './floor/activities';
import type { FloorShape } from './floor/workflows';
import { placeAndAcceptOrders, type LoadRun } from './load/drive-orders';
import { measureOrderShape } from './load/order-shape';
import { simulateSubscriptionYear } from './subscription-year';
import { countCpu } from './support/cpu';
import { countDbWork, statementStatsSettings } from './support/db-stats';
import { sampleMemory } from './support/memory';
import { spawnNodeProcess } from '../infra/node-process';
import { startDatabaseServer } from '../test/support/database-server';
import { startProcessSystem, startTemporalBackend, type Topology } from './support/process-system';
import { latencySummary } from './support/stats';

const log = (line: string) => console.log(line);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function summarize(run: LoadRun, orders: number) {
  return {
    ordersPerSecond: round(orders / (run.wallMs / 1000)),
    wallSeconds: round(run.wallMs / 1000, 1),
    checkoutMs: latencySummary(run.timings.map((t) => t.checkoutMs)),
    acceptMs: latencySummary(run.timings.flatMap((t) => t.acceptMs)),
    endToEndMs: latencySummary(run.timings.map((t) => t.endToEndMs)),
    retries: run.retries,
    readinessPolls: run.readinessPolls,
  };
}

/** CPU seconds per order, by process. */
const perOrder = (cpu: Record<string, number>, orders: number) => Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v / orders, 3)]));

/** What the APIs logged as unexpected failures (each a 503 to the client), grouped by cause. */
function apiErrors(dir: string): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const file of ['api.log', 'api-1.log', 'api-2.log'].map((f) => path.join(dir, f))) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    lines.forEach((line, i) => {
      if (!line.startsWith('[api] ') || line.includes('listening on')) return;
      // The cause is on the first line of the error that says what happened.
      const cause = lines.slice(i, i + 12).find((l) => /timed out|deadlock|serializ|UNAVAILABLE|DEADLINE|ECONN|P20\d\d/i.test(l)) ?? line;
      const key = `${line.split(':')[0]}: ${cause.trim().slice(0, 120)}`;
      errors[key] = (errors[key] ?? 0) + 1;
    });
  }
  return errors;
}

async function benchOurSystem(topology: Topology, orders: number, concurrency: number, warmup: number) {
  const sys = await startProcessSystem({ topology, log, databaseSettings: statementStatsSettings });
  const connection = await Connection.connect({ address: sys.temporalAddress });
  try {
    log(`[bench] ${topology}, our system: warm-up, ${warmup} orders`);
    const warm = await placeAndAcceptOrders(sys.apiUrls, { orders: warmup, concurrency, tag: 'warmup' });
    log(`[bench] ${topology}, our system: ${orders} orders, ${concurrency} at a time`);
    const memory = sampleMemory(sys.pids());
    const cpu = countCpu(sys.pids());
    const dbWork = await countDbWork(sys.databaseUrl);
    const run = await placeAndAcceptOrders(sys.apiUrls, { orders, concurrency, tag: 'run' });
    const cpuSeconds = cpu.stop();
    const peakMiB = memory.stop();
    const db = await dbWork();
    const active = await sys.db.orderLine.count({ where: { status: 'active' } });
    if (active !== 2 * (orders + warmup)) throw new Error(`${active} active lines, expected ${2 * (orders + warmup)}`);
    const shape = await measureOrderShape(new Client({ connection, dataConverter: sys.dataConverter }), warm.timings[0]);
    return {
      ...summarize(run, orders),
      peakMiB,
      cpuSecondsPerOrder: perOrder(cpuSeconds, orders),
      database: { transactionsPerOrder: round(db.transactions / orders, 1), statementsPerOrder: db.statements !== undefined ? round(db.statements / orders, 1) : undefined, topStatements: db.topStatements },
      shape,
      apiErrors: apiErrors(sys.dir),
    };
  } finally {
    await connection.close();
    await sys.stop();
  }
}

async function benchFloor(topology: Topology, orders: number, concurrency: number, warmup: number, shape: FloorShape) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'marketplace-floor-'));
  const databaseServer = await startDatabaseServer({ durable: true });
  const temporal = await startTemporalBackend(topology, dir, databaseServer.url('postgres'));
  const workerCount = topology === 'cluster' ? 2 : 1;
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () =>
      spawnNodeProcess({ entry: path.join(__dirname, 'floor', 'worker.ts'), env: { ...process.env, TEMPORAL_ADDRESS: temporal.address }, readyText: 'polling task queue' }),
    ),
  );
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const client = new Client({ connection });
    log(`[bench] ${topology}, engine floor: warm-up, ${warmup} orders`);
    await driveFloor(client, { orders: warmup, concurrency, tag: 'warmup', shape, taskQueue: FLOOR_TASK_QUEUE });
    log(`[bench] ${topology}, engine floor: ${orders} bare orders, ${concurrency} at a time, shape ${JSON.stringify(shape)}`);
    const pids = {
      ...Object.fromEntries(workers.map((w, i) => [`worker-${i + 1}`, w.child.pid])),
      ...temporal.pids(),
      ...(topology === 'cluster' ? { postgres: databaseServer.pid?.() } : {}),
      driver: process.pid,
    };
    const memory = sampleMemory(pids);
    const cpu = countCpu(pids);
    const run = await driveFloor(client, { orders, concurrency, tag: 'run', shape, taskQueue: FLOOR_TASK_QUEUE });
    const cpuSeconds = cpu.stop();
    return { ...summarize(run, orders), peakMiB: memory.stop(), cpuSecondsPerOrder: perOrder(cpuSeconds, orders) };
  } finally {
    await connection.close();
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await temporal.stop();
    await databaseServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Ours = Awaited<ReturnType<typeof benchOurSystem>>;
type Floor = Awaited<ReturnType<typeof benchFloor>>;

function table(topology: Topology, orders: number, concurrency: number, ours: Ours, floor: Floor, ratio: number): string {
  const mem = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ');
  const cpuTotal = (c: Record<string, number>) => round(Object.values(c).reduce((a, b) => a + b, 0), 3);
  return [
    `**${topology}**`,
    '',
    '| | our system | engine floor |',
    '|---|---|---|',
    `| orders/s (${orders} orders × 2 lines, ${concurrency} at a time) | ${ours.ordersPerSecond} | ${floor.ordersPerSecond} |`,
    `| ratio (ours / floor) | ${ratio} | 1 |`,
    `| checkout p50 / p95 / p99 (ms) | ${ours.checkoutMs.p50} / ${ours.checkoutMs.p95} / ${ours.checkoutMs.p99} | ${floor.checkoutMs.p50} / ${floor.checkoutMs.p95} / ${floor.checkoutMs.p99} |`,
    `| accept p50 / p95 / p99 (ms) | ${ours.acceptMs.p50} / ${ours.acceptMs.p95} / ${ours.acceptMs.p99} | ${floor.acceptMs.p50} / ${floor.acceptMs.p95} / ${floor.acceptMs.p99} |`,
    `| checkout → every line active p50 / p99 (ms) | ${ours.endToEndMs.p50} / ${ours.endToEndMs.p99} | ${floor.endToEndMs.p50} / ${floor.endToEndMs.p99} |`,
    `| requests retried after a 5xx / readiness polls | ${ours.retries} / ${ours.readinessPolls} | – / ${floor.readinessPolls} |`,
    `| CPU seconds per order, all processes | ${cpuTotal(ours.cpuSecondsPerOrder)} | ${cpuTotal(floor.cpuSecondsPerOrder)} |`,
    `| CPU seconds per order, by process | ${mem(ours.cpuSecondsPerOrder)} | ${mem(floor.cpuSecondsPerOrder)} |`,
    `| database transactions / statements per order | ${ours.database.transactionsPerOrder} / ${ours.database.statementsPerOrder ?? '–'} | |`,
    `| peak memory (MiB) | ${mem(ours.peakMiB)} | ${mem(floor.peakMiB)} |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '20' },
      topology: { type: 'string', default: 'both' },
    },
  });
  const orders = Number(values.orders);
  const concurrency = Number(values.concurrency);
  const warmup = Number(values.warmup);
  const topologies: Topology[] = values.topology === 'both' ? ['embedded', 'cluster'] : [values.topology as Topology];

  const results: Record<string, { ours: Ours; floor: Floor; ratio: number; table: string }> = {};
  for (const topology of topologies) {
    const ours = await benchOurSystem(topology, orders, concurrency, warmup);
    const floor = await benchFloor(topology, orders, concurrency, warmup, ours.shape);
    const ratio = round(ours.ordersPerSecond / floor.ordersPerSecond, 3);
    results[topology] = { ours, floor, ratio, table: table(topology, orders, concurrency, ours, floor, ratio) };
    console.log(`\n${results[topology].table}\n`);
  }
  log('[bench] one subscription-year under time skipping');
  const subscriptionYear = await simulateSubscriptionYear();
  console.log(`one subscription-year (12 monthly renewals) under time skipping: ${subscriptionYear.wallSeconds} s wall`);

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    params: { orders, linesPerOrder: 2, concurrency, warmup, topologies },
    ...results,
    subscriptionYear,
  };
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.date.slice(0, 10)}${values.topology === 'both' ? '' : `-${values.topology}`}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
