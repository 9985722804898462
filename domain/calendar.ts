// Renewal calendar (SPEC SUB-2, ORD-8). Why: a subscription's renewal dates are calendar rules, so
// they are computed in the business time zone (`Europe/Paris` by default, configurable), not in
// UTC and not by adding fixed durations.
// Rule: the anchor is the payment instant (ORD-8). Monthly renews on the anchor's day of month
// (15 March: 15 April, 15 May, ...); a month without that day renews on its last day and later
// months return to the anchor day (31 Jan, 28/29 Feb, 31 Mar). Annual renews on the anniversary
// (29 Feb: 28 Feb in non-leap years); a 2- or 3-year period (POL-6) renews on the anniversary 2 or 3
// years on, from the anchor (29 Feb 2028 + 3 years: 28 Feb 2031; + 4 years, 2 periods of 2: 29 Feb 2032). The n-th due date is always anchor + n periods, computed
// from the anchor (never chained from the previous due date, which would lose the day after a
// clamp), keeping the anchor's local wall-clock time across daylight-saving changes.
//
// Pure and deterministic: no clock, no I/O, only `luxon` (this module also runs in Temporal
// workflow code). All month/year arithmetic is luxon's `plus`, which clamps the day of month.

import { DateTime, Info } from 'luxon';

/** POL-6: an offer may sell only annual or multi-year periods (2 or 3 years), paid in advance. */
export type BillingPeriod = 'monthly' | 'annual' | 'biennial' | 'triennial';
/** Years per period of the yearly kinds (monthly: none). */
export const PERIOD_YEARS: Record<Exclude<BillingPeriod, 'monthly'>, number> = { annual: 1, biennial: 2, triennial: 3 };
export const BILLING_PERIOD_NAMES: readonly BillingPeriod[] = ['monthly', 'annual', 'biennial', 'triennial'];

function parseInstant(iso: string, what: string): DateTime {
  if (typeof iso !== 'string') {
    throw new RangeError(`${what}: invalid ISO date-time: ${String(iso)}`);
  }
  let dt: DateTime;
  try {
    // An ISO string without an offset is read as UTC (instants are stored in UTC).
    dt = DateTime.fromISO(iso, { zone: 'utc' });
  } catch {
    // Only reachable if someone enabled luxon's Settings.throwOnInvalid.
    throw new RangeError(`${what}: invalid ISO date-time: ${JSON.stringify(iso)}`);
  }
  if (!dt.isValid) {
    throw new RangeError(`${what}: invalid ISO date-time: ${JSON.stringify(iso)}`);
  }
  return dt;
}

function checkZone(timeZone: string): void {
  // IANA names only ('Europe/Paris', 'UTC'): luxon's 'local'/'system' would depend on the host.
  if (typeof timeZone !== 'string' || !Info.isValidIANAZone(timeZone)) {
    throw new RangeError(`unknown time zone: ${JSON.stringify(timeZone)}`);
  }
}

function checkPeriod(period: BillingPeriod): void {
  if (!BILLING_PERIOD_NAMES.includes(period)) {
    throw new RangeError(`unknown billing period: ${JSON.stringify(period)}`);
  }
}

function toUtcIso(dt: DateTime): string {
  const iso = dt.toUTC().toISO();
  if (iso === null) throw new RangeError('due date out of range');
  return iso;
}

/** Anchor + n periods, in the business zone (inputs already validated). */
function dueAt(localAnchor: DateTime, period: BillingPeriod, n: number): DateTime {
  // luxon's plus({ months }) / plus({ years }) sets the calendar fields, clamps the day to the
  // target month's length (31 -> 30/28/29, 29 Feb -> 28 Feb) and keeps the local wall time, then
  // resolves the UTC offset in the zone. If that wall time does not exist on the due day (DST
  // gap, e.g. 02:30 on the last Sunday of March in Paris), luxon shifts it forward by the gap
  // (03:30), still on the same calendar day. An ambiguous wall time (autumn) resolves to one of
  // its two instants; both are on the due day at the anchor's wall time.
  const due = period === 'monthly' ? localAnchor.plus({ months: n }) : localAnchor.plus({ years: n * PERIOD_YEARS[period] });
  if (!due.isValid) throw new RangeError('due date out of range');
  return due;
}

function localAnchorOf(anchorIso: string, period: BillingPeriod, timeZone: string): DateTime {
  checkPeriod(period);
  checkZone(timeZone);
  const local = parseInstant(anchorIso, 'anchor').setZone(timeZone);
  if (!local.isValid) throw new RangeError(`unknown time zone: ${JSON.stringify(timeZone)}`);
  return local;
}

/**
 * The n-th due date (n >= 1) after the anchor (payment instant, UTC ISO), as a UTC ISO string.
 * SUB-2: anchor + n months (monthly) or + n years (annual) in `timeZone`.
 */
export function dueDate(anchorIso: string, period: BillingPeriod, n: number, timeZone: string): string {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`period number must be an integer >= 1, got ${String(n)}`);
  }
  return toUtcIso(dueAt(localAnchorOf(anchorIso, period, timeZone), period, n));
}

/** The first `count` due dates (n = 1..count), UTC ISO strings, strictly increasing. */
export function dueDates(anchorIso: string, period: BillingPeriod, count: number, timeZone: string): string[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be an integer >= 0, got ${String(count)}`);
  }
  const local = localAnchorOf(anchorIso, period, timeZone);
  const out: string[] = [];
  for (let n = 1; n <= count; n++) out.push(toUtcIso(dueAt(local, period, n)));
  return out;
}

/**
 * How many due dates are <= `atIso` (0 before the first one). Equivalently, the number of the
 * period renewals already due at that instant.
 */
export function periodIndexAt(anchorIso: string, period: BillingPeriod, atIso: string, timeZone: string): number {
  const local = localAnchorOf(anchorIso, period, timeZone);
  const at = parseInstant(atIso, 'at').setZone(timeZone);
  const atMs = at.toMillis();
  if (atMs < local.toMillis()) return 0;
  // Estimate from the calendar fields, then correct (due dates are strictly increasing).
  const months = (at.year - local.year) * 12 + (at.month - local.month);
  let k = Math.max(0, period === 'monthly' ? months : Math.floor((at.year - local.year) / PERIOD_YEARS[period]));
  while (k >= 1 && dueAt(local, period, k).toMillis() > atMs) k--;
  while (dueAt(local, period, k + 1).toMillis() <= atMs) k++;
  return k;
}
