// Activity proxies shared by the workflows, with explicit timeouts and retry policies.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Database writes and e-mail composition: quick, idempotent, retried until they succeed. The
 * short timeout is how soon an attempt lost with a crashed worker is tried again elsewhere.
 */
export const db = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Gateway calls: keyed by business ids, so a retry never moves money twice. */
export const payments = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** SMTP delivery: retried for as long as it takes; the outbox row prevents a double send. */
export const mail = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Records an e-mail in the outbox (compose step returns its business key), then delivers it. */
export async function sendEmail(recorded: Promise<string>): Promise<void> {
  const emailId = await recorded;
  await mail.deliverEmail(emailId);
}
