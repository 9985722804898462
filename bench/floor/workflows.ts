// The engine's floor: bare workflows with the order process's shape (the same starts, updates and
// activities, counted from a recorded order) and none of its work: every activity is a no-op.
// What our order process costs above this is the price of its database, e-mail and rules.
import { ParentClosePolicy, condition, defineQuery, defineUpdate, executeChild, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { floorActivities } from './activities';

export interface FloorShape {
  lines: number;
  /** Activities of Order:<id> (the first is the charge the checkout waits for). */
  orderActivities: number;
  /** Activities of each OrderLine before and after the seller's accept. */
  lineActivitiesBeforeAccept: number;
  lineActivitiesAfterAccept: number;
  /** Activities a new Subscription runs before its first timer. */
  subscriptionActivities: number;
}

// The same timeouts as the real activities (workflows/activity-options.ts).
const { noop } = proxyActivities<typeof floorActivities>({ startToCloseTimeout: '10 seconds' });

export const placedUpdate = defineUpdate<string>('placed');
export const acceptUpdate = defineUpdate<string>('accept');
export const lineStatusQuery = defineQuery<string>('lineStatus');

export const floorLineId = (orderWorkflowId: string, i: number) => `${orderWorkflowId}:line:${i}`;

export async function floorOrder(shape: FloorShape): Promise<void> {
  let charged = false;
  setHandler(placedUpdate, async () => {
    await condition(() => charged);
    return 'paid';
  });
  await noop();
  charged = true;
  for (let i = 1; i < shape.orderActivities; i++) await noop();
  const id = workflowInfo().workflowId;
  await Promise.all(
    Array.from({ length: shape.lines }, (_, i) =>
      executeChild(floorLine, { workflowId: floorLineId(id, i), args: [shape], parentClosePolicy: ParentClosePolicy.ABANDON }),
    ),
  );
}

export async function floorLine(shape: FloorShape): Promise<void> {
  // Open to the seller from its start, as an OrderLine is; the accept is carried out after the
  // line's own first steps.
  let status = 'awaiting_validation';
  let accepted = false;
  setHandler(lineStatusQuery, () => status);
  setHandler(acceptUpdate, async () => {
    accepted = true;
    await condition(() => status === 'active');
    return status;
  });
  for (let i = 0; i < shape.lineActivitiesBeforeAccept; i++) await noop();
  await condition(() => accepted);
  for (let i = 0; i < shape.lineActivitiesAfterAccept; i++) await noop();
  await startChild(floorSubscription, { workflowId: `${workflowInfo().workflowId}:subscription`, args: [shape], parentClosePolicy: ParentClosePolicy.ABANDON });
  status = 'active';
}

export async function floorSubscription(shape: FloorShape): Promise<void> {
  for (let i = 0; i < shape.subscriptionActivities; i++) await noop();
  // Then waits for its first renewal, as a subscription does.
  await condition(() => false, '30 days');
}
