// PRT-4, PRT-5, X-6, X-4: what a partner may do for a customer, read from the partnership in force
// (its Partnership row, status 'active') at the moment of each action, so that a change of access,
// products or payer, or an end (PRT-7), takes effect on the next call; and each partner action
// audited naming both parties.
// House rules (README "Partners"): a partner never terminates or deletes a customer's subscription
// (PRT-4 allows it only "unless granted", and nothing grants it); the customer's "users" a partner
// manages are the named support contacts of the customer's services (SupportContact, POL-5): the
// only people of a customer account that this marketplace knows besides the account itself.
import { randomUUID } from 'node:crypto';
import type { Invoice, Partner, Partnership } from '@prisma/client';
import { writeAudit } from '../activities/audit';
import type { Db } from '../infra/db';
import { Problem } from './problem';

/** An offer's product: its versions share productId (a row written outside publishing is its own). */
export const productIdOf = (offer: { id: string; productId: string | null }): string => offer.productId ?? offer.id;

export type PartnerAction =
  /** Read a subscription (and its support contacts). */
  | 'read'
  /** Command a subscription: renewal mode. */
  | 'command'
  /** Name or remove the customer's support contacts of a subscription. */
  | 'manage_users'
  /** Place an order for the customer. */
  | 'order'
  /** Pay a renewal now for the customer. */
  | 'renew'
  | 'terminate';

/** The partnership in force between a partner and a customer, read now; null if none. */
export function activePartnershipOf(db: Db, partnerId: string, customerId: string): Promise<Partnership | null> {
  return db.partnership.findFirst({ where: { partnerId, customerId, status: 'active' }, orderBy: { respondedAt: 'desc' } });
}

export type PartnerVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * PRT-4: limited access manages its products only (read, command, their support contacts) and
 * neither orders nor renews; complete access does everything for every product. Nobody
 * terminates (house rule). `productId` names the product of the subscription acted on.
 */
export function partnerMay(p: Pick<Partnership, 'access' | 'productIds'>, action: PartnerAction, productId?: string): PartnerVerdict {
  if (action === 'terminate') return { allowed: false, reason: 'a partner cannot terminate or delete a customer subscription (PRT-4 house rule: only the customer does)' };
  if (p.access === 'complete') return { allowed: true };
  if (p.access !== 'limited') return { allowed: false, reason: 'the partnership grants no access (PRT-4)' };
  if (action === 'order' || action === 'renew') return { allowed: false, reason: `limited access cannot ${action === 'order' ? 'order' : 'renew'} for the customer (PRT-4): only a complete partner can` };
  if (productId === undefined || !p.productIds.includes(productId)) return { allowed: false, reason: `limited access manages only its products (PRT-4); product ${productId ?? '(none)'} is not one of them` };
  return { allowed: true };
}

/** The partnership in force, or a 403: no active partnership with this customer is no access. */
export async function partnershipInForce(db: Db, partner: Partner, customerId: string): Promise<Partnership> {
  const p = await activePartnershipOf(db, partner.id, customerId);
  if (!p) throw Problem.forbidden(`no active partnership with customer ${customerId} (PRT-2, X-6)`);
  return p;
}

/** partnerMay, answered as a 403 naming the rule. */
export function requirePartnerMay(p: Partnership, action: PartnerAction, productId?: string): void {
  const verdict = partnerMay(p, action, productId);
  if (!verdict.allowed) throw new Problem(403, 'forbidden', 'Forbidden', verdict.reason, { rule: 'PRT-4', partnershipId: p.id, access: p.access });
}

/** a partner's action, with both parties: the actor is the partner, the data names the customer. */
export async function auditPartnerAction(
  db: Db,
  e: { partner: Partner; partnership: Partnership; action: string; entityType: string; entityId: string; orderId?: string; data?: Record<string, unknown> },
): Promise<void> {
  await writeAudit(db, {
    key: `partner:${e.partner.id}:${e.action}:${e.entityId}:${randomUUID()}`,
    at: new Date().toISOString(),
    actor: `partner:${e.partner.id}`,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    orderId: e.orderId,
    data: { ...e.data, partnerId: e.partner.id, customerId: e.partnership.customerId, partnershipId: e.partnership.id, access: e.partnership.access },
  });
}

/**
 * PRT-5: the organisation a document lives in. One the partner paid (partnerId set) is the
 * partner's, read with the partner company's account; any other is its customer's.
 */
export async function customerMayReadInvoice(db: Db, customerId: string, inv: Pick<Invoice, 'customerId' | 'partnerId'>): Promise<boolean> {
  if (inv.partnerId === null) return inv.customerId === customerId;
  const partner = await db.partner.findUnique({ where: { id: inv.partnerId }, select: { customerId: true } });
  return partner?.customerId === customerId;
}

/**
 * PRT-4, PRT-5, PRT-6: what changes in a checkout a complete partner places for its customer
 * (api/checkout.ts takes it): the order notes the partner and the payer, the payer's saved card
 * pays (by id, X-7; no card is typed), and a partner paying gets its reseller price.
 */
export interface PartnerOrder {
  partnerId: string;
  payer: 'customer' | 'partner';
  card: { id: string; token: string; last4: string; brand: string };
  /** The unit price a line is charged, per period excl. VAT. */
  unitPriceOf: (offer: { priceCents: number; partnerDiscountBp: number; volumeTiers: unknown }) => number;
}
