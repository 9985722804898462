// Builds the worker that runs every workflow and activity on one task queue.
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { activityErrorClassifier } from './activity-error-classifier';

/** The workflows entry point, bundled by the worker (TypeScript source: the code runs under tsx). */
export const workflowsPath = path.resolve(__dirname, '..', 'workflows', 'index.ts');

export interface WorkerParams {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A bundle made once (tests); otherwise the worker bundles `workflows/` at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Workflows kept in memory between tasks (sticky execution); 0 turns the cache off. */
  maxCachedWorkflows?: number;
  /**
   * the payload codec (infra/payload-codec.ts). The SDK also hands it to the worker's own
   * Client, the one activities reach through `Context.current().client` (activities/withdrawal.ts).
   */
  dataConverter: DataConverter;
}

export async function createWorker(params: WorkerParams): Promise<Worker> {
  return Worker.create({
    connection: params.connection,
    namespace: params.namespace,
    taskQueue: params.taskQueue,
    dataConverter: params.dataConverter,
    activities: createActivities(params.deps),
    // Issue 9: errors no retry can fix fail the activity at once; each failed attempt is logged and counted.
    interceptors: { activity: [activityErrorClassifier()] },
    ...(params.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: params.maxCachedWorkflows } : {}),
    ...(params.workflowBundle ? { workflowBundle: params.workflowBundle } : { workflowsPath }),
  });
}
