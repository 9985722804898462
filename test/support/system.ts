// The system under test, built from the same parts as production: a copy of the seeded PostgreSQL
// database, the embedded SMTP server receiving real SMTP, the sandbox gateway, a real worker on a
// Temporal server (time-skipping or dev), and the Express API listening on a real port.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, type NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { createApp } from '../../api/app';
import { listenApi } from '../../api/server';
import { createDb, type Db } from '../../infra/db';
import { createSmtpMailer } from '../../infra/mailer';
import { createSandboxGateway } from '../../infra/sandbox-gateway';
import { startSmtpInbox, type SmtpInbox } from '../../infra/smtp-inbox';
import { createWorker, workflowsPath } from '../../worker/create-worker';
import { copyOfDatabase } from './template-db';
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
  const inbox = await startSmtpInbox(db, 0);
  const smtpUrl = `smtp://127.0.0.1:${inbox.port}`;
  const taskQueue = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const gateway = createSandboxGateway(db);
  const activityDeps: ActivityDeps = {
    db,
    mailer: createSmtpMailer(smtpUrl),
    gateway,
    mailFrom: 'Marketplace <no-reply@marketplace.test>',
    opsAlertAddress: 'ops@marketplace.test',
    publicUrl: 'http://api.test',
    supportContact: 'support@marketplace.test',
  };

  const app = createApp({ db, temporal: opts.client, gateway, taskQueue, mailboxEnabled: true });
  const server: Server = await listenApi(app, 0, '127.0.0.1');
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const system: TestSystem = {
    db,
    databaseUrl: url,
    inbox,
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
      await inbox.close();
      activityDeps.mailer.close();
      await db.$disconnect();
      await dropDatabase(url);
    },
  };
  if (opts.withWorker !== false) await system.startWorker();
  return system;
}
