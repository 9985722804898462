// OrderWithdrawal:<orderId> — a customer withdraws from an order (SUB-11), short-lived. Reads top
// to bottom: check the window once (14 days for an individual, 7 for a business, from payment);
// then each line in turn: a line the seller has not decided is cancelled through its OrderLine
// workflow (full refund), a running subscription is withdrawn through its Update (full refund,
// service ends), a subscription already ended otherwise (e.g. deleted, SUB-10) has its payments
// refunded here; lines refused or cancelled were already refunded. Returns one outcome per line.
import { formatDateTime, withArticle } from '../domain/time-format';
import { allHandlersFinished, condition, defineUpdate, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { withdrawalDeadline, WITHDRAWAL_DAYS } from '../domain/subscription';
import { db, refunds, summarized } from './activity-options';
import { currentDetails, localTime, type Details } from './current-details';
import { sendEmail } from './email-delivery';
import { BusinessStatusKey } from './search-attributes';

export interface OrderWithdrawalInput {
  orderId: string;
  customerId: string;
  /** The order number, for what staff read in the Temporal UI; the order id stands in without it. */
  orderNumber?: string;
}

export type LineWithdrawalOutcome =
  | 'cancelled'
  | 'withdrawn'
  | 'refunded_after_end'
  | 'already_withdrawn'
  | 'already_refunded'
  | 'nothing_paid'
  | 'refused';

export interface LineWithdrawal {
  lineId: string;
  outcome: LineWithdrawalOutcome;
  message: string;
}

export type OrderWithdrawalResult =
  | { status: 'withdrawn'; orderId: string; withdrawnAt: string; deadline: string; lines: LineWithdrawal[] }
  | { status: 'refused'; orderId: string; reason: string; deadline: string | null };

/** Waits for the withdrawal to be carried out and answers its result (the API's way to wait). */
export const orderWithdrawalResultUpdate = defineUpdate<OrderWithdrawalResult, []>('withdrawalResult');

export const WITHDRAWAL_REASON = 'withdrawn by the customer (SUB-11)';

export function orderWithdrawalWorkflowId(orderId: string): string {
  return `OrderWithdrawal:${orderId}`;
}

/**
 * Carrying out one line waits on the line's own workflow (refund included): a longer timeout,
 * and a heartbeat so that an attempt lost with a crashed worker is retried within seconds.
 */
const lines = summarized({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function orderWithdrawalWorkflow(input: OrderWithdrawalInput): Promise<OrderWithdrawalResult> {
  let done: OrderWithdrawalResult | undefined;
  setHandler(orderWithdrawalResultUpdate, async () => {
    await condition(() => done !== undefined);
    return done!;
  });
  done = await withdraw(input);
  await condition(allHandlersFinished);
  return done;
}

/** What staff read in the Temporal UI (business state, who acts) and the BusinessStatus they filter on. */
function show(input: OrderWithdrawalInput, status: 'withdrawing' | 'withdrawn' | 'refused', d: Omit<Details, 'title'>): void {
  upsertSearchAttributes([{ key: BusinessStatusKey, value: status }]);
  setCurrentDetails(currentDetails({ title: `Withdrawal from ${input.orderNumber ?? input.orderId} by customer ${input.customerId}`, ...d }));
}

async function withdraw(input: OrderWithdrawalInput): Promise<OrderWithdrawalResult> {
  const { orderId, customerId } = input;
  const number = input.orderNumber ?? orderId;
  show(input, 'withdrawing', { state: 'checking the withdrawal window (SUB-11)' });
  const order = await db(`SUB-11: load ${number} and its lines`).loadOrderWithdrawal({ orderId });
  if (!order.paidAt) {
    show(input, 'refused', { state: 'refused: the order was never paid (SUB-11)' });
    return { status: 'refused', orderId, reason: 'this order was never paid: there is nothing to withdraw from', deadline: null };
  }

  // --- the window, once (SUB-11), as of the request: the workflow's start is when the server took it,
  // so a withdrawal asked in time counts even if a worker outage delays it past the deadline.
  const acceptedAt = workflowInfo().startTime.toISOString();
  const deadline = withdrawalDeadline(order.paidAt, order.customerType, order.timeZone);
  if (Date.parse(acceptedAt) >= Date.parse(deadline)) {
    const days = order.customerType === 'business' ? WITHDRAWAL_DAYS.business : WITHDRAWAL_DAYS.individual;
    show(input, 'refused', { state: `refused (SUB-11): asked ${localTime(acceptedAt)}, after the ${days}-day window closed ${localTime(deadline)}` });
    return {
      status: 'refused',
      orderId,
      deadline,
      reason: `the withdrawal period (${days} days for ${withArticle(order.customerType)} customer) ended on ${formatDateTime(deadline, order.timeZone)}; the seller's refund policy may still apply`,
    };
  }

  // --- each line -------------------------------------------------------------------------------
  const at = new Date().toISOString();
  const results: LineWithdrawal[] = [];
  const window = `asked ${localTime(acceptedAt)}, within the window closing ${localTime(deadline)} (SUB-11)`;
  for (const [i, lineId] of order.lineIds.entries()) {
    show(input, 'withdrawing', {
      state: `withdrawing: ${i} of ${order.lineIds.length} lines done (SUB-11)`,
      awaiting: `line ${i + 1} (${lineId}): its own workflow cancels or withdraws it, refunded in full`,
      facts: [window, ...results.map((r) => `${r.lineId}: ${r.outcome}`)],
    });
    const step = await lines(`SUB-11: withdraw line ${i + 1} of ${number} (${lineId})`).withdrawOrderLine({ lineId, customerId, reason: WITHDRAWAL_REASON, acceptedAt });
    switch (step.kind) {
      case 'cancelled':
        results.push({ lineId, outcome: 'cancelled', message: `not yet validated by the seller: cancelled and refunded in full (${step.refundId ?? 'refund recorded'})` });
        break;
      case 'withdrawn':
        results.push({ lineId, outcome: 'withdrawn', message: step.message });
        break;
      case 'ended': {
        // Ended otherwise (SUB-10 deletion: "no refund, except under SUB-11"): refund every payment.
        const refund = await refunds(`SUB-11: refund every payment of line ${i + 1} of ${number} (ended before: ${step.endReason})`).refundLineWithdrawal({ lineId, at });
        await sendEmail({ rule: 'SUB-11', what: `withdrawal of line ${i + 1} of ${number} confirmed, to the customer` }, (a) =>
          a.composeSubscriptionEmail({ key: `sub:${lineId}:withdrawn:customer`, subscriptionId: lineId, to: 'customer', kind: 'withdrawn_customer', data: { endedAt: at, amountCents: refund.amountCents } }),
        );
        results.push({ lineId, outcome: 'refunded_after_end', message: `subscription already ended (${step.endReason}); refunded ${refund.amountCents} cents` });
        break;
      }
      case 'already_withdrawn':
        results.push({ lineId, outcome: 'already_withdrawn', message: 'already withdrawn and refunded' });
        break;
      case 'already_refunded':
        results.push({ lineId, outcome: 'already_refunded', message: `already ${step.status} and refunded in full` });
        break;
      case 'nothing_paid':
        results.push({ lineId, outcome: 'nothing_paid', message: `nothing paid on this line (${step.status})` });
        break;
      case 'refused':
        results.push({ lineId, outcome: 'refused', message: step.reason });
        break;
    }
  }
  show(input, 'withdrawn', { state: `withdrawn (SUB-11): ${results.length} line(s) carried out, each outcome below`, facts: [window, ...results.map((r) => `${r.lineId}: ${r.outcome}`)] });
  return { status: 'withdrawn', orderId, withdrawnAt: at, deadline, lines: results };
}
