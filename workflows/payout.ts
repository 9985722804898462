// Payout:<sellerId>:<date> — PYO-1: one seller's payout on one payout day, started by the payout
// calendar. Reads top to bottom: release what the 21 days have freed by the end of the day and
// make the statement (it must reconcile, or the payout stops and finance is alerted) and reserve
// the available balance (never below zero: a deficit carries over); send each currency's
// bank transfer through the payout port; post it on confirmation, or void it on rejection, finance
// alerted and the amount left for the next payout day; the seller is e-mailed the statement. Each
// step is keyed by the payout's id.
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { PayoutPlan } from '../activities/payouts';
import { db, refunds as untilDone, summarized } from './activity-options';
import { currentDetails } from './current-details';
import { BusinessStatusKey } from './search-attributes';

export interface PayoutInput {
  sellerId: string;
  date: string;
  cutoff: string;
}

export function payoutWorkflowId(sellerId: string, date: string): string {
  return `Payout:${sellerId}:${date}`;
}

/**
 * The day's releases and the statement: a seller's whole period of captures in a few statements,
 * longer than a single write under a payout day's load (200 sellers at once); still short enough
 * that an attempt lost with a crashed worker is soon tried again elsewhere: it heartbeats
 * (activities/heartbeating.ts), so a lost attempt is retried after 10 seconds, not 2 minutes.
 */
const prepare = summarized({ startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } });

/** The bank transfer: retried for as long as it takes (the payout's id is the idempotency key). */
const bank = summarized({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' } });

/** Who an e-mail of a payout tells, from its id's last part (`…:statement`, `…:rejected`, …). */
const emailKind = (emailId: string) => (emailId.endsWith(':statement') ? 'the statement to the seller' : 'the alert to finance');

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

export async function payoutWorkflow(input: PayoutInput): Promise<PayoutPlan[]> {
  const title = `Payout of seller ${input.sellerId} on ${input.date}`;
  setCurrentDetails(currentDetails({ title, state: 'releasing what the 21-day hold frees by the end of the day, making the statement and reserving the payout (PYO-1)' }));
  const plans = await prepare(`PYO-1: release what is due by the end of ${input.date} and reserve the payout of seller ${input.sellerId}`).preparePayout(input);
  for (const p of plans) {
    for (const emailId of p.emailIds) await db(`PYO-1: e-mail ${emailKind(emailId)} of the payout ${p.payoutId} (${p.status})`).dispatchEmail(emailId, `E-mail: PYO-1 ${emailKind(emailId)}, payout ${p.payoutId}`);
    if (p.status !== 'sending') continue;
    setCurrentDetails(currentDetails({ title, state: `sending ${money(p.amountCents, p.currency)} to the seller's bank (PYO-1)`, awaiting: "the bank's answer" }));
    const result = await bank(`PYO-1: bank transfer of ${money(p.amountCents, p.currency)} to seller ${input.sellerId} (${p.payoutId})`).sendPayout({ payoutId: p.payoutId });
    const settled = await untilDone(`PYO-1: ${result.status === 'paid' ? 'post' : 'void'} the payout ${p.payoutId}`).settlePayout({ payoutId: p.payoutId, result, at: new Date().toISOString() });
    p.status = settled.status;
    for (const emailId of settled.emailIds) await db(`PYO-1: e-mail ${emailKind(emailId)} of the payout ${p.payoutId} (${settled.status})`).dispatchEmail(emailId, `E-mail: PYO-1 ${emailKind(emailId)}, payout ${p.payoutId}`);
  }
  const summary = plans.map((p) => `${p.currency}: ${p.status}, ${money(p.amountCents, p.currency)}${p.deficitOutCents > 0 ? `, deficit carried ${money(p.deficitOutCents, p.currency)}` : ''}`);
  upsertSearchAttributes([{ key: BusinessStatusKey, value: plans.some((p) => p.status === 'stopped') ? 'stopped' : plans.some((p) => p.status === 'rejected') ? 'rejected' : 'done' }]);
  setCurrentDetails(currentDetails({ title, state: `done (PYO-1): ${summary.join('; ') || 'nothing to pay'}` }));
  return plans;
}
