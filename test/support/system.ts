// The system under test, built from the same parts as production: a copy of the seeded PostgreSQL
// database, the embedded SMTP server receiving real SMTP, the sandbox gateway, a real worker on a
// Temporal server (time-skipping or dev), and the Express API listening on a real port.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, type NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { createApp } from '../../api/app';
import { generousRateLimits } from '../../api/rate-limit';
import { listenApi } from '../../api/server';
import { createDb, type Db } from '../../infra/db';
import { createSmtpMailer } from '../../infra/mailer';
import { createSandboxGateway } from '../../infra/sandbox-gateway';
import { createSandboxPayouts } from '../../infra/sandbox-payouts';
import { startSmtpInbox, type SmtpInbox } from '../../infra/smtp-inbox';
import { createWorker, workflowsPath } from '../../worker/create-worker';
import { freePortRange } from './ports';
import { copyOfDatabase } from './template-db';
import { testDataConverter } from './payload-keys';
import { dropDatabase } from '../../infra/pg-admin';

// Quiet workers: warnings and errors only (Runtime.install may run once per process).
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed by another module of this process
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file (bundling takes a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never });
  return bundle;
}

/** A copy of the run's seeded template database (global-setup's, unless a benchmark gives its own). */
export async function freshDatabase(templateDb?: string): Promise<{ db: Db; url: string }> {
  // vitest is imported only when it runs us: scripts under bench/ build systems too.
  const url = await copyOfDatabase(templateDb ?? (await import('vitest')).inject('templateDb'));
  return { db: await createDb(url), url };
}

export interface TestSystem {
  db: Db;
  databaseUrl: string;
  inbox: SmtpInbox;
  /** Stops the SMTP server (an outage: connections refused), and starts it again on its port. */
  smtpDown(): Promise<void>;
  smtpUp(): Promise<void>;
  smtpUrl: string;
  taskQueue: string;
  apiUrl: string;
  activityDeps: ActivityDeps;
  /** Starts a worker in this process (stopped by `stop`). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestSystem(opts: {
  client: Client;
  nativeConnection: NativeConnection;
  namespace?: string;
  withWorker?: boolean;
  templateDb?: string;
}): Promise<TestSystem> {
  const { db, url } = await freshDatabase(opts.templateDb);
  // A port below the ephemeral range: while the server is down (smtpDown), an outgoing connection
  // could otherwise be given its port and keep it from starting again.
  let inbox = await startSmtpInbox(db, await freePortRange(1));
  const smtpPort = inbox.port;
  let smtpRunning = true;
  const smtpUrl = `smtp://127.0.0.1:${inbox.port}`;
  const taskQueue = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const gateway = createSandboxGateway(db);
  const activityDeps: ActivityDeps = {
    db,
    mailer: createSmtpMailer(smtpUrl),
    gateway,
    payouts: createSandboxPayouts(db),
    mailFrom: 'Marketplace <no-reply@marketplace.test>',
    opsAlertAddress: 'ops@marketplace.test',
    publicUrl: 'http://api.test',
    supportContact: 'support@marketplace.test',
  };

  // Rate limits high enough for suites that run thousands of requests from 127.0.0.1, same code paths.
  const app = createApp({ db, temporal: opts.client, gateway, taskQueue, mailboxEnabled: true, rateLimits: generousRateLimits() });
  const server: Server = await listenApi(app, 0, '127.0.0.1');
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const system: TestSystem = {
    db,
    databaseUrl: url,
    get inbox() {
      return inbox;
    },
    async smtpDown() {
      if (!smtpRunning) return;
      smtpRunning = false;
      await inbox.close();
    },
    async smtpUp() {
      if (smtpRunning) return;
      // The old server's socket can linger a moment after its close (connections it waits for).
      for (let attempt = 0; ; attempt++) {
        try {
          inbox = await startSmtpInbox(db, smtpPort);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 150) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      smtpRunning = true;
    },
    smtpUrl,
    taskQueue,
    apiUrl,
    activityDeps,
    async startWorker() {
      worker = await createWorker({
        connection: opts.nativeConnection,
        namespace: opts.namespace ?? 'default',
        taskQueue,
        deps: activityDeps,
        workflowBundle: await workflowBundle(),
        dataConverter: testDataConverter(), // X-7: the test keys, as the environments' clients
      });
      running = worker.run();
    },
    async stopWorker() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      worker = undefined;
    },
    async stop() {
      await system.stopWorker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      if (smtpRunning) await inbox.close();
      activityDeps.mailer.close();
      await db.$disconnect();
      await dropDatabase(url);
    },
  };
  if (opts.withWorker !== false) await system.startWorker();
  return system;
}
