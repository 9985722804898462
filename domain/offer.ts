// Offers and terms as sellers publish them (README "Offers and terms"): the bounds a published
// offer stays within, and the refusal of a seller that may not publish (KYC-1, MED-1, MED-5).

/** House bounds: a price above 1,000,000.00 per period is a typo, not an offer. */
export const MAX_PRICE_CENTS = 100_000_000;
/** VAT in basis points: 0 % (exempt, reverse charge) to 25 % (France 20 %, Switzerland 8.1 %; house bound). */
export const MAX_VAT_RATE_BP = 2500;
/** Currencies the sandbox gateway and the invoices handle; EUR unless an offer says otherwise (SPEC). */
export const OFFER_CURRENCIES = ['EUR', 'CHF', 'USD', 'GBP'] as const;
/** The period an offer's price is for. The longer periods of POL-6 are sold only as a restriction of an annual offer. */
export const BILLING_PERIODS = ['monthly', 'annual'] as const;
/** 0 = none (ORD-2); three years at most (house rule, as the longest plans of the seeds). */
export const MAX_COMMITMENT_MONTHS = 36;

/** Why a seller may not publish, or null when it may: only approved sellers publish (KYC-1). */
export function publishRefusal(seller: { name: string; status: string; statusReason: string | null }): string | null {
  if (seller.status === 'approved') return null;
  const why = seller.statusReason ?? (seller.status === 'pending' ? 'not approved yet (KYC-1)' : seller.status);
  return `seller ${seller.name} may not publish: ${seller.status}, ${why}`;
}

/** The product an offer row is a version of (rows written outside the publishing routes are their own). */
export function productOf(offer: { id: string; productId: string | null }): string {
  return offer.productId ?? offer.id;
}

/**
 * POL-6 (house rule): why an offer may not restrict its billing so, or null when it may. A
 * restriction (of YEARLY_PERIODS only, which the publishing schema checks) sells its periods at a
 * price per year, so only an annual offer has one; a monthly offer sells its own period.
 */
export function periodRestrictionRefusal(offer: { billingPeriod: string; allowedPeriods: readonly string[] }): string | null {
  if (offer.allowedPeriods.length === 0 || offer.billingPeriod === 'annual') return null;
  return `only an annual offer (priced per year) may restrict billing to ${offer.allowedPeriods.join(', ')}; a ${offer.billingPeriod} offer has no restriction: send allowedPeriods []`;
}
