// Money is integer minor units (cents) plus an ISO currency. Percentages round half-up to the
// cent once, at the line where the rule applies (SPEC conventions).

/** `amountCents * basisPoints / 10000`, rounded half-up (amounts are never negative here). */
export function percentOf(amountCents: number, basisPoints: number): number {
  if (!Number.isInteger(amountCents) || !Number.isInteger(basisPoints)) {
    throw new TypeError('percentOf takes integer cents and basis points');
  }
  // Integer arithmetic: x/10000 rounded half-up is floor((2x + 10000) / 20000).
  const product = amountCents * basisPoints;
  const sign = product < 0 ? -1 : 1;
  return sign * Math.floor((2 * Math.abs(product) + 10000) / 20000);
}

export interface LineAmounts {
  exclVatCents: number;
  vatCents: number;
  totalCents: number;
}

/** Amounts of one line for one period: VAT is computed and rounded on the line. */
export function lineAmounts(priceCents: number, vatRateBp: number): LineAmounts {
  const vatCents = percentOf(priceCents, vatRateBp);
  return { exclVatCents: priceCents, vatCents, totalCents: priceCents + vatCents };
}

export function sumAmounts(lines: LineAmounts[]): LineAmounts {
  return lines.reduce(
    (acc, l) => ({
      exclVatCents: acc.exclVatCents + l.exclVatCents,
      vatCents: acc.vatCents + l.vatCents,
      totalCents: acc.totalCents + l.totalCents,
    }),
    { exclVatCents: 0, vatCents: 0, totalCents: 0 },
  );
}

/** "12.34 EUR": plain and unambiguous in e-mails and invoices. */
export function formatMoney(cents: number, currency: string): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}
