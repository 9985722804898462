// A worker in its own OS process (`npm run worker`'s entry point), so a test can SIGKILL it.
import path from 'node:path';
import { projectRoot } from '../../infra/config';
import { spawnNodeProcess, type NodeProcess } from '../../infra/node-process';
import type { TestSystem } from './system';

export type WorkerProcess = NodeProcess;

/** `extraEnv` adds or overrides settings (e.g. a metrics endpoint, a cache size). */
export function spawnWorker(temporalAddress: string, sys: TestSystem, extraEnv: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  return spawnNodeProcess({
    entry: path.join(projectRoot, 'worker', 'main.ts'),
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: sys.databaseUrl,
      SMTP_URL: sys.smtpUrl,
      TASK_QUEUE: sys.taskQueue,
      OPS_ALERT_ADDRESS: sys.activityDeps.opsAlertAddress,
      SUPPORT_CONTACT: sys.activityDeps.supportContact,
      PUBLIC_URL: sys.activityDeps.publicUrl,
      // The time-skipping server never hands a dead worker's sticky workflow tasks back to the
      // normal queue (a real server does after a few seconds), so these workers keep no cache.
      WORKER_MAX_CACHED_WORKFLOWS: '0',
      ...extraEnv,
    },
    // Ready once it polls (it bundles the workflows first).
    readyText: 'polling task queue',
  });
}
