// ACC-2: the timeline a customer reads, from the audit log and the order's subscriptions.
import { describe, expect, it } from 'vitest';
import { buildTimeline, stepLabel, type SubscriptionRow } from '../api/timeline';

const order = {
  status: 'paid',
  lines: [
    { id: 'lin_a_1', name: 'Acme Mail Pro', status: 'active', validationDueAt: null },
    { id: 'lin_a_2', name: 'Globex Backup', status: 'active', validationDueAt: null },
    { id: 'lin_a_3', name: 'Initech CRM', status: 'awaiting_validation', validationDueAt: new Date('2026-12-03T14:24:00Z') },
  ],
};
const entry = (action: string, entityType: string, entityId: string, data: Record<string, unknown> = {}, at = '2026-12-01T10:00:00Z') => ({
  at: new Date(at),
  action,
  actor: 'system',
  entityType,
  entityId,
  data: JSON.stringify(data),
});
const sub = (id: string, over: Partial<SubscriptionRow> = {}): SubscriptionRow => ({ id, status: 'active', renewalMode: 'auto', nextDueAt: new Date('2027-01-01T09:00:00Z'), endReason: null, ...over });

describe('order timeline (ACC-2)', () => {
  it('ACC-2: steps done read as words, name the line or the document they concern', () => {
    const t = buildTimeline(order, [
      entry('order.paid', 'order', 'ord_a'),
      entry('invoice.issued', 'invoice', 'order:ord_a:checkout:sel_acme', { number: 'INV-sel_acme-2026-000007', totalCents: 2399 }),
      entry('credit_note.issued', 'invoice', 'credit:ref_1', { number: 'CN-sel_acme-2026-000001' }),
      entry('line.accepted', 'order_line', 'lin_a_1'),
      entry('subscription.renewal_mode', 'subscription', 'lin_a_1', { mode: 'manual' }),
      entry('subscription.ended.non_payment', 'subscription', 'lin_a_2'),
    ]);
    expect(t.done.map((d) => d.label)).toEqual([
      'Payment captured',
      'Invoice issued: INV-sel_acme-2026-000007',
      'Credit note issued: CN-sel_acme-2026-000001',
      'Accepted by the seller: service active ("Acme Mail Pro")',
      'Renewal mode set to manual ("Acme Mail Pro")',
      'Subscription ended: not paid ("Globex Backup")',
    ]);
    expect(t.done[1].document).toEqual({ kind: 'invoice', id: 'order:ord_a:checkout:sel_acme', number: 'INV-sel_acme-2026-000007' });
    expect(t.done[2].document?.kind).toBe('credit_note');
    expect(t.done[4].subscriptionId).toBe('lin_a_1');
    expect(stepLabel('some.new_action')).toBe('Some new action');
  });

  it('ACC-2: the next steps: a seller answer due, a renewal, a pending termination, a payment due, with their rule and Paris time', () => {
    const audit = [
      entry('subscription.termination_requested', 'subscription', 'lin_a_2', { effectiveAt: '2027-01-15T09:00:00Z' }),
    ];
    const t = buildTimeline(order, audit, undefined, [sub('lin_a_1'), sub('lin_a_2')]);
    expect(t.next).toEqual([
      { lineId: 'lin_a_3', label: 'Seller validation of "Initech CRM" by 3 December 2026, 15:24 (Paris time)', dueAt: '2026-12-03T14:24:00.000Z', rule: 'ORD-6' },
      { subscriptionId: 'lin_a_1', label: 'Automatic renewal of "Acme Mail Pro" on 1 January 2027, 10:00 (Paris time)', dueAt: '2027-01-01T09:00:00.000Z', rule: 'SUB-3' },
      { subscriptionId: 'lin_a_2', label: '"Globex Backup" ends on 15 January 2027, 10:00 (Paris time) (termination requested)', dueAt: '2027-01-15T09:00:00Z', rule: 'SUB-7' },
    ]);
    expect(t.actionNeeded).toBeNull();

    // A termination withdrawn since is no next step; a past-due renewal asks the customer to act.
    const withdrawn = buildTimeline(order, [...audit, entry('subscription.termination_withdrawn', 'subscription', 'lin_a_2', {}, '2026-12-02T10:00:00Z')], undefined, [
      sub('lin_a_1', { status: 'past_due' }),
      sub('lin_a_2', { renewalMode: 'manual' }),
    ]);
    expect(withdrawn.next.map((n) => n.rule)).toEqual(['ORD-6', 'SUB-5', 'SUB-6']);
    expect(withdrawn.actionNeeded).toContain('The renewal of "Acme Mail Pro" could not be charged');
    expect(withdrawn.actionNeeded).toContain('"Globex Backup" renews manually: pay the next period before 1 January 2027, 10:00 (Paris time).');

    // An ended subscription has no next step.
    expect(buildTimeline({ ...order, lines: order.lines.slice(0, 1) }, [], undefined, [sub('lin_a_1', { status: 'terminated', nextDueAt: null })]).next).toEqual([]);
  });
});
