// `Authorization: Bearer <key>` maps to a principal; each route states who may call it.
// Keys are random, stored hashed, and may expire or be revoked; order tokens (`ot1.…`) are signed,
// not stored, and let an anonymous buyer follow one order and nothing else.
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../infra/db';
import { appSecret } from '../infra/app-secret';
import { sameSecret, sha256 } from '../infra/hmac';
import { Problem } from './problem';

export type StaffRole = 'ops' | 'support' | 'finance' | 'admin';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'staff'; label: string; role: StaffRole; keyId?: string }
  /** `active`: false once the seller is suspended or closed: its key then does no seller action. */
  | { kind: 'seller'; label: string; sellerId: string; keyId?: string; active?: boolean }
  | { kind: 'customer'; label: string; customerId: string; keyId?: string }
  /** An anonymous checkout's token: reads that one order. */
  | { kind: 'order'; orderId: string }
  /** KYC-1: an applicant's token (`sa1.…`): follows that one seller application and adds its documents. */
  | { kind: 'application'; applicationId: string };

/** What the database keeps of a key (SHA-256: keys are 192 random bits). */
export function hashKey(key: string): string {
  return sha256(key);
}

export function newApiKey(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** How long an order token lets its bearer follow the order (house rule, README "Security"). */
export const ORDER_TOKEN_DAYS = 60;

/** The token an anonymous checkout answers: `ot1.<orderId>.<expiry, epoch s>.<HMAC>`; rebuilt, never stored. */
export function orderToken(orderId: string, createdAt: Date): string {
  const exp = Math.floor(createdAt.getTime() / 1000) + ORDER_TOKEN_DAYS * 86_400;
  return `ot1.${orderId}.${exp}.${orderTokenSignature(orderId, exp)}`;
}

function orderTokenSignature(orderId: string, exp: number): string {
  return createHmac('sha256', appSecret()).update(`order-token:v1:${orderId}:${exp}`).digest('base64url');
}

/** KYC-1: how long an application token works (house rule: the 30 days an application may stay incomplete, and a review). */
export const APPLICATION_TOKEN_DAYS = 90;

/** `sa1.<applicationId>.<expiry, epoch s>.<HMAC>`: as the order token, under its own purpose. */
export function applicationToken(applicationId: string, createdAt: Date): string {
  const exp = Math.floor(createdAt.getTime() / 1000) + APPLICATION_TOKEN_DAYS * 86_400;
  return `sa1.${applicationId}.${exp}.${applicationTokenSignature(applicationId, exp)}`;
}

function applicationTokenSignature(applicationId: string, exp: number): string {
  return createHmac('sha256', appSecret()).update(`application-token:v1:${applicationId}:${exp}`).digest('base64url');
}

function applicationPrincipal(token: string): Principal {
  const [, applicationId, expText, signature] = token.split('.');
  const exp = Number(expText);
  if (!applicationId || !Number.isInteger(exp) || !signature || !sameSecret(signature, applicationTokenSignature(applicationId, exp))) {
    throw Problem.unauthorized('unknown API key');
  }
  if (exp * 1000 <= Date.now()) throw Problem.unauthorized('this application token has expired');
  return { kind: 'application', applicationId };
}

function orderPrincipal(token: string): Principal {
  const [, orderId, expText, signature] = token.split('.');
  const exp = Number(expText);
  if (!orderId || !Number.isInteger(exp) || !signature || !sameSecret(signature, orderTokenSignature(orderId, exp))) {
    throw Problem.unauthorized('unknown API key');
  }
  if (exp * 1000 <= Date.now()) throw Problem.unauthorized('this order token has expired: sign in to follow the order');
  return { kind: 'order', orderId };
}

/**
 * Principals recently resolved, per database: polling clients (a seller waiting for its line, every
 * 50 ms) send the same key many times a second, and each lookup was one more database round trip.
 * Only a found key is cached, so a key created a moment ago is never refused from the cache, and
 * unknown keys cannot fill it. The price is revocation latency: a key revoked (or a seller
 * suspended) in another API process keeps working for at most PRINCIPAL_TTL_MS in each process
 * that resolved it just before; the process that revokes forgets it at once (`forgetKey`).
 */
export const PRINCIPAL_TTL_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;
const principalCache = new WeakMap<Db, Map<string, { expiresAt: number; principal: Promise<Principal> }>>();

interface KeyRow {
  keyId: string;
  label: string;
  kind: string;
  role: string | null;
  sellerId: string | null;
  customerId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  sellerStatus: string | null;
}

async function lookUpPrincipal(db: Db, hash: string): Promise<{ principal: Principal; validUntil: number }> {
  const [row] = await db.$queryRaw<KeyRow[]>`
    SELECT k."keyId", k."label", k."kind", k."role", k."sellerId", k."customerId", k."expiresAt", k."revokedAt", s."status" AS "sellerStatus"
    FROM "ApiKey" k LEFT JOIN "Seller" s ON s."id" = k."sellerId"
    WHERE k."hash" = ${hash}`;
  if (!row) throw Problem.unauthorized('unknown API key');
  if (row.revokedAt) throw Problem.unauthorized('this API key was revoked');
  const expiresAt = row.expiresAt?.getTime() ?? Infinity;
  if (expiresAt <= Date.now()) throw Problem.unauthorized('this API key has expired: sign in again for a new one');
  const validUntil = expiresAt;
  if (row.kind === 'staff' && row.role) return { principal: { kind: 'staff', label: row.label, role: row.role as StaffRole, keyId: row.keyId }, validUntil };
  if (row.kind === 'seller' && row.sellerId) {
    const active = row.sellerStatus !== 'suspended' && row.sellerStatus !== 'closed';
    return { principal: { kind: 'seller', label: row.label, sellerId: row.sellerId, keyId: row.keyId, active }, validUntil };
  }
  if (row.kind === 'customer' && row.customerId) return { principal: { kind: 'customer', label: row.label, customerId: row.customerId, keyId: row.keyId }, validUntil };
  throw Problem.unauthorized('API key has no principal');
}

export async function resolvePrincipal(db: Db, authorization: string | undefined): Promise<Principal> {
  if (authorization === undefined) return { kind: 'anonymous' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw Problem.unauthorized('Authorization must be "Bearer <api key>"');
  if (match[1].startsWith('ot1.')) return orderPrincipal(match[1]);
  if (match[1].startsWith('sa1.')) return applicationPrincipal(match[1]);
  const hash = hashKey(match[1]);
  let cache = principalCache.get(db);
  if (!cache) principalCache.set(db, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.expiresAt > now) return hit.principal;
  if (hit) cache.delete(hash);
  // The lookup itself is shared by concurrent requests with one key; a refusal is not kept.
  const lookup = lookUpPrincipal(db, hash);
  const principal = lookup.then((l) => l.principal);
  if (cache.size >= PRINCIPAL_CACHE_MAX) {
    for (const [k, v] of cache) if (v.expiresAt <= now) cache.delete(k);
    if (cache.size >= PRINCIPAL_CACHE_MAX) cache.delete(cache.keys().next().value!);
  }
  const entry = { expiresAt: now + PRINCIPAL_TTL_MS, principal };
  cache.set(hash, entry);
  // A key that expires within the cache's time is kept only until it expires.
  lookup.then(
    (l) => {
      if (cache.get(hash) === entry) entry.expiresAt = Math.min(entry.expiresAt, l.validUntil);
    },
    () => {
      if (cache.get(hash) === entry) cache.delete(hash);
    },
  );
  return principal;
}

/** Forgets cached principals of these key hashes in this process (a revocation, a rotation). */
export function forgetKeys(db: Db, hashes: string[]): void {
  const cache = principalCache.get(db);
  for (const h of hashes) cache?.delete(h);
}

/** Forgets every cached principal of this process (a seller suspended: its keys change meaning). */
export function forgetAllKeys(db: Db): void {
  principalCache.get(db)?.clear();
}

/** Who may call a route. `admin` holds every staff role (SPEC conventions). */
export const allow = {
  anyone: (_p: Principal) => true,
  /** Any key of a person (not an order or application token). */
  authenticated: (p: Principal) => p.kind !== 'anonymous' && p.kind !== 'order' && p.kind !== 'application',
  staff:
    (...roles: StaffRole[]) =>
    (p: Principal) =>
      p.kind === 'staff' && (p.role === 'admin' || roles.includes(p.role)),
  /** A seller's key, while the seller is not suspended or closed. */
  seller: (p: Principal) => p.kind === 'seller' && p.active !== false,
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
    case 'order':
      return `order-token:${p.orderId}`;
    case 'application':
      return `applicant:${p.applicationId}`;
    default:
      return 'anonymous';
  }
}
