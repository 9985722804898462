// Subscription rules that are pure date arithmetic (SUB-5, SUB-6, SUB-7, SUB-8, SUB-11) or the
// arithmetic of a running subscription's price (POL-2 notice and cap, prorated quantity increases),
// in the business time zone. Deterministic (luxon only): also runs in workflow code.
import { DateTime } from 'luxon';
import { dueDate, type BillingPeriod } from './calendar';
import { cappedUnitPrice, noticeInstant, proratedCents, type ChargeLine } from './commercial-policy';
import { lineAmounts, sumAmounts, type LineAmounts } from './money';

/** `trialing`: a POL-1 free trial; nothing is paid until it converts at its end. */
export type SubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'terminated';
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

/**
 * POL-2: the price check runs this long before the 30-day notice instant of the next due date, so
 * that its e-mail is recorded before that instant however late the worker takes up the timer.
 */
export const PRICE_CHECK_LEAD_MS = 3600_000;

/**
 * POL-2 (H): the start of the first period a price announced at `announcedAt` may apply to: the
 * first due date from `nextDueAt` on whose notice instant (30 days before, same local time) is not
 * before the announcement. `paidPeriods` is the number of the period ending at `nextDueAt`.
 */
export function priceAppliesFrom(p: { anchor: string; period: BillingPeriod; zone: string; paidPeriods: number; nextDueAt: string; announcedAt: string }): string {
  const at = Date.parse(p.announcedAt);
  let due = p.nextDueAt;
  for (let n = p.paidPeriods + 1; at > Date.parse(noticeInstant(due, p.zone)); n++) due = dueDate(p.anchor, p.period, n, p.zone);
  return due;
}

/**
 * POL-2: the unit price a renewal may move to when the seller's price is `proposedCents`: a
 * decrease as is; a rise capped over `baseCents` (see cappedUnitPrice), and never turned into a
 * decrease by a base lower than the price in force.
 */
export function renewalUnitPrice(p: { currentCents: number; proposedCents: number; baseCents: number; period: BillingPeriod }): number {
  if (p.proposedCents <= p.currentCents) return p.proposedCents;
  return Math.max(p.currentCents, cappedUnitPrice({ proposedCents: p.proposedCents, baseCents: p.baseCents, period: p.period }));
}

/** A unit price and the instant it took effect (the monthly cap's history). */
export interface PriceSince {
  from: string;
  unitPriceCents: number;
}

/** The unit price in force at `at`; before the first entry, the first (the price the line was bought at). */
export function unitPriceAt(history: PriceSince[], at: string): number {
  const t = Date.parse(at);
  let price = history[0].unitPriceCents;
  for (const h of history) if (Date.parse(h.from) <= t) price = h.unitPriceCents;
  return price;
}

/**
 * Quantities (house rule): the charge lines of a quantity increase, the period's charge lines of
 * the extra units (the discount line included, negative) each prorated over the rest of the
 * period, rounded half-up once per line; the charge is their sum with VAT per line.
 */
export function proratedLines(lines: ChargeLine[], remainingMs: number, periodMs: number): { lines: ChargeLine[]; amounts: LineAmounts } {
  const prorated = lines.map((l) => ({ ...l, exclVatCents: Math.sign(l.exclVatCents) * proratedCents(Math.abs(l.exclVatCents), remainingMs, periodMs) }));
  return { lines: prorated, amounts: sumAmounts(prorated.map((l) => lineAmounts(l.exclVatCents, l.vatRateBp))) };
}
