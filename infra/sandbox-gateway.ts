// The built-in sandbox gateway: no card network is reachable, so this stands where a real
// acquirer would, with the same contract (infra/payment-gateway.ts). Everything it keeps is in
// its own tables, as a real gateway keeps it on its side:
//   SandboxCard         its vault: a random token, the last four digits and the test card's
//                       behaviour (never the number nor the CVC)
//   SandboxAttempt      its idempotency records: per key, the fingerprint of the first request
//                       and its answer (capture, refund, verification or decline), for
//                       SANDBOX_KEY_TTL_HOURS
//   SandboxTransaction  its ledger: the money moved (captures and refunds)
// Test cards (README "Payments"):
//   4242 4242 4242 4242  always succeeds
//   4000 0000 0000 0002  always declined (card_declined)
//   4000 0000 0000 9995  declined, insufficient funds
//   4000 0000 0000 9979  hard decline: card reported stolen
//   4000 0000 0000 0119  fails once: the first attempt under a key captures, then the reply is
//                        lost (an error is thrown); the retry gets the same capture back
// A card verification (POL-1) answers as a charge on the card would: the declining cards decline
// it, with the same code; it moves no money, so it writes no SandboxTransaction.
// Any other number is refused at tokenization; a token the vault does not hold is declined.
import { createHash, randomBytes } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import type { Db } from './db';
import {
  GatewayError,
  type CardInput,
  type ChargeRequest,
  type ChargeResult,
  type DeclineCode,
  type PaymentGateway,
  type RefundRequest,
  type RefundResult,
  type SavedCard,
  type VerifyRequest,
  type VerifyResult,
} from './payment-gateway';

export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  stolen: '4000000000009979',
  failsOnceThenSucceeds: '4000000000000119',
} as const;

export type CardBehaviour = 'success' | 'declined' | 'insufficient_funds' | 'stolen' | 'fails_once';

const BEHAVIOURS = new Map<string, CardBehaviour>([
  [TEST_CARDS.success, 'success'],
  [TEST_CARDS.declined, 'declined'],
  [TEST_CARDS.insufficientFunds, 'insufficient_funds'],
  [TEST_CARDS.stolen, 'stolen'],
  [TEST_CARDS.failsOnceThenSucceeds, 'fails_once'],
]);

const DECLINES: Record<Exclude<CardBehaviour, 'success' | 'fails_once'> | 'unknown', { code: DeclineCode; message: string; hard: boolean }> = {
  declined: { code: 'card_declined', message: 'The card was declined.', hard: false },
  insufficient_funds: { code: 'insufficient_funds', message: 'Insufficient funds on the card.', hard: false },
  stolen: { code: 'stolen_card', message: 'The card was reported stolen.', hard: true },
  unknown: { code: 'card_declined', message: 'Unknown card.', hard: false },
};

export interface SandboxGatewayOptions {
  /** How long an idempotency key is kept (default SANDBOX_KEY_TTL_HOURS, else 24, as Stripe). */
  keyTtlHours?: number;
  /** The gateway's clock (tests move it past a key's expiry). */
  now?: () => Date;
}

export function keyTtlHoursFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SANDBOX_KEY_TTL_HOURS;
  if (raw === undefined || raw === '') return 24;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`SANDBOX_KEY_TTL_HOURS must be a positive number of hours, not ${raw}`);
  return hours;
}

/** sha256 of the canonical parameters of a request: what a key is bound to (no card data but the token). */
export function requestFingerprint(parts: (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

const chargeFingerprint = (r: { cardToken: string; amountCents: number; currency: string }) =>
  requestFingerprint(['charge', r.cardToken, r.amountCents, r.currency]);
const verifyFingerprint = (r: { cardToken: string; currency: string }) => requestFingerprint(['verify', r.cardToken, r.currency]);
const refundFingerprint = (r: { chargeReference: string; amountCents: number; currency: string }) =>
  requestFingerprint(['refund', r.chargeReference, r.amountCents, r.currency]);

const randomId = (prefix: string, bytes: number) => `${prefix}_${randomBytes(bytes).toString('base64url')}`;

interface AttemptRow {
  idempotencyKey: string;
  attempts: number;
  kind: string;
  fingerprint: string;
  status: string | null;
  reference: string | null;
  declineCode: string | null;
  declineMessage: string | null;
  hardDecline: boolean | null;
  createdAt: Date;
}

interface LedgerRow {
  reference: string;
  idempotencyKey: string | null;
  kind: string;
  amountCents: number;
  currency: string;
  cardToken: string | null;
  chargeRef: string | null;
}

export function createSandboxGateway(db: Db, opts: SandboxGatewayOptions = {}): PaymentGateway {
  const ttlMs = (opts.keyTtlHours ?? keyTtlHoursFromEnv()) * 3_600_000;
  const now = opts.now ?? (() => new Date());

  /**
   * Takes the key's record, locked until the transaction ends (concurrent requests with one key
   * wait for the first to be answered), counting the attempt. A record older than the key's
   * lifetime is forgotten: the key starts afresh, and the ledger row it named keeps its money
   * but no longer its key. A request that does not match the key's first one is refused (and the
   * rollback leaves the record as it was).
   */
  async function claimKey(tx: Prisma.TransactionClient, key: string, kind: 'charge' | 'refund' | 'verify', fingerprint: string): Promise<AttemptRow> {
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) throw new GatewayError('invalid_request', 'sandbox: an idempotency key of 1 to 255 characters is required');
    const at = now();
    const [row] = await tx.$queryRaw<AttemptRow[]>`
      INSERT INTO "SandboxAttempt" ("idempotencyKey", "attempts", "kind", "fingerprint", "createdAt")
      VALUES (${key}, 1, ${kind}, ${fingerprint}, ${at})
      ON CONFLICT ("idempotencyKey") DO UPDATE SET "attempts" = "SandboxAttempt"."attempts" + 1
      RETURNING *`;
    let record = row;
    if (record.attempts > 1 && record.createdAt.getTime() + ttlMs <= at.getTime()) {
      await tx.sandboxTransaction.updateMany({ where: { idempotencyKey: key }, data: { idempotencyKey: null } });
      record = (await tx.sandboxAttempt.update({
        where: { idempotencyKey: key },
        data: { attempts: 1, kind, fingerprint, status: null, reference: null, declineCode: null, declineMessage: null, hardDecline: null, createdAt: at },
      })) as AttemptRow;
    }
    if (record.kind !== kind || record.fingerprint !== fingerprint) {
      throw new GatewayError(
        'idempotency_key_reused',
        `sandbox: idempotency key ${key} was first used for another ${record.kind === kind ? kind : `request (a ${record.kind})`}; use a new key for a new request`,
      );
    }
    return record;
  }

  /** What the card does with a first request: a declining test card's decline is kept as the key's answer. */
  async function cardAnswer(tx: Prisma.TransactionClient, key: string, cardToken: string): Promise<{ behaviour: CardBehaviour | 'unknown'; decline?: (typeof DECLINES)[keyof typeof DECLINES] }> {
    const card = await tx.sandboxCard.findUnique({ where: { token: cardToken } });
    const behaviour = (card?.behaviour ?? 'unknown') as CardBehaviour | 'unknown';
    if (behaviour === 'success' || behaviour === 'fails_once') return { behaviour };
    const decline = DECLINES[behaviour] ?? DECLINES.unknown;
    await tx.sandboxAttempt.update({ where: { idempotencyKey: key }, data: { status: 'declined', declineCode: decline.code, declineMessage: decline.message, hardDecline: decline.hard } });
    return { behaviour, decline };
  }

  return {
    async deleteCard(token: string): Promise<void> {
      await db.sandboxCard.deleteMany({ where: { token } });
    },

    async saveCard(card: CardInput): Promise<SavedCard | { error: string }> {
      const number = card.number.replace(/[\s-]/g, '');
      if (!/^\d{16}$/.test(number)) return { error: 'card number must have 16 digits' };
      const behaviour = BEHAVIOURS.get(number);
      if (!behaviour) return { error: 'unknown test card: see the README for the sandbox test cards' };
      const saved: SavedCard = { token: randomId('tok', 18), last4: number.slice(-4), brand: 'visa' };
      await db.sandboxCard.create({ data: { ...saved, behaviour, expMonth: card.expMonth, expYear: card.expYear, createdAt: now() } });
      return saved;
    },

    async charge(req: ChargeRequest): Promise<ChargeResult> {
      if (!Number.isSafeInteger(req.amountCents) || req.amountCents <= 0) {
        throw new GatewayError('invalid_request', `sandbox: a charge of ${req.amountCents} cents: the amount must be a positive whole number of cents`);
      }
      const { result, loseReply } = await db.$transaction(async (tx) => {
        const record = await claimKey(tx, req.idempotencyKey, 'charge', chargeFingerprint(req));
        if (record.status === 'captured' && record.reference) return { result: { status: 'captured', reference: record.reference } as ChargeResult, loseReply: false };
        if (record.status === 'declined') {
          return {
            result: { status: 'declined', code: record.declineCode as DeclineCode, message: record.declineMessage ?? '', hard: record.hardDecline ?? false } as ChargeResult,
            loseReply: false,
          };
        }
        // A capture made under this key before the gateway kept records (older databases).
        const bound = await tx.sandboxTransaction.findUnique({ where: { idempotencyKey: req.idempotencyKey } });
        if (bound) {
          if (bound.kind !== 'charge' || chargeFingerprint({ cardToken: bound.cardToken ?? '', amountCents: bound.amountCents, currency: bound.currency }) !== record.fingerprint) {
            throw new GatewayError('idempotency_key_reused', `sandbox: idempotency key ${req.idempotencyKey} was first used for another request`);
          }
          await tx.sandboxAttempt.update({ where: { idempotencyKey: req.idempotencyKey }, data: { status: 'captured', reference: bound.reference } });
          return { result: { status: 'captured', reference: bound.reference } as ChargeResult, loseReply: false };
        }

        const { behaviour, decline } = await cardAnswer(tx, req.idempotencyKey, req.cardToken);
        if (decline) return { result: { status: 'declined', ...decline } as ChargeResult, loseReply: false };
        const reference = randomId('ch', 18);
        await tx.sandboxTransaction.create({
          data: { reference, idempotencyKey: req.idempotencyKey, kind: 'charge', amountCents: req.amountCents, currency: req.currency, cardToken: req.cardToken, createdAt: now() },
        });
        await tx.sandboxAttempt.update({ where: { idempotencyKey: req.idempotencyKey }, data: { status: 'captured', reference } });
        return { result: { status: 'captured', reference } as ChargeResult, loseReply: behaviour === 'fails_once' && record.attempts === 1 };
      });
      // The worst transient failure: money moved (committed above) but the caller never heard.
      // Only the idempotency key makes the caller's retry safe.
      if (loseReply) throw new Error('sandbox: connection reset after capture (simulated)');
      return result;
    },

    async verifyCard(req: VerifyRequest): Promise<VerifyResult> {
      const { result, loseReply } = await db.$transaction(async (tx) => {
        const record = await claimKey(tx, req.idempotencyKey, 'verify', verifyFingerprint(req));
        if (record.status === 'verified' && record.reference) return { result: { status: 'verified', reference: record.reference } as VerifyResult, loseReply: false };
        if (record.status === 'declined') {
          return { result: { status: 'declined', code: record.declineCode as DeclineCode, message: record.declineMessage ?? '', hard: record.hardDecline ?? false } as VerifyResult, loseReply: false };
        }
        const { behaviour, decline } = await cardAnswer(tx, req.idempotencyKey, req.cardToken);
        if (decline) return { result: { status: 'declined', ...decline } as VerifyResult, loseReply: false };
        const reference = randomId('cv', 18);
        await tx.sandboxAttempt.update({ where: { idempotencyKey: req.idempotencyKey }, data: { status: 'verified', reference } });
        return { result: { status: 'verified', reference } as VerifyResult, loseReply: behaviour === 'fails_once' && record.attempts === 1 };
      });
      if (loseReply) throw new Error('sandbox: connection reset after verification (simulated)');
      return result;
    },

    async refund(req: RefundRequest): Promise<RefundResult> {
      if (!Number.isSafeInteger(req.amountCents) || req.amountCents <= 0) {
        throw new GatewayError('invalid_request', `sandbox: a refund of ${req.amountCents} cents: the amount must be a positive whole number of cents`);
      }
      return db.$transaction(async (tx) => {
        const record = await claimKey(tx, req.idempotencyKey, 'refund', refundFingerprint(req));
        if (record.status === 'refunded' && record.reference) return { reference: record.reference };

        // The charge is locked: concurrent refunds of one charge are checked one after another.
        const [charge] = await tx.$queryRaw<LedgerRow[]>`SELECT * FROM "SandboxTransaction" WHERE "reference" = ${req.chargeReference} FOR UPDATE`;
        if (!charge || charge.kind !== 'charge') throw new GatewayError('unknown_charge', `sandbox: unknown charge ${req.chargeReference}`);
        // A refund made under this key before the gateway kept records (older databases).
        const bound = await tx.sandboxTransaction.findUnique({ where: { idempotencyKey: req.idempotencyKey } });
        if (bound) {
          if (bound.kind !== 'refund' || refundFingerprint({ chargeReference: bound.chargeRef ?? '', amountCents: bound.amountCents, currency: bound.currency }) !== record.fingerprint) {
            throw new GatewayError('idempotency_key_reused', `sandbox: idempotency key ${req.idempotencyKey} was first used for another request`);
          }
          await tx.sandboxAttempt.update({ where: { idempotencyKey: req.idempotencyKey }, data: { status: 'refunded', reference: bound.reference } });
          return { reference: bound.reference };
        }
        if (charge.currency !== req.currency) {
          throw new GatewayError('currency_mismatch', `sandbox: charge ${charge.reference} is in ${charge.currency}, the refund in ${req.currency}`);
        }
        const refunded = await tx.sandboxTransaction.aggregate({ where: { kind: 'refund', chargeRef: charge.reference }, _sum: { amountCents: true } });
        const already = refunded._sum.amountCents ?? 0;
        if (already + req.amountCents > charge.amountCents) {
          throw new GatewayError(
            'over_refund',
            `sandbox: refunding ${req.amountCents} of charge ${charge.reference} would exceed its capture (${charge.amountCents} captured, ${already} refunded already)`,
          );
        }
        const reference = randomId('re', 18);
        await tx.sandboxTransaction.create({
          data: { reference, idempotencyKey: req.idempotencyKey, kind: 'refund', amountCents: req.amountCents, currency: req.currency, chargeRef: charge.reference, createdAt: now() },
        });
        await tx.sandboxAttempt.update({ where: { idempotencyKey: req.idempotencyKey }, data: { status: 'refunded', reference } });
        return { reference };
      });
    },
  };
}
