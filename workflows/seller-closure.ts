// SellerClosure:<sellerId> — MED-5: the closed seller's running subscriptions stop renewing and
// end at the end of their current period, each customer e-mailed once. Started by the seller's
// case when the account closes. Works a page of customers per activity call, so a seller with
// thousands of subscriptions never makes a long history; continues as new well before the
// history grows large. A page retried after a crash tells nobody twice (activities/seller-closure.ts).
import { continueAsNew, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ClosurePageResult } from '../activities/seller-closure';
import { summarized } from './activity-options';
import { currentDetails, localTime } from './current-details';
import { BusinessStatusKey } from './search-attributes';

export interface SellerClosureInput {
  sellerId: string;
  sellerName: string;
  caseId: string;
  /** When the account closed (ISO). */
  closedAt: string;
  /** Set by continue-as-new: where the previous run stopped. */
  progress?: SellerClosureProgress;
}

export interface SellerClosureProgress {
  cursor: string | null;
  pages: number;
  customers: number;
  subscriptions: number;
  emails: number;
}

export function sellerClosureWorkflowId(sellerId: string): string {
  return `SellerClosure:${sellerId}`;
}

/** Customers per page (each: its subscriptions told, one e-mail). */
export const CLOSURE_PAGE_CUSTOMERS = 200;
/** Continue as new past this many events: each page adds 3, far below the 10,000 a history may hold. */
const MAX_RUN_EVENTS = 600;

/** A page is minutes of work at most; the heartbeat shows a crashed worker within 30 seconds. */
const pages = summarized({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function sellerClosureWorkflow(input: SellerClosureInput): Promise<SellerClosureProgress> {
  const p: SellerClosureProgress = input.progress ?? { cursor: null, pages: 0, customers: 0, subscriptions: 0, emails: 0 };
  const title = `Closure of ${input.sellerName}'s subscriptions (case ${input.caseId})`;
  const facts = () => [`account closed ${localTime(input.closedAt)} (MED-5)`, `${p.subscriptions} subscription(s) of ${p.customers} customer(s) told in ${p.pages} page(s); ${p.emails} customer e-mail(s)`];
  upsertSearchAttributes([{ key: BusinessStatusKey, value: 'ending_subscriptions' }]);

  for (;;) {
    setCurrentDetails(currentDetails({ title, state: `ending the subscriptions at their period end: page ${p.pages + 1}`, awaiting: null, facts: facts() }));
    const page: ClosurePageResult = await pages(`MED-5: page ${p.pages + 1} of ${input.sellerName}'s customers: end their subscriptions at period end, e-mail each once`).endSellerSubscriptionsPage({
      sellerId: input.sellerId,
      caseId: input.caseId,
      closedAt: input.closedAt,
      afterCustomerId: p.cursor,
      customers: CLOSURE_PAGE_CUSTOMERS,
    });
    p.pages += 1;
    p.customers += page.customers;
    p.subscriptions += page.subscriptions;
    p.emails += page.emails;
    p.cursor = page.nextCursor;
    if (!page.nextCursor) break;
    if (workflowInfo().historyLength > MAX_RUN_EVENTS || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof sellerClosureWorkflow>({ ...input, progress: p });
    }
  }

  upsertSearchAttributes([{ key: BusinessStatusKey, value: 'done' }]);
  setCurrentDetails(currentDetails({ title, state: 'done: every subscription of the seller ends at its period end (MED-5)', facts: facts() }));
  return p;
}
