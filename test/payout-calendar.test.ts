// PYO-1's calendar: 21 days of hold at the same wall-clock time in Paris, payouts on the 15th and
// the 30th (February: its last day), each paying what is released by the end of its day.
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { nextPayoutDay, paidOn, payoutDayFor, releaseAt } from '../domain/payout-calendar';

const PARIS = 'Europe/Paris';
const paris = (local: string) => DateTime.fromISO(local, { zone: PARIS }).toUTC().toISO()!;
const inParis = (iso: string) => DateTime.fromISO(iso).setZone(PARIS).toFormat("yyyy-MM-dd'T'HH:mm");

describe('the payout calendar (PYO-1)', () => {
  it('PYO-1: the three examples: captured 1 March 10:00 → released 22 March, paid 30 March; 10 March → 31 March, 15 April; 22 February → 15 March, 15 March', () => {
    expect(inParis(releaseAt(paris('2026-03-01T10:00'), PARIS))).toBe('2026-03-22T10:00');
    expect(paidOn(paris('2026-03-01T10:00'), PARIS).date).toBe('2026-03-30');
    expect(inParis(releaseAt(paris('2026-03-10T10:00'), PARIS))).toBe('2026-03-31T10:00');
    expect(paidOn(paris('2026-03-10T10:00'), PARIS).date).toBe('2026-04-15');
    expect(inParis(releaseAt(paris('2026-02-22T10:00'), PARIS))).toBe('2026-03-15T10:00');
    expect(paidOn(paris('2026-02-22T10:00'), PARIS).date).toBe('2026-03-15');
  });

  it('PYO-1: a payout day pays what is released by 23:59:59.999 that day (Paris), not a millisecond later', () => {
    const day = payoutDayFor(paris('2026-03-30T23:59:59.999'), PARIS);
    expect(day).toEqual({ date: '2026-03-30', cutoff: paris('2026-03-30T23:59:59.999') });
    expect(payoutDayFor(paris('2026-03-31T00:00:00.000'), PARIS).date).toBe('2026-04-15');
    // 21 days before: captured 9 March 23:59:59.999 is paid on the 30th; a millisecond later, on 15 April.
    expect(paidOn(paris('2026-03-09T23:59:59.999'), PARIS).date).toBe('2026-03-30');
    expect(paidOn(paris('2026-03-10T00:00:00.000'), PARIS).date).toBe('2026-04-15');
  });

  it('PYO-1: from 31 January the days are the 15th and the 30th, February’s last day in a leap year (29th) and not (28th)', () => {
    const days = (from: string, n: number) => {
      const out: string[] = [];
      let d = payoutDayFor(paris(from), PARIS);
      for (let i = 0; i < n; i++, d = nextPayoutDay(d, PARIS)) out.push(d.date);
      return out;
    };
    expect(days('2028-01-31T12:00', 5)).toEqual(['2028-02-15', '2028-02-29', '2028-03-15', '2028-03-30', '2028-04-15']);
    expect(days('2027-01-31T12:00', 5)).toEqual(['2027-02-15', '2027-02-28', '2027-03-15', '2027-03-30', '2027-04-15']);
    // Captured 31 January: released 21 February, paid on February's last day.
    expect(paidOn(paris('2028-01-31T10:00'), PARIS).date).toBe('2028-02-29');
    expect(paidOn(paris('2027-01-31T10:00'), PARIS).date).toBe('2027-02-28');
  });

  it('PYO-1: across a daylight-saving weekend the release keeps the wall-clock time (21 days minus an hour in March, plus one in October)', () => {
    // 29 March 2026: clocks go forward. Captured 10 March 10:00 CET, released 31 March 10:00 CEST.
    const spring = paris('2026-03-10T10:00');
    expect(releaseAt(spring, PARIS)).toBe('2026-03-31T08:00:00.000Z');
    expect(Date.parse(releaseAt(spring, PARIS)) - Date.parse(spring)).toBe(21 * 86_400_000 - 3_600_000);
    // 25 October 2026: clocks go back. Captured 10 October 10:00 CEST, released 31 October 10:00 CET.
    const autumn = paris('2026-10-10T10:00');
    expect(releaseAt(autumn, PARIS)).toBe('2026-10-31T09:00:00.000Z');
    // A capture at 02:30 on 8 March is released on 29 March, whose 02:30 does not exist: at 03:30.
    expect(inParis(releaseAt(paris('2026-03-08T02:30'), PARIS))).toBe('2026-03-29T03:30');
    // The payout day's cutoff on the DST day is its own local midnight.
    expect(payoutDayFor(paris('2026-03-29T12:00'), PARIS).cutoff).toBe(paris('2026-03-30T23:59:59.999'));
  });
});
