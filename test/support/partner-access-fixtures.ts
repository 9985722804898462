// Partners and partnerships written straight to the database for the partner-access tests
// (PRT-4 to PRT-6): an approved partner company (its customer account, key and saved card), a
// customer with a billing address, an active partnership between them, and a seller's offer
// with a reseller discount. The Partnership workflow (PRT-2) is tested on its own; here the row
// in force is all that access reads.
import { randomUUID } from 'node:crypto';
import { hashKey } from '../../api/auth';
import { TEST_CARDS } from '../../infra/sandbox-gateway';
import type { VolumeTier } from '../../domain/partner-pricing';
import { freshSeller, type FreshSeller } from './sellers';
import { saveTestCard } from './subscriptions';
import type { TestSystem } from './system';

export interface TestAccount {
  customerId: string;
  key: string;
  email: string;
  /** A card saved on the account. */
  cardId: string;
}

export interface TestPartner extends TestAccount {
  partnerId: string;
}

/** A verified customer account with its billing address, a customer key and a saved card. */
export async function freshAccount(sys: TestSystem, label = 'customer'): Promise<TestAccount> {
  const u = randomUUID().slice(0, 8);
  const a = { customerId: `cus_${label}_${u}`, key: `cust_test_${label}_${u}`, email: `${label}-${u}@example.test` };
  await sys.db.customer.create({ data: { id: a.customerId, email: a.email, name: `${label} ${u}`, type: 'business', verifiedAt: new Date(), address: '1 rue du Test, 75001 Paris', country: 'FR' } });
  await sys.db.apiKey.create({ data: { hash: hashKey(a.key), label: a.email, kind: 'customer', customerId: a.customerId } });
  const card = await saveTestCard(sys, TEST_CARDS.success, a.customerId);
  return { ...a, cardId: card.cardId };
}

/** An approved partner company: its own customer account (it signs in as it, PRT-1). */
export async function freshPartner(sys: TestSystem): Promise<TestPartner> {
  const account = await freshAccount(sys, 'partner');
  const partnerId = `prt_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await sys.db.partner.create({
    data: {
      id: partnerId, customerId: account.customerId, companyName: `Partner ${partnerId}`, registrationNumber: '123456789', website: 'https://partner.example.test',
      legalRepresentatives: [{ name: 'Rep', email: account.email }], status: 'approved', decidedAt: new Date(), decidedBy: 'staff:test',
    },
  });
  return { ...account, partnerId };
}

/** An active partnership as its workflow leaves it once accepted. */
export async function activePartnership(
  sys: TestSystem,
  p: { customerId: string; partnerId: string; access: 'limited' | 'complete'; productIds?: string[]; payer?: 'customer' | 'partner' },
): Promise<string> {
  const id = `pship_${randomUUID()}`;
  const now = new Date();
  await sys.db.partnership.create({
    data: {
      id, customerId: p.customerId, partnerId: p.partnerId, status: 'active', requestedBy: 'partner', requestedAccess: p.access, requestedProductIds: p.productIds ?? [],
      access: p.access, productIds: p.productIds ?? [], payer: p.payer ?? 'customer', invitedAt: now, lapsesAt: new Date(now.getTime() + 14 * 86_400_000), respondedAt: now,
    },
  });
  return id;
}

/** A fresh seller whose offer has this price, reseller discount and volume tiers (its own product). */
export async function sellerOffering(sys: TestSystem, o: { priceCents: number; currency: string; partnerDiscountBp: number; volumeTiers?: VolumeTier[] }): Promise<FreshSeller> {
  const seller = await freshSeller(sys.db);
  await sys.db.offer.update({ where: { id: seller.offerId }, data: { priceCents: o.priceCents, currency: o.currency, partnerDiscountBp: o.partnerDiscountBp, volumeTiers: o.volumeTiers ?? [] } });
  return seller;
}
