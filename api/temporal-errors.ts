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
        case 'SubscriptionEnded':
        case 'TerminationPending':
        case 'NoPendingTermination':
        case 'NoDeletionRequested':
        case 'AlreadyPaid':
        case 'NothingToChange':
          throw Problem.conflict(reason, { reason: err.cause.type });
        case 'NotYourLine':
          throw Problem.forbidden(reason);
        case 'WrongCode':
        case 'CodeExpired':
        case 'WithdrawalPeriodOver':
        case 'PaymentDeclined':
          throw Problem.unprocessable('command-refused', 'Command refused', reason, { reason: err.cause.type });
        default:
          throw Problem.unprocessable('command-refused', 'Command refused', reason);
      }
    }
    if (err instanceof WorkflowNotFoundError) throw Problem.conflict('the process has already ended');
    throw err;
  }
}
