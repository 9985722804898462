// Scenarios of the payouts (PYO-1) whose histories the replay test keeps replaying: the calendar
// waiting for a payout day, running it and continuing as new for the next; a payout paid after the
// bank's first answer was lost (the retry under the same key); a payout rejected and voided.
// Run this file alone:
// `npx vitest run --config vitest.record.config.ts test/record/payout-histories.record.ts`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { postBatch } from '../../activities/ledger';
import { captureBatch } from '../../domain/ledger';
import { paidOn } from '../../domain/payout-calendar';
import { TEST_IBANS } from '../../infra/sandbox-payouts';
import { payoutCalendarWorkflow } from '../../workflows/payout-calendar';
import { payoutWorkflowId } from '../../workflows/payout';
import { useTestSystem } from '../support/environments';
import { saveAllRuns, saveHistory } from '../support/histories';
import { eventually } from '../support/http';
import { freshSeller } from '../support/sellers';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

it('records a payout day: one payout paid after a lost bank answer, one rejected, the calendar continued for the next day (PYO-1)', async () => {
  const at = new Date(await env.currentTimeMs()).toISOString();
  const sellers = [];
  for (const iban of [TEST_IBANS.failsOnce, TEST_IBANS.rejected]) {
    const s = await freshSeller(sys.db);
    await sys.db.payoutAccount.create({ data: { sellerId: s.sellerId, iban, holder: s.legalName } });
    const paymentId = `order:ord_rec_${s.sellerId}:checkout`;
    await sys.db.$transaction((tx) => postBatch(tx, `payment:${paymentId}:capture`, at, captureBatch({ paymentId, currency: 'EUR', feeRateBp: 300, lines: [{ lineId: `lin_rec_${s.sellerId}`, sellerId: s.sellerId, amount: 10_000n }] })));
    sellers.push(s);
  }
  const calendar = await env.client.workflow.start(payoutCalendarWorkflow, { workflowId: 'PayoutCalendar-record', taskQueue: sys.taskQueue, args: [{}] });
  const day = paidOn(at, 'Europe/Paris');
  await env.sleep(Date.parse(day.cutoff) + 120_000 - (await env.currentTimeMs()));
  const outcomes = [];
  for (const s of sellers) {
    outcomes.push(await eventually(async () => {
      const p = await sys.db.payout.findUnique({ where: { id: `payout:${s.sellerId}:EUR:${day.date}` } });
      return p && p.status !== 'sending' ? p.status : undefined;
    }, 30_000, 'payout settled'));
  }
  expect(outcomes).toEqual(['paid', 'rejected']);
  await saveHistory(env.client, payoutWorkflowId(sellers[0].sellerId, day.date), 'payout--paid-after-lost-answer');
  await saveHistory(env.client, payoutWorkflowId(sellers[1].sellerId, day.date), 'payout--rejected-voided');
  const runs = await saveAllRuns(env.client, 'PayoutCalendar-record', calendar.firstExecutionRunId, 'payout-calendar--day-run-continued');
  expect(runs).toBeGreaterThanOrEqual(2); // payout days with nothing due may come first
});
