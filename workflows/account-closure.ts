// AccountClosure:<customerId> — ACC-3: a customer's confirmed request to close its account. The
// API checked the e-mailed code (it never reaches this workflow, X-7) and starts this with ids
// only: nothing personal is in its payloads. Four idempotent steps, each retried until done
// (activities/account-closure.ts): close (or refuse, naming the obstacles that appeared since the
// request), withdraw its open calls for tenders, erase the personal data in one transaction, end
// the partnerships.
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ClosureObstacle } from '../domain/account-closure';
import { db, summarized } from './activity-options';
import { currentDetails, localTime } from './current-details';
import { BusinessStatusKey } from './search-attributes';

export interface AccountClosureInput {
  customerId: string;
  /** The used ConfirmationCode row that confirmed the request (its code stays hashed there). */
  confirmationId: string;
  /** When the customer confirmed (ISO). */
  confirmedAt: string;
}

export interface AccountClosureResult {
  status: 'closed' | 'refused';
  obstacles: ClosureObstacle[];
  /** Rows given tombstones per table (counts only). */
  erased: Record<string, number>;
  partnershipsEnded: number;
  /** Open calls for tenders withdrawn (TND-1). */
  tendersWithdrawn: number;
}

export function accountClosureWorkflowId(customerId: string): string {
  return `AccountClosure:${customerId}`;
}

/** "Account closure · customer cus_…" (ids only: the account's name and address are what it erases). */
export function accountClosureSummary(customerId: string): string {
  return `Account closure · customer ${customerId}`;
}

/** One transaction that reads every table once (the sweep): minutes on a large database, not seconds. */
const erasure = summarized({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function accountClosureWorkflow(input: AccountClosureInput): Promise<AccountClosureResult> {
  const workflowId = workflowInfo().workflowId;
  const { customerId } = input;
  const title = `Account closure of customer ${customerId}`;
  const confirmed = `confirmed by the customer ${localTime(input.confirmedAt)} (ACC-3)`;
  const show = (state: string, facts: string[] = []) => setCurrentDetails(currentDetails({ title, state, facts: [confirmed, ...facts] }));
  const status = (value: string) => upsertSearchAttributes([{ key: BusinessStatusKey, value }]);

  show('closing: checking again that no service, unpaid invoice or order is in the way (ACC-3)');
  const closed = await db(`ACC-3: close the account of ${customerId} if nothing is in the way; revoke its keys`).closeCustomerAccount({
    customerId,
    confirmationId: input.confirmationId,
    at: input.confirmedAt,
    workflowId,
  });
  if (!closed.closed) {
    status('refused');
    show('refused (ACC-3): obstacles appeared after the request; nothing was changed', closed.obstacles.map((o) => o.detail));
    return { status: 'refused', obstacles: closed.obstacles, erased: {}, partnershipsEnded: 0, tendersWithdrawn: 0 };
  }

  // Before the erasure: from now on no partner reads the call (its contact included) or answers it.
  show('closed: withdrawing its open calls for tenders (TND-1)');
  const tenders = await db(`TND-1: withdraw the open calls for tenders of ${customerId}`).withdrawCustomerTenders({ customerId });

  status('erasing');
  show('closed: erasing its personal data (tombstones; invoices and credit notes kept as issued)');
  const erased = await erasure(`ACC-3: erase the personal data of ${customerId} (one transaction)`).eraseCustomerData({ customerId, workflowId });

  show('erased: ending its partnerships (PRT-7)');
  const partnerships = await db(`ACC-3: end the partnerships of ${customerId}`).endCustomerPartnerships({ customerId, at: input.confirmedAt, workflowId });

  status('closed');
  const tables = Object.entries(erased.rows).map(([table, n]) => `${table}: ${n}`);
  show('closed and erased (ACC-3)', [`${tenders.withdrawn} call(s) for tenders withdrawn`, `${partnerships.ended} partnership(s) ended`, `rows erased: ${tables.join(', ') || 'none'}`]);
  return { status: 'closed', obstacles: [], erased: erased.rows, partnershipsEnded: partnerships.ended, tendersWithdrawn: tenders.withdrawn };
}
