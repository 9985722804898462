// Commands sent as Temporal Updates: a refusal by the workflow's validator becomes the problem the
// caller can act on, and the HTTP wait for the outcome is bounded. An Update the workflow accepted
// but has not finished within UPDATE_WAIT_MS (a slow gateway, a worker outage) answers 202 with
// the URL where its outcome appears (GET /updates/:workflowId/:updateId): the command is not lost,
// it is carried out as of its acceptance (the workflow's queue), and the caller does not hang.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowUpdateHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Problem } from './problem';

export function updateWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.UPDATE_WAIT_MS ?? 10_000);
}

export type UpdateOutcome<T> = { done: true; result: T } | { done: false; workflowId: string; updateId: string };

/** The 202 answer of an Update still being carried out. */
export function pendingAnswer(outcome: { workflowId: string; updateId: string }) {
  return {
    status: 202,
    body: {
      status: 'accepted',
      message: 'the command was accepted and is being carried out; its outcome will be at statusUrl',
      workflowId: outcome.workflowId,
      updateId: outcome.updateId,
      statusUrl: `/updates/${encodeURIComponent(outcome.workflowId)}/${encodeURIComponent(outcome.updateId)}`,
    },
  };
}

/**
 * Waits at most `waitMs` for an accepted Update's outcome. The client's poll for the outcome is a
 * loop of long polls that would outlive the answer: it is aborted when the wait ends.
 */
export async function awaitOutcome<T>(client: Client, handle: WorkflowUpdateHandle<T>, waitMs = updateWaitMs()): Promise<UpdateOutcome<T>> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), waitMs);
  try {
    return { done: true, result: await client.withAbortSignal(stop.signal, () => handle.result()) };
  } catch (err) {
    if (stop.signal.aborted || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { done: false, workflowId: handle.workflowId, updateId: handle.updateId };
    throw problemOf(err);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts an Update (its validator answers at once) and waits a bounded time for its outcome. */
export async function runUpdate<T>(client: Client, start: () => Promise<WorkflowUpdateHandle<T>>, waitMs = updateWaitMs()): Promise<UpdateOutcome<T>> {
  let handle: WorkflowUpdateHandle<T>;
  try {
    handle = await start();
  } catch (err) {
    throw problemOf(err);
  }
  return awaitOutcome(client, handle, waitMs);
}

/**
 * runUpdate, undoing what the caller wrote for the command (a message, a saved card) when the
 * workflow refuses it or the process has ended: SDK 1.24's startUpdate returns a handle even for
 * a command its validator refused, so the refusal is seen only here, with the outcome. Not after a
 * timeout (202): the command may have been accepted, and what it refers to must stay.
 */
export async function runUpdateOrUndo<T>(client: Client, start: () => Promise<WorkflowUpdateHandle<T>>, undo: () => Promise<void>, waitMs = updateWaitMs()): Promise<UpdateOutcome<T>> {
  try {
    return await runUpdate(client, start, waitMs);
  } catch (err) {
    if (err instanceof Problem) await undo();
    throw err;
  }
}

function problemOf(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const reason = err.cause.message;
    switch (err.cause.type) {
      case 'LineAlreadyDecided':
        return Problem.conflict(reason);
      case 'TicketClosed':
      case 'CaseEnded':
      case 'WrongCaseState':
      case 'DeadlinePassed':
      case 'WrongTicketState':
      case 'QuoteAnswered':
      case 'SubscriptionEnded':
      case 'TerminationPending':
      case 'NoPendingTermination':
      case 'NoDeletionRequested':
      case 'AlreadyPaid':
      case 'NothingToChange':
      case 'SellerClosed':
      case 'WrongApplicationState':
      case 'ApplicationEnded':
        return Problem.conflict(reason, { reason: err.cause.type });
      case 'NotYourLine':
      case 'NotYourTicket':
      case 'NotYourCase':
        return Problem.forbidden(reason);
      case 'WrongCode':
      case 'CodeExpired':
      case 'WithdrawalPeriodOver':
      case 'PaymentDeclined':
      case 'PriceChanged':
        return Problem.unprocessable('command-refused', 'Command refused', reason, { reason: err.cause.type });
      default:
        return Problem.unprocessable('command-refused', 'Command refused', reason);
    }
  }
  if (err instanceof WorkflowNotFoundError) return Problem.conflict('the process has already ended');
  return err;
}
