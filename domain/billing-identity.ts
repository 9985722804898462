// INV-1: the legal identity documents show. French rules (art. 242 nonies A, annexe II CGI; Code
// de commerce L441-9, L441-10) for invoices the marketplace issues in each seller's name.

/** The billing mandate a seller accepts at onboarding: the marketplace issues its invoices. */
export const BILLING_MANDATE = {
  version: 'billing-mandate-2026-09',
  summary:
    'The seller mandates the marketplace to issue, in its name and on its behalf, the invoices and credit notes of its sales on the marketplace (art. 289 I-2 CGI); the seller keeps its VAT obligations and may contest a document within 30 days.',
} as const;

/** An intra-EU VAT number: two letters, then 2 to 13 letters or digits (VIES format). */
export const VAT_NUMBER = /^[A-Z]{2}[0-9A-Z]{2,13}$/;
/** A buyer's registration number as documents print it: a SIREN, or another register's (letters, digits, spaces, dashes). */
export const REGISTRATION_NUMBER = /^[A-Za-z0-9][A-Za-z0-9 .\/-]{1,39}$/;
/** A French SIREN: 9 digits. */
export const SIREN = /^\d{9}$/;

/** The French intra-EU VAT number of a SIREN: FR + key (12 + 3 × (SIREN mod 97)) mod 97 + SIREN. */
export function frenchVatNumber(siren: string): string {
  if (!SIREN.test(siren)) throw new RangeError(`not a SIREN: ${siren}`);
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren}`;
}

/** The seller's VAT number: the one declared, else the French one of its SIREN, else none. */
export function sellerVatNumber(declared: string | null | undefined, registrationNumber: string | null | undefined): string | null {
  if (declared) return declared;
  const siren = registrationNumber?.replace(/\s/g, '') ?? '';
  return SIREN.test(siren) ? frenchVatNumber(siren) : null;
}

/**
 * L441-10: the late-payment penalty rate and the fixed recovery fee of business invoices. House
 * rule: the statutory default rate (the ECB's rate plus 10 points), as no seller sets its own.
 */
export const LATE_PAYMENT = {
  penaltyRate: "the European Central Bank's refinancing rate plus 10 percentage points",
  recoveryFeeCents: 4000,
  recoveryFeeCurrency: 'EUR',
} as const;
