// Builds the worker that runs every workflow and activity on one task queue.
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

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
}

export async function createWorker(params: WorkerParams): Promise<Worker> {
  return Worker.create({
    connection: params.connection,
    namespace: params.namespace,
    taskQueue: params.taskQueue,
    activities: createActivities(params.deps),
    ...(params.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: params.maxCachedWorkflows } : {}),
    ...(params.workflowBundle ? { workflowBundle: params.workflowBundle } : { workflowsPath }),
  });
}
