// The marketplace as an issuer of its own documents: support invoices (DIA-4) are in its name,
// in its own gapless series, where order and subscription documents are in each seller's (the
// marketplace issues them under each seller's billing mandate, INV-1).
import { frenchVatNumber } from './billing-identity';

export const MARKETPLACE_ISSUER_ID = 'marketplace';

export interface IssuerIdentity {
  name: string;
  legalName: string;
  address: string;
  contactEmail: string;
  contactPhone: string;
  registrationNumber: string;
  vatNumber: string;
  country: string;
}

/** Who the marketplace is on its documents (MARKETPLACE_* variables override it). */
export function marketplaceIdentity(env: NodeJS.ProcessEnv = process.env): IssuerIdentity {
  const siren = env.MARKETPLACE_SIREN ?? '443061841';
  return {
    name: env.MARKETPLACE_NAME ?? 'Marketplace',
    legalName: env.MARKETPLACE_LEGAL_NAME ?? 'Marketplace SAS',
    address: env.MARKETPLACE_ADDRESS ?? '10 place de la Bourse, 75002 Paris',
    contactEmail: env.MARKETPLACE_BILLING_EMAIL ?? 'billing@marketplace.test',
    contactPhone: env.MARKETPLACE_PHONE ?? '+33 1 23 45 67 89',
    registrationNumber: siren,
    vatNumber: env.MARKETPLACE_VAT_NUMBER ?? frenchVatNumber(siren),
    country: 'FR',
  };
}
