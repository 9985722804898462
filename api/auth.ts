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

/**
 * Principals recently resolved, per database: polling clients (a seller waiting for its line, every
 * 50 ms) send the same key many times a second, and each lookup was one more database round trip.
 * Safe because an API key row is never edited: its hash, kind, role and owner are fixed when it is
 * created (nothing in the application updates or deletes one). Only a found key is cached, so a key
 * created a moment ago is never refused from the cache, and unknown keys cannot fill it. The price is
 * revocation latency: a key deleted from the database keeps working for at most PRINCIPAL_TTL_MS in
 * each API process that resolved it just before.
 */
export const PRINCIPAL_TTL_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;
const principalCache = new WeakMap<Db, Map<string, { expiresAt: number; principal: Promise<Principal> }>>();

async function lookUpPrincipal(db: Db, hash: string): Promise<Principal> {
  const row = await db.apiKey.findUnique({ where: { hash } });
  if (!row) throw Problem.unauthorized('unknown API key');
  if (row.kind === 'staff' && row.role) return { kind: 'staff', label: row.label, role: row.role as StaffRole };
  if (row.kind === 'seller' && row.sellerId) return { kind: 'seller', label: row.label, sellerId: row.sellerId };
  if (row.kind === 'customer' && row.customerId) return { kind: 'customer', label: row.label, customerId: row.customerId };
  throw Problem.unauthorized('API key has no principal');
}

export async function resolvePrincipal(db: Db, authorization: string | undefined): Promise<Principal> {
  if (authorization === undefined) return { kind: 'anonymous' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw Problem.unauthorized('Authorization must be "Bearer <api key>"');
  const hash = hashKey(match[1]);
  let cache = principalCache.get(db);
  if (!cache) principalCache.set(db, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.expiresAt > now) return hit.principal;
  if (hit) cache.delete(hash);
  // The lookup itself is shared by concurrent requests with one key; a refusal is not kept.
  const principal = lookUpPrincipal(db, hash);
  if (cache.size >= PRINCIPAL_CACHE_MAX) {
    for (const [k, v] of cache) if (v.expiresAt <= now) cache.delete(k);
    if (cache.size >= PRINCIPAL_CACHE_MAX) cache.delete(cache.keys().next().value!);
  }
  const entry = { expiresAt: now + PRINCIPAL_TTL_MS, principal };
  cache.set(hash, entry);
  principal.catch(() => {
    if (cache.get(hash) === entry) cache.delete(hash);
  });
  return principal;
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
