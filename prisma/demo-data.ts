// Demo sellers, offers, terms and API keys: seeded by the start command and reused by tests.
import { TEST_IBANS } from '../infra/sandbox-payouts';
import { BILLING_MANDATE, frenchVatNumber } from '../domain/billing-identity';
import { hashKey } from '../api/auth';
import type { Db } from '../infra/db';

export const DEMO_KEYS = {
  admin: 'demo-admin-key',
  ops: 'demo-ops-key',
  support: 'demo-support-key',
  finance: 'demo-finance-key',
  sellerAcme: 'demo-seller-acme-key',
  sellerGlobex: 'demo-seller-globex-key',
  sellerPending: 'demo-seller-initech-key',
  customer: 'demo-customer-key',
} as const;

export const DEMO = {
  sellers: {
    acme: { id: 'sel_acme', registrationNumber: '912345678', name: 'Acme Cloud', legalName: 'Acme Cloud SAS', contactEmail: 'sales@acme.test', contactPhone: '+33 1 00 00 00 01', address: '1 rue de la Paix, 75002 Paris', status: 'approved', terms: 'acme-2026-01' },
    globex: { id: 'sel_globex', registrationNumber: '923456781', name: 'Globex Backup', legalName: 'Globex SARL', contactEmail: 'contact@globex.test', contactPhone: '+33 4 00 00 00 02', address: '2 quai Perrache, 69002 Lyon', status: 'approved', terms: 'globex-v3' },
    initech: { id: 'sel_initech', registrationNumber: '934567812', name: 'Initech', legalName: 'Initech SA', contactEmail: 'hello@initech.test', contactPhone: '+33 5 00 00 00 03', address: '3 allée Jean Jaurès, 31000 Toulouse', status: 'pending', terms: 'initech-1' },
  },
  offers: {
    acmeMail: { id: 'off_acme_mail', sellerId: 'sel_acme', name: 'Acme Mail Pro', priceCents: 1999, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, supportTier: 'basic' },
    acmeCrm: { id: 'off_acme_crm', sellerId: 'sel_acme', name: 'Acme CRM (12-month commitment)', priceCents: 4900, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 12, supportTier: 'standard' },
    globexBackup: { id: 'off_globex_backup', sellerId: 'sel_globex', name: 'Globex Backup 1 TB', priceCents: 11990, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'annual', commitmentMonths: 0, supportTier: 'premium' },
    initechWiki: { id: 'off_initech_wiki', sellerId: 'sel_initech', name: 'Initech Wiki', priceCents: 500, currency: 'EUR', vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, supportTier: 'basic' },
  },
  customer: { id: 'cus_demo', email: 'demo.customer@example.test', name: 'Demo Customer', type: 'individual', address: '4 place Bellecour, 69002 Lyon', country: 'FR' },
  // a staff key is a person's, and the audit log names that person (`staff:<label>`). The
  // people are fictional; each holds one key of DEMO_KEYS, of the same name.
  staff: {
    admin: { label: 'Hugo Bernard (admin)', role: 'admin' },
    ops: { label: 'Alice Martin (ops)', role: 'ops' },
    support: { label: 'Chloe Petit (support)', role: 'support' },
    finance: { label: 'Karim Haddad (finance)', role: 'finance' },
  },
} as const;

/** Who holds each demo key, as the start scripts print it. */
export function demoKeyHolders(): { key: string; holder: string }[] {
  const { acme, globex, initech } = DEMO.sellers;
  const holders: Record<keyof typeof DEMO_KEYS, string> = {
    admin: `staff ${DEMO.staff.admin.label}: every role`,
    ops: `staff ${DEMO.staff.ops.label}`,
    support: `staff ${DEMO.staff.support.label}`,
    finance: `staff ${DEMO.staff.finance.label}`,
    sellerAcme: `seller ${acme.name} (approved, ${acme.id})`,
    sellerGlobex: `seller ${globex.name} (approved, ${globex.id})`,
    sellerPending: `seller ${initech.name} (not approved: takes no orders, ${initech.id})`,
    customer: `customer ${DEMO.customer.name} <${DEMO.customer.email}>, ${DEMO.customer.id}`,
  };
  return Object.entries(DEMO_KEYS).map(([name, key]) => ({ key, holder: holders[name as keyof typeof DEMO_KEYS] }));
}

/** The API key of a demo seller that takes orders (Acme or Globex). */
export function demoSellerKey(sellerId: string): string {
  return sellerId === DEMO.sellers.acme.id ? DEMO_KEYS.sellerAcme : DEMO_KEYS.sellerGlobex;
}

/** Idempotent: safe to run at every start. */
export async function seedDemoData(db: Db): Promise<void> {
  for (const s of Object.values(DEMO.sellers)) {
    const { terms, ...seller } = s;
    // INV-1: the demo sellers accepted the billing mandate when the demo began.
    const mandate = { billingMandateVersion: BILLING_MANDATE.version, billingMandateAcceptedAt: new Date('2026-01-01T00:00:00Z') };
    await db.seller.upsert({ where: { id: s.id }, create: { ...seller, vatNumber: frenchVatNumber(s.registrationNumber), ...mandate }, update: {} });
    await db.sellerTermsVersion.upsert({
      where: { sellerId_version: { sellerId: s.id, version: terms } },
      create: { sellerId: s.id, version: terms, current: true },
      update: {},
    });
    // PYO-1: the approved demo sellers are paid to the payout sandbox's account that always succeeds.
    if (s.status === 'approved') await db.payoutAccount.upsert({ where: { sellerId: s.id }, create: { sellerId: s.id, iban: TEST_IBANS.paid, holder: s.legalName }, update: {} });
  }
  for (const o of Object.values(DEMO.offers)) {
    await db.offer.upsert({ where: { id: o.id }, create: o, update: { supportTier: o.supportTier } });
  }
  await db.customer.upsert({ where: { id: DEMO.customer.id }, create: DEMO.customer, update: {} });

  const keys: { key: string; label: string; kind: string; role?: string; sellerId?: string; customerId?: string }[] = [
    { key: DEMO_KEYS.admin, label: DEMO.staff.admin.label, kind: 'staff', role: 'admin' },
    { key: DEMO_KEYS.ops, label: DEMO.staff.ops.label, kind: 'staff', role: 'ops' },
    { key: DEMO_KEYS.support, label: DEMO.staff.support.label, kind: 'staff', role: 'support' },
    { key: DEMO_KEYS.finance, label: DEMO.staff.finance.label, kind: 'staff', role: 'finance' },
    { key: DEMO_KEYS.sellerAcme, label: 'acme', kind: 'seller', sellerId: DEMO.sellers.acme.id },
    { key: DEMO_KEYS.sellerGlobex, label: 'globex', kind: 'seller', sellerId: DEMO.sellers.globex.id },
    { key: DEMO_KEYS.sellerPending, label: 'initech', kind: 'seller', sellerId: DEMO.sellers.initech.id },
    { key: DEMO_KEYS.customer, label: DEMO.customer.email, kind: 'customer', customerId: DEMO.customer.id },
  ];
  for (const { key, ...rest } of keys) {
    // The label is brought up to date on a database seeded before (staff keys were once labelled by role).
    await db.apiKey.upsert({ where: { hash: hashKey(key) }, create: { hash: hashKey(key), ...rest }, update: { label: rest.label } });
  }
}
