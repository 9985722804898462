// PYO-1's calendar, pure (luxon only: it also runs in workflow code). A captured payment is held
// 21 calendar days, released at the same wall-clock time in the business time zone (house rule; a
// time that does not exist that day, in the spring-forward hour, moves on by the gap, and one that
// exists twice, in the autumn, is its first occurrence: luxon's rules). Payouts are on the 15th and
// the 30th of each month, February's on its last day; a payout day pays everything released by the
// end of that day (23:59:59.999 local).
import { DateTime } from 'luxon';

export const HOLD_DAYS = 21;

function local(iso: string, zone: string): DateTime {
  const dt = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  if (!dt.isValid) throw new RangeError(`invalid instant ${JSON.stringify(iso)} or zone ${zone}`);
  return dt;
}

/** PYO-1: when a payment captured at `capturedAt` is released. */
export function releaseAt(capturedAt: string, zone: string): string {
  return local(capturedAt, zone).plus({ days: HOLD_DAYS }).toUTC().toISO()!;
}

/** The payout days of a month: the 15th and the 30th, or February's last day. */
export function payoutDaysOfMonth(year: number, month: number): number[] {
  const last = DateTime.fromObject({ year, month, day: 1 }).daysInMonth!;
  return [15, Math.min(30, last)];
}

export interface PayoutDay {
  /** The local calendar date, YYYY-MM-DD. */
  date: string;
  /** The end of that day in the business time zone (UTC ISO): what is released by then is paid. */
  cutoff: string;
}

function payoutDay(year: number, month: number, day: number, zone: string): PayoutDay {
  const d = DateTime.fromObject({ year, month, day }, { zone });
  return { date: d.toISODate()!, cutoff: d.endOf('day').toUTC().toISO()! };
}

/** The first payout day whose cutoff is at or after `atIso`: the one that pays what is released at `atIso`. */
export function payoutDayFor(atIso: string, zone: string): PayoutDay {
  const at = local(atIso, zone);
  for (let m = 0; m < 3; m++) {
    const month = at.startOf('month').plus({ months: m });
    for (const day of payoutDaysOfMonth(month.year, month.month)) {
      const p = payoutDay(month.year, month.month, day, zone);
      if (Date.parse(p.cutoff) >= Date.parse(atIso)) return p;
    }
  }
  throw new Error('unreachable: a payout day comes within every month');
}

/** PYO-1: the payout day that pays a payment captured at `capturedAt`. */
export function paidOn(capturedAt: string, zone: string): PayoutDay {
  return payoutDayFor(releaseAt(capturedAt, zone), zone);
}

/** The payout day after `day` (the calendar's next wake-up). */
export function nextPayoutDay(day: PayoutDay, zone: string): PayoutDay {
  return payoutDayFor(new Date(Date.parse(day.cutoff) + 1).toISOString(), zone);
}
