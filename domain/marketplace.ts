// The marketplace as an issuer of its own documents: support invoices (DIA-4) are in its name,
// in its own gapless series, where order and subscription documents are in each seller's.
export const MARKETPLACE_ISSUER_ID = 'marketplace';

export interface IssuerIdentity {
  name: string;
  legalName: string;
  address: string;
  contactEmail: string;
  contactPhone: string;
}

/** Who the marketplace is on its invoices (MARKETPLACE_LEGAL_NAME, MARKETPLACE_ADDRESS override it). */
export function marketplaceIdentity(env: NodeJS.ProcessEnv = process.env): IssuerIdentity {
  return {
    name: env.MARKETPLACE_NAME ?? 'Marketplace',
    legalName: env.MARKETPLACE_LEGAL_NAME ?? 'Marketplace SAS',
    address: env.MARKETPLACE_ADDRESS ?? '10 place de la Bourse, 75002 Paris',
    contactEmail: env.MARKETPLACE_BILLING_EMAIL ?? 'billing@marketplace.test',
    contactPhone: env.MARKETPLACE_PHONE ?? '+33 1 23 45 67 89',
  };
}
