// A worker in its own OS process (`npm run worker`'s entry point), so a test can SIGKILL it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../infra/config';
import type { TestSystem } from './system';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnWorker(temporalAddress: string, sys: TestSystem): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'worker', 'main.ts')], {
    cwd: projectRoot,
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the test process, even when a test times out before its cleanup.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // Ready once it polls (it bundles the workflows first).
  const deadline = Date.now() + 60_000;
  while (!output.includes('polling task queue')) {
    if (child.exitCode !== null) throw new Error(`worker exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`worker did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output: () => output,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
