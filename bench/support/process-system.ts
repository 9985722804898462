// The whole system as separate OS processes, the way it runs in production: PostgreSQL (the
// embedded one, or TEST_DATABASE_URL's server), the Temporal dev server on its persistent file,
// one worker process, one API process, and (in this process) the SMTP mailbox and a database
// client to check the outcome. Each part can be killed
// and started again: the crash test does, and the benchmark reads each process's peak memory.
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../infra/config';
import { createDb, type Db } from '../../infra/db';
import { startDevServer, type DevServer } from '../../infra/dev-server';
import { startSmtpInbox, type SmtpInbox } from '../../infra/smtp-inbox';
import { startDatabaseServer, type DatabaseServer } from '../../test/support/database-server';
import { spawnNodeProcess, type NodeProcess } from '../../test/support/node-process';
import { seededDatabase } from '../../test/support/template-db';
import { freePort } from './ports';

export interface ProcessSystem {
  dir: string;
  db: Db;
  databaseUrl: string;
  apiUrl: string;
  temporalAddress: string;
  taskQueue: string;
  worker(): NodeProcess | undefined;
  api(): NodeProcess;
  startWorker(): Promise<void>;
  /** SIGKILL: the worker dies mid-task, as on a crashed machine. */
  killWorker(): Promise<void>;
  /** Kills the Temporal server (`signal`) and starts it again on the same file and port. */
  restartTemporal(signal?: NodeJS.Signals): Promise<void>;
  /** Stops PostgreSQL and starts it again on the same data (embedded server only). */
  restartDatabase(): Promise<void>;
  stop(keepFiles?: boolean): Promise<void>;
}

export async function startProcessSystem(opts: { log?: (line: string) => void } = {}): Promise<ProcessSystem> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'marketplace-system-'));
  log(`[system] Temporal files and logs in ${dir}`);
  // Durable, as in production: the benchmark measures real commits.
  const databaseServer: DatabaseServer = await startDatabaseServer({ durable: true });
  const databaseUrl = databaseServer.url(`marketplace_${process.pid}`);
  await seededDatabase(databaseUrl);
  const db = await createDb(databaseUrl);

  const inbox: SmtpInbox = await startSmtpInbox(db, 0);
  const temporalPort = await freePort();
  const uiPort = await freePort();
  const temporalLog = openSync(path.join(dir, 'temporal.log'), 'a');
  const startTemporal = () => startDevServer({ dbFile: path.join(dir, 'temporal.db'), port: temporalPort, uiPort, stderr: temporalLog });
  let temporal: DevServer = await startTemporal();
  const taskQueue = 'marketplace';
  const apiPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: databaseUrl,
    SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
    TASK_QUEUE: taskQueue,
    API_PORT: String(apiPort),
    PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
  };
  const spawnWorker = () =>
    spawnNodeProcess({ entry: path.join(projectRoot, 'worker', 'main.ts'), env, readyText: 'polling task queue', logFile: path.join(dir, 'worker.log') });
  let worker: NodeProcess | undefined = await spawnWorker();
  const api = await spawnNodeProcess({ entry: path.join(projectRoot, 'api', 'main.ts'), env, readyText: 'listening on', logFile: path.join(dir, 'api.log') });
  log(`[system] Temporal ${temporal.address} (UI ${temporal.uiUrl}), API ${env.PUBLIC_URL}, SMTP :${inbox.port}`);

  return {
    dir,
    db,
    databaseUrl,
    apiUrl: env.PUBLIC_URL!,
    temporalAddress: temporal.address,
    taskQueue,
    worker: () => worker,
    api: () => api,
    async startWorker() {
      if (worker) throw new Error('a worker is already running');
      worker = await spawnWorker();
    },
    async killWorker() {
      await worker?.kill('SIGKILL');
      worker = undefined;
    },
    async restartTemporal(signal = 'SIGKILL') {
      await new Promise<void>((resolve) => {
        if (temporal.process.exitCode !== null) return resolve();
        temporal.process.once('exit', () => resolve());
        temporal.process.kill(signal);
      });
      temporal = await startTemporal();
    },
    async restartDatabase() {
      await databaseServer.restart();
    },
    /** `keepFiles`: leave the databases and logs for a look (a failed run). */
    async stop(keepFiles = false) {
      await worker?.kill('SIGTERM');
      await api.kill('SIGTERM');
      await temporal.stop();
      await inbox.close();
      await db.$disconnect();
      await databaseServer.stop(keepFiles);
      if (keepFiles) log(`[system] files kept in ${dir} (PostgreSQL's in ${databaseServer.dir ?? 'its server'})`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
