// Test-only workflows (their own bundle, test/activity-error-classifier.test.ts): one activity
// of the real worker called with a short, bounded retry policy, its outcome returned as data.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

export interface ActivityOutcome {
  ok: boolean;
  /** ActivityFailure.retryState, e.g. NON_RETRYABLE_FAILURE or MAXIMUM_ATTEMPTS_REACHED. */
  retryState?: string;
  type?: string;
  nonRetryable?: boolean;
  message?: string;
  causeType?: string;
}

const { deliverEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '50 milliseconds', backoffCoefficient: 1, maximumAttempts: 4 },
});

export async function deliverEmailOnce(emailId: string): Promise<ActivityOutcome> {
  try {
    await deliverEmail(emailId);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    return {
      ok: false,
      retryState: err.retryState == null ? undefined : String(err.retryState),
      type: cause?.type ?? undefined,
      nonRetryable: cause ? cause.nonRetryable === true : undefined,
      message: cause?.message,
      causeType: cause?.cause instanceof ApplicationFailure ? (cause.cause.type ?? undefined) : undefined,
    };
  }
}
