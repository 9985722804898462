// The floor's worker process: the same Worker defaults as worker/main.ts, its own task queue.
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { FLOOR_TASK_QUEUE, floorActivities } from './activities';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: FLOOR_TASK_QUEUE,
    workflowsPath: path.join(__dirname, 'workflows.ts'),
    activities: floorActivities,
  });
  console.log(`[floor-worker] polling task queue "${FLOOR_TASK_QUEUE}" on ${address}`);
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error('[floor-worker] failed:', err);
  process.exit(1);
});
