// PAY-1, FEE-1, PRT-6: what one refund of one line of a payment posts, in the transaction that
// records the refund row (a withdrawal, a refusal or a seller's refund alike): the refund with its
// share of the fee given back, and the share of the partner's cashback taken back. One helper, so
// no kind of refund can forget a part.
import type { Prisma } from '@prisma/client';
import { refundBatch } from '../domain/ledger';
import { linePosting, postBatch } from './ledger';
import { reverseCashback } from './partner-cashback';

export async function postLineRefund(
  tx: Prisma.TransactionClient,
  p: { refundId: string; paymentId: string; lineId: string; sellerId: string; currency: string; amountCents: number; at: Date },
): Promise<void> {
  // Locks the seller's held account: refunds and releases of its lines post one after another.
  const posted = await linePosting(tx, p.paymentId, p.lineId);
  const amount = BigInt(p.amountCents);
  await reverseCashback(tx, { refundId: p.refundId, paymentId: p.paymentId, lineId: p.lineId, amount, posted, at: p.at });
  await postBatch(tx, `refund:${p.refundId}`, p.at, refundBatch({ refundId: p.refundId, paymentId: p.paymentId, lineId: p.lineId, sellerId: p.sellerId, currency: p.currency, amount, posted }));
}
