// Money conventions: integer cents, percentages rounded half-up once on the line.
import { describe, expect, it } from 'vitest';
import { formatMoney, lineAmounts, percentOf, sumAmounts } from '../domain/money';

describe('money', () => {
  it('rounds a percentage half-up to the cent', () => {
    expect(percentOf(1999, 2000)).toBe(400); // 399.8
    expect(percentOf(25, 2000)).toBe(5); // exact
    expect(percentOf(1, 5000)).toBe(1); // 0.5 rounds up
    expect(percentOf(1, 4999)).toBe(0); // 0.4999 rounds down
    expect(percentOf(11990, 2000)).toBe(2398);
    expect(percentOf(12345, 300)).toBe(370); // 370.35
    expect(percentOf(12350, 300)).toBe(371); // 370.5
  });

  it('computes a line once per period: excl. VAT, VAT, incl. VAT, and sums lines without re-rounding', () => {
    const lines = [lineAmounts(1999, 2000), lineAmounts(11990, 2000), lineAmounts(4900, 550)];
    expect(lines).toEqual([
      { exclVatCents: 1999, vatCents: 400, totalCents: 2399 },
      { exclVatCents: 11990, vatCents: 2398, totalCents: 14388 },
      { exclVatCents: 4900, vatCents: 270, totalCents: 5170 }, // 269.5 rounds up
    ]);
    expect(sumAmounts(lines)).toEqual({ exclVatCents: 18889, vatCents: 3068, totalCents: 21957 });
  });

  it('refuses non-integer amounts and formats cents plainly', () => {
    expect(() => percentOf(10.5, 2000)).toThrow(TypeError);
    expect(formatMoney(16787, 'EUR')).toBe('167.87 EUR');
    expect(formatMoney(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMoney(-120, 'CHF')).toBe('-1.20 CHF');
  });
});
