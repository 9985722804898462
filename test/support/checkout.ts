// Checkout requests built from the demo catalog.
import { TEST_CARDS } from '../../infra/sandbox-gateway';
import { DEMO } from '../../prisma/demo-data';

export function checkoutBody(opts: {
  email?: string;
  type?: 'individual' | 'business';
  offers?: string[];
  card?: string;
  terms?: { sellerId: string; version: string }[];
  /** INV-1: a business's intra-EU VAT number. */
  vatNumber?: string;
  registrationNumber?: string;
} = {}) {
  const offers = opts.offers ?? [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id];
  return {
    customer: { email: opts.email ?? `buyer-${Math.random().toString(36).slice(2, 10)}@example.test`, name: 'Test Buyer', type: opts.type ?? 'individual', address: '5 avenue Test, 69001 Lyon', country: 'FR', ...(opts.vatNumber ? { vatNumber: opts.vatNumber } : {}), ...(opts.registrationNumber ? { registrationNumber: opts.registrationNumber } : {}) },
    lines: offers.map((offerId) => ({ offerId })),
    acceptedTerms: opts.terms ?? [
      { sellerId: DEMO.sellers.acme.id, version: DEMO.sellers.acme.terms },
      { sellerId: DEMO.sellers.globex.id, version: DEMO.sellers.globex.terms },
    ],
    card: { number: opts.card ?? TEST_CARDS.success, expMonth: 12, expYear: 2030, cvc: '123' },
  };
}
