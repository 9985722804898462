// PayoutCalendar — PYO-1: the one long-lived workflow that runs payout days. Durable timers, not a
// cron or a Temporal Schedule (the time-skipping server has none, and no calendar rule gives
// "the 30th, or February's last day"): sleep until the end of the next payout day (23:59:59.999
// Paris), then run Payout:<sellerId>:<date> for each seller with money to release or pay, a page
// of sellers at a time (the page's payouts run side by side; the next page starts when they have
// ended, so no run ever has a child open when it continues as new), and continue as new for the
// next payout day (or mid-day, past a bounded history, carrying the page cursor). A payout already
// started (a page redone after a crash) is not started twice: its workflow id is the seller and
// the day.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, continueAsNew, setCurrentDetails, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { nextPayoutDay, payoutDayFor, type PayoutDay } from '../domain/payout-calendar';
import { db } from './activity-options';
import { BUSINESS_TIME_ZONE, currentDetails, timerSummary, type Deadline } from './current-details';
import { payoutWorkflow, payoutWorkflowId } from './payout';
import { BusinessStatusKey, SellerIdKey } from './search-attributes';

export const PAYOUT_CALENDAR_WORKFLOW_ID = 'PayoutCalendar';

export interface PayoutCalendarInput {
  /** Set by continue-as-new mid-day: the payout day being run and the last seller started. */
  running?: { day: PayoutDay; afterSellerId: string | null; started: number };
  /** The last payout day run, so the next is the one after it (not the same day again). */
  lastDay?: PayoutDay;
}

/** Sellers per page; continue as new past this many events (each started payout adds about 3). */
const SELLERS_PER_PAGE = 200;
const MAX_RUN_EVENTS = 3000;

export async function payoutCalendarWorkflow(input: PayoutCalendarInput = {}): Promise<void> {
  const title = 'Payout calendar (PYO-1): the 15th and the 30th, February its last day';
  let day: PayoutDay;
  let after: string | null = null;
  let started = 0;
  if (input.running) {
    ({ day, afterSellerId: after, started } = input.running);
  } else {
    day = input.lastDay ? nextPayoutDay(input.lastDay, BUSINESS_TIME_ZONE) : payoutDayFor(new Date().toISOString(), BUSINESS_TIME_ZONE);
    const deadline: Deadline = { rule: 'PYO-1', what: `pay what is released by the end of ${day.date}`, word: 'on', at: day.cutoff };
    setCurrentDetails(currentDetails({ title, state: `waiting for the end of the payout day ${day.date}`, deadline }));
    const waitMs = Date.parse(day.cutoff) + 1 - Date.now();
    if (waitMs > 0) await sleep(waitMs, { summary: timerSummary(deadline) });
  }

  for (;;) {
    setCurrentDetails(currentDetails({ title, state: `running the payout day ${day.date}: ${started} seller payout(s) started` }));
    const page = await db(`PYO-1: the next ${SELLERS_PER_PAGE} sellers with money to release or pay on ${day.date}`).sellersDueForPayout({ cutoff: day.cutoff, afterSellerId: after, limit: SELLERS_PER_PAGE });
    const running = [];
    for (const sellerId of page.sellerIds) {
      try {
        const child = await startChild(payoutWorkflow, {
          workflowId: payoutWorkflowId(sellerId, day.date),
          args: [{ sellerId, date: day.date, cutoff: day.cutoff }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: `Payout of seller ${sellerId} on ${day.date} (PYO-1)`,
          typedSearchAttributes: [
            { key: SellerIdKey, value: sellerId },
            { key: BusinessStatusKey, value: 'paying' },
          ],
        });
        started += 1;
        running.push(child.result());
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    // A payout that fails stays for an operator (it is in the Temporal UI); the day goes on.
    await Promise.allSettled(running);
    after = page.next;
    if (!after) break;
    if (workflowInfo().historyLength > MAX_RUN_EVENTS || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof payoutCalendarWorkflow>({ running: { day, afterSellerId: after, started } });
    }
  }
  await continueAsNew<typeof payoutCalendarWorkflow>({ lastDay: day });
}
