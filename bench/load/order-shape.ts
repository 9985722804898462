// Counts the engine work of one real order from its recorded histories: activities of the Order,
// of each OrderLine before and after the seller's accept (split at `activateLine`), and of a new Subscription before its
// first timer. The engine floor replays exactly this shape with no-op activities.
import type { Client } from '@temporalio/client';
import { orderWorkflowId } from '../../workflows/order';
import { orderLineWorkflowId } from '../../workflows/order-line';
import { subscriptionWorkflowId } from '../../workflows/subscription';
import type { FloorShape } from '../floor/workflows';

type Event = { activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null; timerStartedEventAttributes?: unknown };

async function events(client: Client, workflowId: string): Promise<Event[]> {
  // (A subscription's first renewal is a month away: its current run is its first.)
  return ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) as Event[];
}

const activitiesIn = (list: Event[]) => list.filter((e) => e.activityTaskScheduledEventAttributes).length;

export async function measureOrderShape(client: Client, order: { orderId: string; lineIds: string[] }): Promise<FloorShape> {
  const orderEvents = await events(client, orderWorkflowId(order.orderId));
  const lineEvents = await events(client, orderLineWorkflowId(order.lineIds[0]));
  // Split where the accepted line starts its work (by activity, not by when the update arrived).
  const accepted = lineEvents.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'activateLine');
  const subEvents = await events(client, subscriptionWorkflowId(order.lineIds[0]));
  const firstTimer = subEvents.findIndex((e) => e.timerStartedEventAttributes);
  return {
    lines: order.lineIds.length,
    orderActivities: activitiesIn(orderEvents),
    lineActivitiesBeforeAccept: activitiesIn(lineEvents.slice(0, accepted)),
    lineActivitiesAfterAccept: activitiesIn(lineEvents.slice(accepted)),
    subscriptionActivities: activitiesIn(firstTimer < 0 ? subEvents : subEvents.slice(0, firstTimer)),
  };
}
