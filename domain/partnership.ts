// Partnerships between a customer and an approved partner (PRT-2, PRT-3, PRT-5, PRT-7): the
// deadlines of an invitation, what may be granted, and the rule that keeps a customer's partners
// apart. Pure and deterministic (luxon only): the workflow uses it as the API and the activities do.
import { DateTime } from 'luxon';

export const PARTNERSHIP_STATUSES = ['pending', 'active', 'refused', 'lapsed', 'withdrawn', 'ended'] as const;
export type PartnershipStatus = (typeof PARTNERSHIP_STATUSES)[number];
export const ACCESS_TYPES = ['limited', 'complete'] as const;
export type Access = (typeof ACCESS_TYPES)[number];
export const PAYERS = ['customer', 'partner'] as const;
export type Payer = (typeof PAYERS)[number];
export type Side = 'customer' | 'partner';
export type EndedBy = Side | 'account_closed';

export const PARTNER_STATUSES = ['pending', 'approved', 'refused'] as const;

/** House rules (README "Partners"): an invitation lapses after 14 days, its invitee reminded at day 7. */
export const INVITATION_LAPSE_DAYS = 14;
export const INVITATION_REMINDER_DAYS = 7;
export const PARTNERSHIP_TIME_ZONE = 'Europe/Paris';

/** House rule: a PRT-7 end code works for 15 minutes and 5 tries. */
export const END_CODE_MINUTES = 15;
export const END_CODE_MAX_ATTEMPTS = 5;
export const END_CODE_PURPOSE = 'partnership-end';

export const isLive = (s: PartnershipStatus): boolean => s === 'pending' || s === 'active';
export const otherSide = (s: Side): Side => (s === 'customer' ? 'partner' : 'customer');

export function partnershipWorkflowId(customerId: string, partnerId: string): string {
  return `Partnership:${customerId}:${partnerId}`;
}

/**
 * Calendar days in Paris from the invitation: the same wall-clock time 7 and 14 days on, so a
 * change of daylight saving time in between moves neither deadline by an hour.
 */
export function invitationDeadlines(invitedAt: string, zone = PARTNERSHIP_TIME_ZONE): { remindAt: string; lapsesAt: string } {
  const local = DateTime.fromISO(invitedAt, { zone: 'utc' }).setZone(zone);
  return {
    remindAt: local.plus({ days: INVITATION_REMINDER_DAYS }).toUTC().toISO()!,
    lapsesAt: local.plus({ days: INVITATION_LAPSE_DAYS }).toUTC().toISO()!,
  };
}

export interface Grant {
  access: Access;
  /** Limited: the products (offer.productId ?? offer.id) the partner manages; complete: none. */
  productIds: string[];
}

/** A grant as it is kept: sorted product ids, none for complete access. */
export function normalGrant(g: Grant): Grant {
  return { access: g.access, productIds: g.access === 'complete' ? [] : [...new Set(g.productIds)].sort() };
}

/** Why a grant is not one (null: it is): limited access needs at least one product. */
export function grantProblem(g: Grant): string | null {
  if (g.access === 'limited' && g.productIds.length === 0) return 'limited access needs at least one product (PRT-3)';
  return null;
}

export interface InForce extends Grant {
  partnershipId: string;
  partnerId: string;
  companyName: string;
}

export interface AccessConflict {
  partnershipId: string;
  partnerId: string;
  companyName: string;
  /** The products both would manage (limited); empty for a second complete partner. */
  productIds: string[];
  message: string;
}

/**
 * PRT-3: at most one complete partner per customer; limited partners only on different products.
 * A complete partner beside limited ones is allowed (house rule: the spec limits each kind, not
 * their mix). `others`: the customer's other partnerships in force.
 */
export function accessConflict(grant: Grant, others: InForce[]): AccessConflict | null {
  for (const o of others) {
    if (grant.access === 'complete' && o.access === 'complete') {
      return { partnershipId: o.partnershipId, partnerId: o.partnerId, companyName: o.companyName, productIds: [], message: `the customer already has a complete partner: ${o.companyName} (${o.partnerId}, partnership ${o.partnershipId}) (PRT-3)` };
    }
    if (grant.access === 'limited' && o.access === 'limited') {
      const shared = grant.productIds.filter((p) => o.productIds.includes(p));
      if (shared.length > 0) {
        return { partnershipId: o.partnershipId, partnerId: o.partnerId, companyName: o.companyName, productIds: shared, message: `${o.companyName} (${o.partnerId}, partnership ${o.partnershipId}) already manages ${shared.join(', ')} as a limited partner (PRT-3)` };
      }
    }
  }
  return null;
}

/** PRT-5: who pays once the grant changes: the partner only with complete access. */
export function payerAfter(grant: Grant, payer: Payer): Payer {
  return grant.access === 'complete' ? payer : 'customer';
}
