// The floor's load, straight from a Temporal client: the same starts (update-with-start, as the
// checkout does), the same polling for a line to be ready, the same accept updates.
import { Client, WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import { inParallel } from '../support/api-client';
import type { LoadRun, OrderTiming } from '../load/drive-orders';
import { acceptUpdate, floorLineId, floorOrder, lineStatusQuery, placedUpdate, type FloorShape } from './workflows';

export async function driveFloor(client: Client, opts: { orders: number; concurrency: number; tag: string; shape: FloorShape; taskQueue: string }): Promise<LoadRun> {
  const started = performance.now();
  let polls = 0;
  const timings = await inParallel(Array.from({ length: opts.orders }), opts.concurrency, async (_, i): Promise<OrderTiming> => {
    const t0 = performance.now();
    const workflowId = `FloorOrder:${opts.tag}-${i}`;
    await client.workflow.executeUpdateWithStart(placedUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(floorOrder, { workflowId, taskQueue: opts.taskQueue, args: [opts.shape], workflowIdConflictPolicy: 'USE_EXISTING' }),
    });
    const checkoutMs = performance.now() - t0;
    const acceptMs = await Promise.all(
      Array.from({ length: opts.shape.lines }, async (_, l) => {
        const handle = client.workflow.getHandle(floorLineId(workflowId, l));
        for (;;) {
          polls++;
          try {
            if ((await handle.query(lineStatusQuery)) === 'awaiting_validation') break;
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        const a0 = performance.now();
        const status = await handle.executeUpdate(acceptUpdate);
        if (status !== 'active') throw new Error(`floor line ${l}: ${status}`);
        return performance.now() - a0;
      }),
    );
    return { orderId: workflowId, lineIds: [], checkoutMs, acceptMs, endToEndMs: performance.now() - t0 };
  });
  return { timings, wallMs: performance.now() - started, retries: 0, readinessPolls: polls };
}
