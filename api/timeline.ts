// ACC-2: an order's timeline as its customer reads it: steps done (from the audit log), the next
// step, and whether anything is expected from the customer. Each step done names who did it
// as the viewer may read it: a staff actor is `staff` to customers (api/visibility.ts).
import type { Principal } from './auth';
import { actorAsSeenBy } from './visibility';

interface OrderRow {
  status: string;
  lines: { id: string; name: string; status: string; validationDueAt: Date | null }[];
}

interface AuditRow {
  at: Date;
  action: string;
  actor: string;
  entityType: string;
  entityId: string;
}

const STEP_LABELS: Record<string, string> = {
  'order.created': 'Order placed',
  'order.paid': 'Payment captured',
  'order.payment_failed': 'Payment declined',
  'line.awaiting_validation': 'Sent to the seller for validation',
  'line.overdue': 'Seller late: the marketplace is following up',
  'line.validation_extended': 'Seller granted more time',
  'line.accepted': 'Accepted by the seller: service active',
  'line.refused': 'Refused by the seller: refunded',
  'line.cancelled': 'Cancelled by the marketplace: refunded',
};

/** `viewer` defaults to one who sees no staff label. */
export function buildTimeline(order: OrderRow, audit: AuditRow[], viewer: Principal = { kind: 'anonymous' }) {
  const done = audit.map((a) => ({
    at: a.at.toISOString(),
    step: a.action,
    label: STEP_LABELS[a.action] ?? a.action,
    by: actorAsSeenBy(viewer, a.actor),
    ...(a.entityType === 'order_line' ? { lineId: a.entityId } : {}),
  }));

  const next: { lineId?: string; label: string; dueAt?: string }[] = [];
  let actionNeeded: string | null = null;
  if (order.status === 'payment_pending') next.push({ label: 'Payment by card' });
  if (order.status === 'payment_failed') actionNeeded = 'The card was declined: place a new order with another card.';
  for (const line of order.lines) {
    if (line.status === 'awaiting_validation') {
      next.push({ lineId: line.id, label: `Seller validation of "${line.name}"`, dueAt: line.validationDueAt?.toISOString() });
    } else if (line.status === 'overdue') {
      next.push({ lineId: line.id, label: `The marketplace is following up with the seller of "${line.name}"` });
    }
  }
  return { done, next, actionNeeded };
}
