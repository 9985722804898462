// Errors no retry can fix, thrown as non-retryable ApplicationFailures: the activity fails at its
// first attempt instead of being retried for ever (issue 9; README "Stuck work"). The worker's
// classifier (worker/activity-error-classifier.ts) recognises the plain errors the activities
// throw today; these helpers say it at the source.
import { ApplicationFailure } from '@temporalio/common';

/** Failure types of the helpers below (a workflow may match `ActivityFailure.cause.type`). */
export const NOT_FOUND = 'NotFound';
export const INVALID_ARGUMENT = 'InvalidArgument';

/** A record the activity needs does not exist (a retry would not create it). */
export function notFound(message: string): never {
  throw ApplicationFailure.create({ message, type: NOT_FOUND, nonRetryable: true });
}

/** The input can never succeed (a retry gets the same input). */
export function invalid(message: string): never {
  throw ApplicationFailure.create({ message, type: INVALID_ARGUMENT, nonRetryable: true });
}
