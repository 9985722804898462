// The pure rules of the seller commercial policies (domain/commercial-policy.ts) and the
// multi-year calendar (domain/calendar.ts), with expected values written out literally. The
// processes that apply them (checkout, the subscription workflow) are tested on the
// time-skipping server once they use them.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dueDate, periodIndexAt } from '../domain/calendar';
import {
  allowedPeriodsOf,
  cappedUnitPrice,
  lineCharge,
  noticeInstant,
  priceCap,
  proratedCents,
  refundDeadline,
  trialEnd,
  twelveMonthsBefore,
  unitPriceFor,
} from '../domain/commercial-policy';

const PARIS = 'Europe/Paris';

describe('POL-2 renewal price cap', () => {
  it('POL-2: a 10% increase is capped to 7%, a 5% increase passes as is, a decrease passes as is', () => {
    expect(cappedUnitPrice({ proposedCents: 11_000, baseCents: 10_000, period: 'annual' })).toBe(10_700);
    expect(cappedUnitPrice({ proposedCents: 10_500, baseCents: 10_000, period: 'annual' })).toBe(10_500);
    expect(cappedUnitPrice({ proposedCents: 9_000, baseCents: 10_000, period: 'annual' })).toBe(9_000);
    // Monthly (house rule): the same 7 % over the price 12 months earlier.
    expect(cappedUnitPrice({ proposedCents: 2_199, baseCents: 1_999, period: 'monthly' })).toBe(2_139);
  });

  it('POL-2: two consecutive years of increases compound across anniversaries only, half-up each year', () => {
    // Year 1: 100.00 → seller asks 110.00 → 107.00. Year 2: the base is 107.00 → asks 120.00 → 114.49.
    const year1 = cappedUnitPrice({ proposedCents: 11_000, baseCents: 10_000, period: 'annual' });
    const year2 = cappedUnitPrice({ proposedCents: 12_000, baseCents: year1, period: 'annual' });
    expect([year1, year2]).toEqual([10_700, 11_449]);
    // A 3-year period holds three anniversaries: 1.07 three times, rounded each year.
    expect(priceCap(10_000, 3)).toBe(12_250);
    expect(cappedUnitPrice({ proposedCents: 20_000, baseCents: 10_000, period: 'triennial' })).toBe(12_250);
  });

  it('POL-2: the notice instant is 30 days before the renewal at the same Paris wall-clock time, across daylight saving', () => {
    // Renewal on 15 April 2027 10:00 Paris (CEST, 08:00 UTC): notice on 16 March 10:00 Paris (CET, 09:00 UTC).
    expect(noticeInstant('2027-04-15T08:00:00.000Z', PARIS)).toBe('2027-03-16T09:00:00.000Z');
    expect(twelveMonthsBefore('2027-04-15T08:00:00.000Z', PARIS)).toBe('2026-04-15T08:00:00.000Z');
  });
});

describe('POL-4 refund window', () => {
  it('POL-4: a payment of 1 March is refundable through day 30 (31 March, 23:59:59.999 Paris), not on day 31', () => {
    const deadline = refundDeadline('2027-03-01T15:30:00.000Z', PARIS);
    // 1 April 00:00 Paris (CEST) = 31 March 22:00 UTC.
    expect(deadline).toBe('2027-03-31T22:00:00.000Z');
    const lastMsOfDay30 = Date.parse(deadline) - 1;
    expect(lastMsOfDay30 < Date.parse(deadline)).toBe(true);
  });
});

describe('POL-6 billing restricted to annual or multi-year periods', () => {
  it('POL-6: a restricted offer sells only its listed yearly periods, each priced per year of the period', () => {
    const offer = { billingPeriod: 'annual', allowedPeriods: ['annual', 'triennial'], priceCents: 12_000 };
    expect(allowedPeriodsOf(offer)).toEqual(['annual', 'triennial']);
    expect(allowedPeriodsOf({ billingPeriod: 'monthly', allowedPeriods: [] })).toEqual(['monthly']);
    expect(unitPriceFor(offer, 'annual')).toBe(12_000);
    expect(unitPriceFor(offer, 'triennial')).toBe(36_000);
  });

  it('POL-6: a 3-year period from 29 February 2028 renews on 28 February 2031, then 29 February 2034 (from the anchor, never chained)', () => {
    const anchor = '2028-02-29T09:00:00.000Z'; // 10:00 Paris
    expect(dueDate(anchor, 'triennial', 1, PARIS)).toBe('2031-02-28T09:00:00.000Z');
    expect(dueDate(anchor, 'triennial', 2, PARIS)).toBe('2034-02-28T09:00:00.000Z');
    expect(dueDate(anchor, 'biennial', 2, PARIS)).toBe('2032-02-29T09:00:00.000Z');
    expect(periodIndexAt(anchor, 'triennial', '2031-02-28T08:59:59.999Z', PARIS)).toBe(0);
    expect(periodIndexAt(anchor, 'triennial', '2031-02-28T09:00:00.000Z', PARIS)).toBe(1);
  });

  it('POL-6: periodIndexAt agrees with dueDate for every multi-year period (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('annual' as const, 'biennial' as const, 'triennial' as const), fc.integer({ min: 1, max: 6 }), (d, period, n) => {
        const anchor = d.toISOString();
        const due = dueDate(anchor, period, n, PARIS);
        expect(periodIndexAt(anchor, period, due, PARIS)).toBe(n);
        expect(periodIndexAt(anchor, period, new Date(Date.parse(due) - 1).toISOString(), PARIS)).toBe(n - 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('quantities and discounts on a line', () => {
  it('POL-3: 3 seats at 10.00 with the 20% discount: the discount is its own line and the charge is the sum of the lines', () => {
    const charge = lineCharge({ name: 'Mail', unitPriceCents: 1_000, quantity: 3, discountBp: 2000, discountKind: 'charity', vatRateBp: 2000 });
    expect(charge.lines).toEqual([
      { description: 'Mail', quantity: 3, exclVatCents: 3_000, vatRateBp: 2000 },
      { description: 'charity discount 20 % (POL-3)', quantity: 1, exclVatCents: -600, vatRateBp: 2000 },
    ]);
    expect(charge.amounts).toEqual({ exclVatCents: 2_400, vatCents: 480, totalCents: 2_880 });
  });

  it('quantities: an increase mid-period is prorated exactly to the cent, half-up once', () => {
    const day = 86_400_000;
    // 2 extra seats at 9.99 for 10 of 31 days: 1998 × 10/31 = 644.516… → 645.
    expect(proratedCents(1_998, 10 * day, 31 * day)).toBe(645);
    // Exactly half a cent rounds up: 1 × 1/2.
    expect(proratedCents(1, 1, 2)).toBe(1);
    expect(proratedCents(1_998, 0, 31 * day)).toBe(0);
    // Never more than the whole period.
    expect(proratedCents(1_998, 40 * day, 31 * day)).toBe(1_998);
  });

  it('POL-1: a 30-day trial ends at the same Paris wall-clock time, across daylight saving', () => {
    // 10 March 2027 10:00 Paris (CET) + 30 days = 9 April 10:00 Paris (CEST).
    expect(trialEnd('2027-03-10T09:00:00.000Z', 30, PARIS)).toBe('2027-04-09T08:00:00.000Z');
  });
});
