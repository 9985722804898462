// Customer accounts (ORD-1, X-8): who a checkout's order belongs to, and how a person proves
// control of an address to get a key. An anonymous checkout proves nothing about its e-mail: it
// may attach its order to the account with that address but never reads, creates a key for or
// edits that account. Keys come only from a sign-in link e-mailed to the address.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { recordEmail } from '../activities/emails';
import { signInLink } from '../activities/email-templates';
import { loadConfig } from '../infra/config';
import { sha256 } from '../infra/hmac';
import { forgetKeys, hashKey, newApiKey, type Principal } from './auth';
import type { ApiDeps } from './deps';
import { startEmailDelivery } from './email-delivery';
import { Problem } from './problem';

/** How long a sign-in link works, and how long the key it gives lasts (house rules, README). */
export const SIGN_IN_LINK_MINUTES = 15;
export const CUSTOMER_KEY_DAYS = Number(process.env.CUSTOMER_KEY_DAYS ?? 90);

export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The account a checkout's order is attached to, if there is one yet: a signed-in customer's own,
 * or the existing account with that address. A new address gets its account only once the
 * charge is captured (activities/payments.ts), so a declined checkout leaves none behind.
 */
export async function accountForCheckout(tx: Prisma.TransactionClient, principal: Principal, email: string): Promise<string | null> {
  if (principal.kind === 'customer') return principal.customerId;
  const existing = await tx.customer.findUnique({ where: { email }, select: { id: true } });
  return existing?.id ?? null;
}

/** A signed-in customer orders for its own address only. */
export async function requireOwnAddress(deps: ApiDeps, principal: Principal, email: string): Promise<void> {
  if (principal.kind !== 'customer') return;
  const me = await deps.db.customer.findUniqueOrThrow({ where: { id: principal.customerId } });
  if (me.email !== email) throw Problem.forbidden('customer.email must be the e-mail of your own account');
}

/**
 * e-mails a sign-in link to the address if it has an account; answers the same either way.
 * The e-mail is recorded in the outbox and handed to its delivery workflow, as every e-mail is.
 */
export async function requestSignIn(deps: ApiDeps, rawEmail: string): Promise<void> {
  const email = normalEmail(rawEmail);
  const customer = await deps.db.customer.findUnique({ where: { email } });
  if (!customer) return;
  const token = randomBytes(32).toString('base64url');
  const hash = sha256(token);
  const expiresAt = new Date(Date.now() + SIGN_IN_LINK_MINUTES * 60_000);
  const emailId = `signin:${customer.id}:${hash.slice(0, 16)}`;
  const message = signInLink({ link: `${deps.publicUrl ?? loadConfig().publicUrl}/auth/sign-in?token=${token}`, expiresAt: expiresAt.toISOString() });
  await deps.db.$transaction(async (tx) => {
    await tx.signInToken.create({ data: { hash, customerId: customer.id, expiresAt } });
    await recordEmail(tx, { id: emailId, customerId: customer.id, toAddress: customer.email, ...message });
  });
  try {
    // No token, no address (docs/temporal-ui.md): the customer's id only.
    await startEmailDelivery(deps, emailId, `sign-in link for customer ${customer.id}`);
  } catch (err) {
    // Nothing would ever send it: the link and its e-mail go, and the caller asks again (503).
    await deps.db.$transaction([deps.db.email.deleteMany({ where: { id: emailId, status: 'queued' } }), deps.db.signInToken.deleteMany({ where: { hash } })]);
    throw err;
  }
}

export interface IssuedKey {
  customerId: string;
  apiKey: string;
  keyId: string;
  expiresAt: string;
}

/** KYC-1: a seller's key from its approval's sign-in link (house rule: 90 days, as customers'). */
export const SELLER_KEY_DAYS = Number(process.env.SELLER_KEY_DAYS ?? 90);
export interface IssuedSellerKey {
  sellerId: string;
  apiKey: string;
  keyId: string;
  expiresAt: string;
}

async function issueCustomerKey(tx: Prisma.TransactionClient, customerId: string, label: string): Promise<IssuedKey> {
  const apiKey = newApiKey('cust');
  const expiresAt = new Date(Date.now() + CUSTOMER_KEY_DAYS * 86_400_000);
  const keyId = `key_${randomUUID().replace(/-/g, '')}`;
  await tx.apiKey.create({ data: { hash: hashKey(apiKey), keyId, label, kind: 'customer', customerId, expiresAt } });
  return { customerId, apiKey, keyId, expiresAt: expiresAt.toISOString() };
}

/**
 * a sign-in link's token, exchanged once before it expires, for a customer key — or, for the
 * link e-mailed on a seller's approval (KYC-1), a seller key.
 */
export async function exchangeSignIn(deps: ApiDeps, token: string): Promise<IssuedKey | IssuedSellerKey> {
  return deps.db.$transaction(async (tx) => {
    // One statement claims the token: of two exchanges at once, one wins.
    const [claimed] = await tx.$queryRaw<{ customerId: string | null; sellerId: string | null }[]>`
      UPDATE "SignInToken" SET "usedAt" = CURRENT_TIMESTAMP AT TIME ZONE 'UTC'
      WHERE "hash" = ${sha256(token)} AND "usedAt" IS NULL AND "expiresAt" > CURRENT_TIMESTAMP AT TIME ZONE 'UTC'
      RETURNING "customerId", "sellerId"`;
    if (claimed?.sellerId) {
      const seller = await tx.seller.findUniqueOrThrow({ where: { id: claimed.sellerId } });
      const apiKey = newApiKey('sell');
      const expiresAt = new Date(Date.now() + SELLER_KEY_DAYS * 86_400_000);
      const keyId = `key_${randomUUID().replace(/-/g, '')}`;
      await tx.apiKey.create({ data: { hash: hashKey(apiKey), keyId, label: seller.name, kind: 'seller', sellerId: seller.id, expiresAt } });
      return { sellerId: seller.id, apiKey, keyId, expiresAt: expiresAt.toISOString() };
    }
    if (!claimed?.customerId) {
      throw new Problem(401, 'sign-in-link-invalid', 'Sign-in link not valid', 'this sign-in link is unknown, already used or expired: ask for a new one', {
        errors: [{ field: 'body.token', message: 'unknown, used or expired' }],
      });
    }
    // Verified from the first exchange on; later ones keep the first date.
    const customerId = claimed.customerId;
    await tx.customer.updateMany({ where: { id: customerId, verifiedAt: null }, data: { verifiedAt: new Date() } });
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId } });
    return issueCustomerKey(tx, customer.id, customer.email);
  });
}

interface KeyOwner {
  customerId?: string;
  sellerId?: string;
  staffLabel?: string;
}

function ownerOf(principal: Principal): KeyOwner {
  if (principal.kind === 'customer') return { customerId: principal.customerId };
  if (principal.kind === 'seller') return { sellerId: principal.sellerId };
  if (principal.kind === 'staff') return { staffLabel: principal.label };
  throw Problem.forbidden('only the holder of an API key manages keys');
}

function ownedKeys(owner: KeyOwner): Prisma.ApiKeyWhereInput {
  if (owner.customerId) return { kind: 'customer', customerId: owner.customerId };
  if (owner.sellerId) return { kind: 'seller', sellerId: owner.sellerId };
  return { kind: 'staff', label: owner.staffLabel };
}

/** The caller's keys (its own account's), newest first; never the keys themselves. */
export async function listKeys(deps: ApiDeps, principal: Principal) {
  const keys = await deps.db.apiKey.findMany({ where: ownedKeys(ownerOf(principal)), orderBy: { createdAt: 'desc' } });
  const current = 'keyId' in principal ? principal.keyId : undefined;
  return keys.map((k) => ({
    keyId: k.keyId,
    createdAt: k.createdAt.toISOString(),
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    current: k.keyId === current,
  }));
}

export async function revokeKey(deps: ApiDeps, principal: Principal, keyId: string): Promise<{ keyId: string; revokedAt: string }> {
  const key = await deps.db.apiKey.findFirst({ where: { ...ownedKeys(ownerOf(principal)), keyId } });
  if (!key) throw Problem.notFound(`no key ${keyId} of yours`);
  const revokedAt = key.revokedAt ?? new Date();
  await deps.db.apiKey.update({ where: { hash: key.hash }, data: { revokedAt } });
  forgetKeys(deps.db, [key.hash]);
  return { keyId, revokedAt: revokedAt.toISOString() };
}

/** A customer's new key; the one used for the call is revoked with it (one transaction). */
export async function rotateKey(deps: ApiDeps, principal: Principal): Promise<IssuedKey & { revokedKeyId: string }> {
  if (principal.kind !== 'customer' || !principal.keyId) throw Problem.forbidden('customers rotate their own keys; staff and seller keys are issued by an administrator');
  const old = await deps.db.apiKey.findUniqueOrThrow({ where: { keyId: principal.keyId } });
  const issued = await deps.db.$transaction(async (tx) => {
    // Only a key still live rotates, and only once: a key revoked in another API process (still
    // in that process's cache) or a second rotation at the same time gets a 401, not a new key.
    const now = new Date();
    const revoked = await tx.apiKey.updateMany({
      where: { hash: old.hash, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      data: { revokedAt: now },
    });
    if (revoked.count === 0) throw Problem.unauthorized('this API key was revoked or has expired');
    return issueCustomerKey(tx, principal.customerId, old.label);
  });
  forgetKeys(deps.db, [old.hash]);
  return { ...issued, revokedKeyId: old.keyId };
}
