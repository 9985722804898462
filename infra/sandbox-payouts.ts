// The built-in payout sandbox: stands where a bank's transfer API would, with its contract
// (infra/payout-gateway.ts). It keeps its transfers in SandboxPayout, one row per idempotency key.
// Test accounts (README "Payments"):
//   FR76 3000 6000 0112 3456 7890 189   always paid
//   FR76 3000 6000 0199 9999 9999 999   always rejected (account closed)
//   FR76 3000 6000 0155 5555 5555 555   fails once: the first request under a key is paid, then
//                                        the reply is lost (an error is thrown); the retry gets the
//                                        same transfer back
// Any other IBAN is rejected (unknown account).
import { randomBytes } from 'node:crypto';
import type { Db } from './db';
import type { PayoutGateway, PayoutRequest, PayoutResult } from './payout-gateway';

export const TEST_IBANS = {
  paid: 'FR7630006000011234567890189',
  rejected: 'FR7630006000019999999999999',
  failsOnce: 'FR7630006000015555555555555',
} as const;

const normal = (iban: string) => iban.replace(/\s+/g, '').toUpperCase();

export function createSandboxPayouts(db: Db): PayoutGateway {
  return {
    async transfer(r: PayoutRequest): Promise<PayoutResult> {
      const iban = normal(r.iban);
      const kept = await db.sandboxPayout.findUnique({ where: { idempotencyKey: r.idempotencyKey } });
      if (kept) {
        if (kept.amountCents !== r.amountCents || kept.iban !== iban || kept.currency !== r.currency) throw new Error(`payout key ${r.idempotencyKey} reused with other parameters`);
        return kept.status === 'paid' ? { status: 'paid', reference: kept.reference } : { status: 'rejected', code: kept.code!, message: kept.message! };
      }
      const paid = iban === TEST_IBANS.paid || iban === TEST_IBANS.failsOnce;
      const row = await db.sandboxPayout.create({
        data: {
          reference: `po_${randomBytes(8).toString('hex')}`,
          idempotencyKey: r.idempotencyKey,
          iban,
          holder: r.holder,
          amountCents: r.amountCents,
          currency: r.currency,
          status: paid ? 'paid' : 'rejected',
          code: paid ? null : iban === TEST_IBANS.rejected ? 'account_closed' : 'unknown_account',
          message: paid ? null : iban === TEST_IBANS.rejected ? 'The beneficiary account is closed.' : 'No such beneficiary account.',
        },
      });
      // The transfer is made, and its answer lost on the way back: the caller retries with the same key.
      if (iban === TEST_IBANS.failsOnce) throw new Error('sandbox payouts: connection reset after the transfer was made');
      return row.status === 'paid' ? { status: 'paid', reference: row.reference } : { status: 'rejected', code: row.code!, message: row.message! };
    },
  };
}
