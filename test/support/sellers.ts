// A fresh approved seller for the seller-case tests: a closure case suspends or closes its seller
// for the whole test database, so each test gets its own (Seller row, current terms, a published
// offer, and a seller API key) instead of closing a demo seller that later tests check out from.
import { randomUUID } from 'node:crypto';
import { hashKey } from '../../api/auth';
import type { Db } from '../../infra/db';
import { BILLING_MANDATE, frenchVatNumber } from '../../domain/billing-identity';

export interface FreshSeller {
  sellerId: string;
  name: string;
  legalName: string;
  contactEmail: string;
  /** The seller's API key (kind 'seller'). */
  key: string;
  /** A published offer of the seller. */
  offerId: string;
  /** Its current terms version (checkout must accept it, ORD-3). */
  terms: string;
  /** Its SIREN (INV-1: on every document in its name). */
  siren: string;
}

export async function freshSeller(db: Db): Promise<FreshSeller> {
  const u = randomUUID().slice(0, 8);
  const s: FreshSeller = {
    sellerId: `sel_t_${u}`,
    name: `Seller ${u}`,
    legalName: `Seller ${u} SAS`,
    contactEmail: `seller-${u}@example.test`,
    key: `seller_test_${u}`,
    offerId: `off_t_${u}`,
    terms: `t-${u}-1`,
    siren: String(100_000_000 + Math.floor(Math.random() * 899_999_999)),
  };
  await db.seller.create({
    data: {
      id: s.sellerId, name: s.name, legalName: s.legalName, contactEmail: s.contactEmail, contactPhone: '+33 1 00 00 00 99', address: `${u} rue du Test, 75001 Paris`, status: 'approved',
      registrationNumber: s.siren, vatNumber: frenchVatNumber(s.siren), billingMandateVersion: BILLING_MANDATE.version, billingMandateAcceptedAt: new Date('2026-01-01T00:00:00Z'),
    },
  });
  await db.sellerTermsVersion.create({ data: { sellerId: s.sellerId, version: s.terms, current: true } });
  await db.offer.create({
    data: { id: s.offerId, sellerId: s.sellerId, name: `Offer ${u}`, priceCents: 1000, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, published: true },
  });
  await db.apiKey.create({ data: { hash: hashKey(s.key), label: s.name, kind: 'seller', sellerId: s.sellerId } });
  return s;
}
