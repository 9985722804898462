// Activity proxies shared by the workflows, with explicit timeouts and retry policies. Each call
// names its purpose: `db('ORD-7: mark the line overdue').markLineOverdue(…)` schedules the activity
// with that summary, which the Temporal UI shows on the event (docs/temporal-ui.md: rule id first,
// then what it does, with the business numbers; never a secret nor an e-mail address).
import { TimeoutType, type ActivityOptions } from '@temporalio/common';
import { ActivityFailure, TimeoutFailure, proxyActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities';

export type ActivityCalls = ActivityInterfaceFor<Activities>;

/** A proxy for one call (or a few) with these options and this summary: a proxy is cheap and deterministic. */
export function summarized(options: ActivityOptions): (summary: string) => ActivityCalls {
  return (summary) => proxyActivities<Activities>({ ...options, summary });
}

/**
 * Database writes and e-mail composition: quick, idempotent, retried until they succeed. The
 * short timeout is how soon an attempt lost with a crashed worker is tried again elsewhere.
 */
export const db = summarized({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Gateway calls: each attempt has its own gateway key, and the retries of one attempt reuse it, so
 * a retry never moves money twice. Gateways forget keys after about 24 hours: the retries of one
 * attempt stop after GATEWAY_RETRY_LIMIT, well inside that lifetime; the process then treats the
 * attempt as failed (`gateway_unavailable`) and its next attempt, if any, takes a new key.
 */
export const GATEWAY_RETRY_LIMIT = '20 hours';
export const payments = summarized({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: GATEWAY_RETRY_LIMIT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Refunds: retried for as long as it takes (the money is owed). A refund repeated after its key
 * expired is still safe: the gateway refuses a refund beyond what was captured.
 */
export const refunds = summarized({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** The failure a charge attempt stands for when the gateway could not be reached in time. */
export const GATEWAY_UNAVAILABLE = { code: 'gateway_unavailable', message: 'The payment service could not be reached; nothing was charged.' } as const;

/** SMTP delivery (EmailDelivery workflows only): retried for as long as it takes; the outbox row prevents a double send. */
export const mail = summarized({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * A charge attempt that ran out of its retry limit (the gateway unreachable for GATEWAY_RETRY_LIMIT):
 * only this is treated as `gateway_unavailable`. Any other failure (a non-retryable error, maybe
 * after a capture) fails the workflow for an operator to look at, rather than be taken for "not
 * charged".
 */
export function gatewayGaveUp(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE;
}
