// Turns a refused Temporal Update into the problem the caller can act on.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Problem } from './problem';

export async function runUpdate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const reason = err.cause.message;
      switch (err.cause.type) {
        case 'LineAlreadyDecided':
          throw Problem.conflict(reason);
        case 'NotYourLine':
          throw Problem.forbidden(reason);
        default:
          throw Problem.unprocessable('command-refused', 'Command refused', reason);
      }
    }
    if (err instanceof WorkflowNotFoundError) throw Problem.conflict('the process has already ended');
    throw err;
  }
}
