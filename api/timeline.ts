// ACC-2: an order's timeline as its customer reads it: steps done (from the audit log) with words
// a person reads and the document they concern, the next steps (a seller's answer, a renewal, a
// pending termination, a payment due), and whether anything is expected from the customer. Each
// step names who did it (X-4) as the viewer may read it: a staff actor is `staff` to customers
// (api/visibility.ts). Times stay ISO UTC in JSON; labels that carry a date use the business zone.
import type { Principal } from './auth';
import { formatDateTime } from '../domain/time-format';
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
  data: string;
}

/** The order's subscriptions as the database holds them, with a pending termination's date. */
export interface SubscriptionRow {
  id: string;
  status: string;
  renewalMode: string;
  nextDueAt: Date | null;
  endReason: string | null;
}

const END_REASONS: Record<string, string> = {
  non_payment: 'not paid',
  not_renewed: 'not renewed',
  terminated: 'terminated',
  deleted: 'deleted at your request',
  withdrawn: 'withdrawn',
  seller_closed: "ended: the seller's account is closed",
};

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
  'invoice.issued': 'Invoice issued',
  'credit_note.issued': 'Credit note issued',
  'subscription.started': 'Subscription started',
  'subscription.renewed': 'Subscription renewed',
  'subscription.renewal_captured': 'Renewal paid',
  'subscription.renewal_declined': 'Renewal payment declined',
  'subscription.payment_failed': 'Renewal payment declined: it will be retried',
  'subscription.advance_payment_declined': 'Advance payment declined',
  'subscription.renewal_mode': 'Renewal mode changed',
  'subscription.termination_requested': 'Termination requested',
  'subscription.termination_withdrawn': 'Termination withdrawn',
  'subscription.card_replaced': 'Card replaced',
  'subscription.deletion_requested': 'Immediate deletion requested: a code was e-mailed',
};

function parseData(data: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(data);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What a person reads for an audit action; an action without its own label still reads as words. */
export function stepLabel(action: string, data: Record<string, unknown> = {}): string {
  if (action.startsWith('subscription.ended.')) {
    const reason = action.slice('subscription.ended.'.length);
    return `Subscription ended: ${END_REASONS[reason] ?? reason.replace(/_/g, ' ')}`;
  }
  const label = STEP_LABELS[action];
  if (label && action === 'subscription.renewal_mode' && typeof data.mode === 'string') return `Renewal mode set to ${data.mode === 'auto' ? 'automatic' : 'manual'}`;
  if (label) return label;
  const words = action.replace(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `viewer` defaults to one who sees no staff label. */
export function buildTimeline(order: OrderRow, audit: AuditRow[], viewer: Principal = { kind: 'anonymous' }, subscriptions: SubscriptionRow[] = []) {
  const names = new Map(order.lines.map((l) => [l.id, l.name]));
  const done = audit.map((a) => {
    const data = parseData(a.data);
    const document =
      a.entityType === 'invoice' && typeof data.number === 'string'
        ? { kind: a.action === 'credit_note.issued' ? ('credit_note' as const) : ('invoice' as const), id: a.entityId, number: data.number }
        : undefined;
    const about = a.entityType === 'order_line' || a.entityType === 'subscription' ? names.get(a.entityId) : undefined;
    const label = stepLabel(a.action, data);
    return {
      at: a.at.toISOString(),
      step: a.action,
      label: document ? `${label}: ${document.number}` : about ? `${label} ("${about}")` : label,
      by: actorAsSeenBy(viewer, a.actor),
      ...(a.entityType === 'order_line' ? { lineId: a.entityId } : {}),
      ...(a.entityType === 'subscription' ? { subscriptionId: a.entityId } : {}),
      ...(document ? { document } : {}),
    };
  });

  const next: { lineId?: string; subscriptionId?: string; label: string; dueAt?: string; rule?: string }[] = [];
  const actions: string[] = [];
  if (order.status === 'payment_pending') next.push({ label: 'Payment by card' });
  if (order.status === 'payment_failed') actions.push('The card was declined: place a new order with another card.');
  for (const line of order.lines) {
    if (line.status === 'awaiting_validation') {
      const due = line.validationDueAt?.toISOString();
      next.push({ lineId: line.id, label: `Seller validation of "${line.name}"${due ? ` by ${formatDateTime(due)}` : ''}`, ...(due ? { dueAt: due } : {}), rule: 'ORD-6' });
    } else if (line.status === 'overdue') {
      next.push({ lineId: line.id, label: `The marketplace is following up with the seller of "${line.name}"`, rule: 'ORD-7' });
    }
  }
  for (const sub of subscriptions) {
    const name = names.get(sub.id) ?? sub.id;
    const pending = pendingTermination(audit, sub.id);
    const due = sub.nextDueAt?.toISOString();
    if (sub.status === 'terminated') continue;
    if (pending) {
      next.push({ subscriptionId: sub.id, label: `"${name}" ends on ${formatDateTime(pending)} (termination requested)`, dueAt: pending, rule: 'SUB-7' });
    } else if (sub.status === 'past_due') {
      next.push({ subscriptionId: sub.id, label: `Payment due for "${name}": it is retried on the card on file`, ...(due ? { dueAt: due } : {}), rule: 'SUB-5' });
      actions.push(`The renewal of "${name}" could not be charged: replace the card or pay now, or the service ends.`);
    } else if (due && sub.renewalMode === 'manual') {
      next.push({ subscriptionId: sub.id, label: `Payment due for "${name}" by ${formatDateTime(due)} (manual renewal)`, dueAt: due, rule: 'SUB-6' });
      actions.push(`"${name}" renews manually: pay the next period before ${formatDateTime(due)}.`);
    } else if (due) {
      next.push({ subscriptionId: sub.id, label: `Automatic renewal of "${name}" on ${formatDateTime(due)}`, dueAt: due, rule: 'SUB-3' });
    }
  }
  return { done, next, actionNeeded: actions.length > 0 ? actions.join(' ') : null };
}

/** The effective date of the subscription's last termination request, unless it was withdrawn since. */
function pendingTermination(audit: AuditRow[], subscriptionId: string): string | undefined {
  let effectiveAt: string | undefined;
  for (const a of audit) {
    if (a.entityId !== subscriptionId) continue;
    if (a.action === 'subscription.termination_requested') {
      const data = parseData(a.data);
      effectiveAt = typeof data.effectiveAt === 'string' ? data.effectiveAt : undefined;
    } else if (a.action === 'subscription.termination_withdrawn') {
      effectiveAt = undefined;
    }
  }
  return effectiveAt;
}
