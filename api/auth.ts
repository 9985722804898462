// `Authorization: Bearer <api key>` maps to a principal; each route states who may call it.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../infra/db';
import { Problem } from './problem';

export type StaffRole = 'ops' | 'support' | 'finance' | 'admin';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'staff'; label: string; role: StaffRole }
  | { kind: 'seller'; label: string; sellerId: string }
  | { kind: 'customer'; label: string; customerId: string };

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export async function resolvePrincipal(db: Db, authorization: string | undefined): Promise<Principal> {
  if (authorization === undefined) return { kind: 'anonymous' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw Problem.unauthorized('Authorization must be "Bearer <api key>"');
  const row = await db.apiKey.findUnique({ where: { hash: hashKey(match[1]) } });
  if (!row) throw Problem.unauthorized('unknown API key');
  if (row.kind === 'staff' && row.role) return { kind: 'staff', label: row.label, role: row.role as StaffRole };
  if (row.kind === 'seller' && row.sellerId) return { kind: 'seller', label: row.label, sellerId: row.sellerId };
  if (row.kind === 'customer' && row.customerId) return { kind: 'customer', label: row.label, customerId: row.customerId };
  throw Problem.unauthorized('API key has no principal');
}

/** Who may call a route. `admin` holds every staff role (SPEC conventions). */
export const allow = {
  anyone: (_p: Principal) => true,
  authenticated: (p: Principal) => p.kind !== 'anonymous',
  staff:
    (...roles: StaffRole[]) =>
    (p: Principal) =>
      p.kind === 'staff' && (p.role === 'admin' || roles.includes(p.role)),
  seller: (p: Principal) => p.kind === 'seller',
  customer: (p: Principal) => p.kind === 'customer',
  anyOf:
    (...rules: ((p: Principal) => boolean)[]) =>
    (p: Principal) =>
      rules.some((r) => r(p)),
};

export function actorOf(p: Principal): string {
  switch (p.kind) {
    case 'staff':
      return `staff:${p.label}`;
    case 'seller':
      return `seller:${p.sellerId}`;
    case 'customer':
      return `customer:${p.customerId}`;
    default:
      return 'anonymous';
  }
}
