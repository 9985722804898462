// PRT-1: a partner signs in as its company's customer account. Partner routes allow customer keys
// and then require the account to be an approved partner, read at each call (an approval or an
// account closure takes effect at once, no key changes meaning).
import type { Partner } from '@prisma/client';
import type { Db } from '../infra/db';
import type { Principal } from './auth';
import { Problem } from './problem';

/** The approved partner the caller's customer account is, or a 403 naming why not. */
export async function approvedPartnerOf(db: Db, p: Principal): Promise<Partner> {
  if (p.kind !== 'customer') throw Problem.forbidden('only a partner company may do this (PRT-1)');
  const partner = await db.partner.findUnique({ where: { customerId: p.customerId } });
  if (!partner || partner.status !== 'approved') throw Problem.forbidden('this account is not an approved partner (PRT-1)');
  return partner;
}
