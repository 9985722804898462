// Activities of an order withdrawal (SUB-11): what the order holds, and one line's withdrawal
// carried out through the workflow that owns the line (its OrderLine workflow while the seller has
// not decided, its Subscription workflow once running). The Updates go through the Worker's client.
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './deps';
import { lineRefundId } from './payments';
import { cancelLineUpdate, orderLineWorkflowId } from '../workflows/order-line';
import { subscriptionWorkflowId, withdrawUpdate } from '../workflows/subscription';
import { heartbeating } from './heartbeating';

export interface OrderWithdrawalFacts {
  customerId: string;
  customerType: string;
  /** Payment time (ISO) of the order: the withdrawal window runs from it; null if never paid. */
  paidAt: string | null;
  timeZone: string;
  lineIds: string[];
}

/** What one line needed, as found and done by `withdrawOrderLine`. */
export type LineWithdrawalStep =
  | { kind: 'cancelled'; refundId?: string }
  | { kind: 'withdrawn'; message: string }
  | { kind: 'ended'; endReason: string }
  | { kind: 'already_withdrawn' }
  | { kind: 'already_refunded'; status: string }
  | { kind: 'nothing_paid'; status: string }
  | { kind: 'refused'; reason: string };

const UNDECIDED = ['awaiting_validation', 'overdue'];

export interface WithdrawLineInput {
  lineId: string;
  customerId: string;
  reason: string;
  /** When the customer's withdrawal was accepted (ISO): the window is judged at that instant. */
  acceptedAt: string;
}

export function createWithdrawalActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async loadOrderWithdrawal(input: { orderId: string }): Promise<OrderWithdrawalFacts> {
      const order = await db.order.findUniqueOrThrow({ where: { id: input.orderId }, include: { customer: true, lines: { orderBy: { position: 'asc' } } } });
      return {
        customerId: order.customerId ?? '',
        // The buyer as this order's checkout declared it (SUB-11: 14 or 7 days).
        customerType: order.customerType ?? order.customer?.type ?? 'individual',
        paidAt: order.paidAt ? order.paidAt.toISOString() : null,
        timeZone: process.env.BUSINESS_TZ ?? 'Europe/Paris',
        lineIds: order.lines.map((l) => l.id),
      };
    },

    /**
     * Withdraws one line through the workflow that owns it. A line decided or a subscription
     * starting meanwhile is retried (the activity fails and reads the new state on the next attempt).
     */
    withdrawOrderLine(input: WithdrawLineInput): Promise<LineWithdrawalStep> {
      return heartbeating(() => withdrawLine(input));
    },
  };

  async function withdrawLine(input: WithdrawLineInput): Promise<LineWithdrawalStep> {
    const client = Context.current().client;
    const line = await db.orderLine.findUniqueOrThrow({ where: { id: input.lineId } });
    // Paid, but its OrderLine workflow has not started yet (invoices being issued): never "nothing
    // paid" (SUB-11). The next attempt finds the line with its seller and cancels it there.
    if (line.status === 'awaiting_payment') {
      throw ApplicationFailure.retryable(`line ${line.id} is being handed to its seller`, 'LineStarting');
    }
    if (UNDECIDED.includes(line.status)) {
      try {
        const state = await client.workflow
          .getHandle(orderLineWorkflowId(line.id))
          .executeUpdate(cancelLineUpdate, { args: [{ customerId: input.customerId, reason: input.reason }] });
        if (state.status === 'cancelled' && state.decidedBy === `customer:${input.customerId}`) return { kind: 'cancelled', refundId: state.refundId };
        throw ApplicationFailure.retryable(`line ${line.id} was decided meanwhile (${state.status})`, 'LineDecidedMeanwhile');
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'LineAlreadyDecided') {
          throw ApplicationFailure.retryable(`line ${line.id} was decided meanwhile: ${err.cause.message}`, 'LineDecidedMeanwhile');
        }
        throw err;
      }
    }
    // This withdrawal's own cancellation, done by an attempt that died before answering.
    if (line.status === 'cancelled' && line.cancelReason === input.reason) return { kind: 'cancelled', refundId: lineRefundId(line.id) };
    if (line.status === 'refused' || line.status === 'cancelled') return { kind: 'already_refunded', status: line.status };
    // Accepted: the line follows its subscription (active, past_due, terminated).
    const sub = await db.subscription.findUnique({ where: { id: line.id } });
    if (!sub) {
      if (line.status === 'active') throw ApplicationFailure.retryable(`the subscription of line ${line.id} is starting`, 'SubscriptionStarting');
      return { kind: 'nothing_paid', status: line.status };
    }
    if (sub.status === 'terminated') {
      return sub.endReason === 'withdrawn' ? { kind: 'already_withdrawn' } : { kind: 'ended', endReason: sub.endReason ?? 'unknown' };
    }
    try {
      const answer = await client.workflow.getHandle(subscriptionWorkflowId(line.id)).executeUpdate(withdrawUpdate, { args: [{ acceptedAt: input.acceptedAt }] });
      return { kind: 'withdrawn', message: answer.message };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === 'WithdrawalPeriodOver') return { kind: 'refused', reason: err.cause.message };
        // NotReady, or ended meanwhile (the read model follows): read again on the next attempt.
        throw ApplicationFailure.retryable(`subscription ${line.id}: ${err.cause.message}`, 'SubscriptionChanging');
      }
      throw err;
    }
  }
}
