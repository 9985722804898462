// The built-in sandbox gateway: no card network is reachable, so this stands where a real
// acquirer would, with the same contract. Its ledger lives in the database (SandboxTransaction),
// as a real gateway keeps idempotency records on its side. Test cards (README "Payments"):
//   4242 4242 4242 4242  always succeeds
//   4000 0000 0000 0002  always declined (card_declined)
//   4000 0000 0000 9995  declined, insufficient funds
//   4000 0000 0000 9979  hard decline: card reported stolen
//   4000 0000 0000 0119  fails once: the first attempt under a key captures, then the reply is
//                        lost (an error is thrown); the retry gets the same capture back
// Any other well-formed number is declined as an unknown test card.
import { createHash } from 'node:crypto';
import type { Db } from './db';
import type {
  CardInput,
  ChargeRequest,
  ChargeResult,
  PaymentGateway,
  RefundRequest,
  RefundResult,
  SavedCard,
} from './payment-gateway';

export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  stolen: '4000000000009979',
  failsOnceThenSucceeds: '4000000000000119',
} as const;

const TOKEN_PREFIX = 'tok_sandbox_';

function reference(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

export function createSandboxGateway(db: Db): PaymentGateway {
  return {
    saveCard(card: CardInput): SavedCard | { error: string } {
      const number = card.number.replace(/[\s-]/g, '');
      if (!/^\d{16}$/.test(number)) return { error: 'card number must have 16 digits' };
      if (!Object.values<string>(TEST_CARDS).includes(number)) {
        return { error: 'unknown test card: see the README for the sandbox test cards' };
      }
      return { token: `${TOKEN_PREFIX}${number}`, last4: number.slice(-4), brand: 'visa' };
    },

    async charge(req: ChargeRequest): Promise<ChargeResult> {
      const number = req.cardToken.startsWith(TOKEN_PREFIX) ? req.cardToken.slice(TOKEN_PREFIX.length) : '';
      const attempt =
        number === TEST_CARDS.failsOnceThenSucceeds
          ? await db.sandboxAttempt.upsert({
              where: { idempotencyKey: req.idempotencyKey },
              create: { idempotencyKey: req.idempotencyKey, attempts: 1 },
              update: { attempts: { increment: 1 } },
            })
          : undefined;
      const previous = await db.sandboxTransaction.findUnique({ where: { idempotencyKey: req.idempotencyKey } });
      if (previous) return { status: 'captured', reference: previous.reference };

      switch (number) {
        case TEST_CARDS.declined:
          return { status: 'declined', code: 'card_declined', message: 'The card was declined.', hard: false };
        case TEST_CARDS.insufficientFunds:
          return { status: 'declined', code: 'insufficient_funds', message: 'Insufficient funds on the card.', hard: false };
        case TEST_CARDS.stolen:
          return { status: 'declined', code: 'stolen_card', message: 'The card was reported stolen.', hard: true };
        case TEST_CARDS.failsOnceThenSucceeds:
        case TEST_CARDS.success:
          break;
        default:
          return { status: 'declined', code: 'card_declined', message: 'Unknown card.', hard: false };
      }
      const ref = reference('ch', req.idempotencyKey);
      // upsert: two concurrent attempts with one key still record one capture.
      const tx = await db.sandboxTransaction.upsert({
        where: { idempotencyKey: req.idempotencyKey },
        create: {
          idempotencyKey: req.idempotencyKey,
          kind: 'charge',
          reference: ref,
          amountCents: req.amountCents,
          currency: req.currency,
          cardToken: req.cardToken,
        },
        update: {},
      });
      // The worst transient failure: money moved but the caller never heard. Only the
      // idempotency key makes the caller's retry safe.
      if (attempt?.attempts === 1) throw new Error('sandbox: connection reset after capture (simulated)');
      return { status: 'captured', reference: tx.reference };
    },

    async refund(req: RefundRequest): Promise<RefundResult> {
      const charge = await db.sandboxTransaction.findUnique({ where: { reference: req.chargeReference } });
      if (!charge || charge.kind !== 'charge') throw new Error(`sandbox: unknown charge ${req.chargeReference}`);
      const tx = await db.sandboxTransaction.upsert({
        where: { idempotencyKey: req.idempotencyKey },
        create: {
          idempotencyKey: req.idempotencyKey,
          kind: 'refund',
          reference: reference('re', req.idempotencyKey),
          amountCents: req.amountCents,
          currency: req.currency,
          chargeRef: req.chargeReference,
        },
        update: {},
      });
      return { reference: tx.reference };
    },
  };
}
