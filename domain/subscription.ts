// Subscription rules that are pure date arithmetic (SUB-5, SUB-6, SUB-7, SUB-8, SUB-11), in the
// business time zone. Deterministic (luxon only): also runs in workflow code.
import { DateTime } from 'luxon';
import { dueDate, type BillingPeriod } from './calendar';

export type SubscriptionStatus = 'active' | 'past_due' | 'terminated';
export type RenewalMode = 'auto' | 'manual';
/** `seller_closed`: the seller's account was closed; the subscription ended at its period end (MED-5). */
export type EndReason = 'non_payment' | 'not_renewed' | 'terminated' | 'deleted' | 'withdrawn' | 'seller_closed';

/** SUB-7: a termination requested at least this long before a due date takes effect there. */
export const TERMINATION_NOTICE_MS = 24 * 3600_000;
/** SUB-5 (H): retries 1, 3 and 7 days after the failed due date. */
export const RETRY_DAYS = [1, 3, 7] as const;
/** SUB-6: reminders 30, 7 and 1 day(s) before the end of the period (manual mode). */
export const REMINDER_DAYS = [30, 7, 1] as const;
/** SUB-11: withdrawal window in days by customer type. */
export const WITHDRAWAL_DAYS = { individual: 14, business: 7 } as const;
/** SUB-10 (H): a deletion code is valid for 24 hours. */
export const DELETION_CODE_TTL_MS = 24 * 3600_000;

/** `iso` plus `days` calendar days in `zone`, keeping the local wall-clock time. */
export function plusDays(iso: string, days: number, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).plus({ days }).toUTC().toISO()!;
}

/** SUB-8: the commitment ends `months` after the anchor, on the renewal calendar (null: none). */
export function commitmentEnd(anchor: string, months: number, zone: string): string | null {
  return months > 0 ? dueDate(anchor, 'monthly', months, zone) : null;
}

/**
 * SUB-7, SUB-8: the date a termination requested at `at` takes effect: the first due date (from
 * the end of the paid periods on) that is at least 24 hours after the request and not before the
 * commitment's end. Every period up to it is renewed.
 */
export function terminationEffectiveAt(p: {
  anchor: string;
  period: BillingPeriod;
  zone: string;
  paidPeriods: number;
  commitmentEnd: string | null;
  at: string;
}): string {
  const atMs = Date.parse(p.at);
  const floor = p.commitmentEnd ? Date.parse(p.commitmentEnd) : 0;
  for (let n = Math.max(1, p.paidPeriods); ; n++) {
    const due = dueDate(p.anchor, p.period, n, p.zone);
    const ms = Date.parse(due);
    if (ms - atMs >= TERMINATION_NOTICE_MS && ms >= floor) return due;
  }
}

/**
 * SUB-11 (H): the withdrawal window closes at the end (midnight, business zone) of the 14th (7th)
 * calendar day after the order's payment day.
 */
export function withdrawalDeadline(anchor: string, customerType: string, zone: string): string {
  const days = customerType === 'business' ? WITHDRAWAL_DAYS.business : WITHDRAWAL_DAYS.individual;
  return DateTime.fromISO(anchor, { zone: 'utc' }).setZone(zone).startOf('day').plus({ days: days + 1 }).toUTC().toISO()!;
}
