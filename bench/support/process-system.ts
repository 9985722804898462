// The whole system as separate OS processes, the way it runs in production, in one of two
// topologies:
// - `embedded`: the Temporal dev server (one process, its own file), one worker, one API;
// - `cluster`: a Temporal cluster (frontend, history, matching and worker services as separate
//   `temporal-server` processes) on PostgreSQL, two workers and two APIs.
// Both use PostgreSQL (the embedded one, or TEST_DATABASE_URL's server) for the application data,
// and (in this process) the SMTP mailbox and a database client to check the outcome. Each part can
// be killed and started again: the crash test does, and the benchmark reads each process's CPU
// time and peak memory.
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { projectRoot } from '../../infra/config';
import { createDb, type Db } from '../../infra/db';
import { startDevServer, type DevServer } from '../../infra/dev-server';
import { startSmtpInbox, type SmtpInbox } from '../../infra/smtp-inbox';
import { postgresEndpointFromUrl, startTemporalCluster, type ServiceName, type TemporalCluster } from '../../infra/temporal-cluster';
import { startDatabaseServer, type DatabaseServer } from '../../test/support/database-server';
import { spawnNodeProcess, type NodeProcess } from '../../infra/node-process';
import { seededDatabase } from '../../test/support/template-db';
import { testDataConverter, testPayloadEnv } from '../../test/support/payload-keys';
import { freePort, freePortRange } from '../../test/support/ports';

export type Topology = 'embedded' | 'cluster';

export interface ProcessSystem {
  topology: Topology;
  dir: string;
  db: Db;
  databaseUrl: string;
  /** One URL per API process. */
  apiUrls: string[];
  apiUrl: string;
  temporalAddress: string;
  uiUrl?: string;
  taskQueue: string;
  /** X-7: what a client of this system needs to read its payloads (the test keys its processes get). */
  dataConverter: DataConverter;
  workers(): (NodeProcess | undefined)[];
  apis(): NodeProcess[];
  startWorker(index?: number): Promise<void>;
  /** SIGKILL: the worker dies mid-task, as on a crashed machine. */
  killWorker(index?: number): Promise<void>;
  /** Embedded: kills the dev server (`signal`) and starts it again on the same file and port. */
  restartTemporal(signal?: NodeJS.Signals): Promise<void>;
  /** Cluster: SIGKILLs one Temporal service and starts it again. */
  restartTemporalService(service: ServiceName): Promise<void>;
  /** SIGKILLs PostgreSQL and starts it again on the same data (it recovers from its WAL). */
  restartDatabase(): Promise<void>;
  /** Process ids by role, for CPU and memory sampling. */
  pids(): Record<string, number | undefined>;
  stop(keepFiles?: boolean): Promise<void>;
}

export interface ProcessSystemOptions {
  topology?: Topology;
  /** Default: 1 (embedded) or 2 (cluster). */
  workers?: number;
  apis?: number;
  /** Server settings for the embedded PostgreSQL (the benchmark counts statements). */
  databaseSettings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface TemporalBackend {
  address: string;
  uiUrl?: string;
  pids(): Record<string, number | undefined>;
  restart(signal: NodeJS.Signals): Promise<void>;
  restartService(service: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

/** The Temporal side of a topology alone (the benchmark's engine floor uses it too). */
export function startTemporalBackend(topology: Topology, dir: string, databaseUrl: string): Promise<TemporalBackend> {
  return topology === 'cluster' ? clusterTemporal(dir, databaseUrl) : embeddedTemporal(dir);
}

async function embeddedTemporal(dir: string): Promise<TemporalBackend> {
  const port = await freePort();
  const uiPort = await freePort();
  const logFd = openSync(path.join(dir, 'temporal.log'), 'a');
  const start = () => startDevServer({ dbFile: path.join(dir, 'temporal.db'), port, uiPort, stderr: logFd });
  let server: DevServer = await start();
  return {
    address: server.address,
    uiUrl: server.uiUrl,
    pids: () => ({ temporal: server.process.pid }),
    async restart(signal) {
      await new Promise<void>((resolve) => {
        if (server.process.exitCode !== null) return resolve();
        server.process.once('exit', () => resolve());
        server.process.kill(signal);
      });
      server = await start();
    },
    async restartService() {
      throw new Error('the embedded dev server is one process: use restart()');
    },
    stop: () => server.stop(),
  };
}

async function clusterTemporal(dir: string, databaseUrl: string): Promise<TemporalBackend> {
  const cluster: TemporalCluster = await startTemporalCluster({
    dir: path.join(dir, 'temporal'),
    postgres: postgresEndpointFromUrl(databaseUrl),
    basePort: await freePortRange(),
  });
  return {
    address: cluster.frontendAddress,
    uiUrl: cluster.uiUrl,
    pids: () => Object.fromEntries(Object.entries(cluster.services).map(([name, s]) => [`temporal-${name}`, s.process.pid])),
    async restart() {
      throw new Error('a cluster restarts one service at a time: use restartService()');
    },
    async restartService(service) {
      cluster.services[service].kill('SIGKILL');
      await cluster.services[service].restart();
    },
    stop: () => cluster.stop(),
  };
}

export async function startProcessSystem(opts: ProcessSystemOptions = {}): Promise<ProcessSystem> {
  const log = opts.log ?? (() => undefined);
  const topology = opts.topology ?? 'embedded';
  const workerCount = opts.workers ?? (topology === 'cluster' ? 2 : 1);
  const apiCount = opts.apis ?? (topology === 'cluster' ? 2 : 1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'marketplace-system-'));
  log(`[system] ${topology}: Temporal files and logs in ${dir}`);
  // Durable, as in production: the benchmark measures real commits, the crash test real recovery.
  const databaseServer: DatabaseServer = await startDatabaseServer({ durable: true, settings: opts.databaseSettings });
  const databaseUrl = databaseServer.url(`marketplace_${process.pid}`);
  await seededDatabase(databaseUrl);
  const db = await createDb(databaseUrl);

  const inbox: SmtpInbox = await startSmtpInbox(db, 0);
  const temporal = await startTemporalBackend(topology, dir, databaseUrl);
  const taskQueue = 'marketplace';
  const apiPorts = await Promise.all(Array.from({ length: apiCount }, () => freePort()));
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: databaseUrl,
    SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
    TASK_QUEUE: taskQueue,
    PUBLIC_URL: `http://127.0.0.1:${apiPorts[0]}`,
    ...testPayloadEnv, // X-7: the workers and APIs encrypt every payload
    // A benchmark or crash test sends thousands of checkouts from 127.0.0.1: no rate limit applies.
    RATE_LIMITS: 'off',
    ...extra,
  });
  const spawnWorker = (i: number) =>
    spawnNodeProcess({ entry: path.join(projectRoot, 'worker', 'main.ts'), env: env(), readyText: 'polling task queue', logFile: path.join(dir, `worker-${i + 1}.log`) });
  const workers: (NodeProcess | undefined)[] = await Promise.all(Array.from({ length: workerCount }, (_, i) => spawnWorker(i)));
  const apis = await Promise.all(
    apiPorts.map((port, i) =>
      spawnNodeProcess({ entry: path.join(projectRoot, 'api', 'main.ts'), env: env({ API_PORT: String(port) }), readyText: 'listening on', logFile: path.join(dir, `api-${i + 1}.log`) }),
    ),
  );
  const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
  log(`[system] Temporal ${temporal.address}${temporal.uiUrl ? ` (UI ${temporal.uiUrl})` : ''}, ${workerCount} worker(s), API ${apiUrls.join(' ')}, SMTP :${inbox.port}`);

  return {
    topology,
    dir,
    db,
    databaseUrl,
    apiUrls,
    apiUrl: apiUrls[0],
    temporalAddress: temporal.address,
    uiUrl: temporal.uiUrl,
    taskQueue,
    dataConverter: testDataConverter(),
    workers: () => workers,
    apis: () => apis,
    async startWorker(index = 0) {
      if (workers[index]) throw new Error(`worker ${index + 1} is already running`);
      workers[index] = await spawnWorker(index);
    },
    async killWorker(index = 0) {
      await workers[index]?.kill('SIGKILL');
      workers[index] = undefined;
    },
    restartTemporal: (signal = 'SIGKILL') => temporal.restart(signal),
    restartTemporalService: (service) => temporal.restartService(service),
    async restartDatabase() {
      await databaseServer.restart({ kill: true });
    },
    pids: () => ({
      ...Object.fromEntries(workers.map((w, i) => [`worker-${i + 1}`, w?.child.pid])),
      ...Object.fromEntries(apis.map((a, i) => [`api-${i + 1}`, a.child.pid])),
      ...temporal.pids(),
      postgres: databaseServer.pid?.(),
      // This process: the load driver, the SMTP mailbox and the checks.
      driver: process.pid,
    }),
    /** `keepFiles`: leave the databases and logs for a look (a failed run). */
    async stop(keepFiles = false) {
      await Promise.all(workers.map((w) => w?.kill('SIGTERM')));
      await Promise.all(apis.map((a) => a.kill('SIGTERM')));
      await temporal.stop();
      await inbox.close();
      await db.$disconnect();
      await databaseServer.stop(keepFiles);
      if (keepFiles) log(`[system] files kept in ${dir} (PostgreSQL's in ${databaseServer.dir ?? 'its server'})`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
