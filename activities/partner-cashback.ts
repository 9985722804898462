// PRT-6: a captured checkout or renewal earns the customer's partner its cashback, (public price −
// partner price) × quantity per line, credited to the partner's prepaid account in the ledger, in
// the cases of the seed table (domain/partner-pricing.ts cashbackApplies), for the partnership in
// force at the capture (an ended one earns nothing: PRT-7). Called inside the transaction that
// records the capture, so the payment and its cashback are written together; each transfer is
// keyed by the payment and line, so a retried capture credits once.
// House rule (README "Partners"): the marketplace funds cashback, as a cost of its reseller
// program (account marketplace:<currency>:partner_cashback), so a seller's held share, its
// releases and its refunds are the same with or without a partner. A refund of the line takes
// back its share of the cashback (reverseCashback): a purchase withdrawn or refunded earns nothing.
import type { Prisma } from '@prisma/client';
import type { BillingPeriod } from '../domain/calendar';
import { unitPriceFor } from '../domain/commercial-policy';
import { feeReversalOf, type AccountRef, type LinePosting, type TransferSpec } from '../domain/ledger';
import { cashbackApplies, cashbackCents, unitPrices, type PartnerAccess, type VolumeTier } from '../domain/partner-pricing';
import { writeAudit } from './audit';
import { postBatch } from './ledger';

type Tx = Prisma.TransactionClient;

// Kinds and codes of the reseller program: stored as the ledger's other strings; domain/ledger.ts's
// unions list the seller and marketplace ones, hence the one cast where the batch is posted.
export const partnerAccounts = {
  prepaid: (partnerId: string, currency: string) => ({ id: `partner:${partnerId}:${currency}:prepaid`, kind: 'partner_prepaid', currency, sellerId: null }),
  cashbackCost: (currency: string) => ({ id: `marketplace:${currency}:partner_cashback`, kind: 'partner_cashback', currency, sellerId: null }),
};

export const cashbackTransferId = (paymentId: string, lineId: string) => `payment:${paymentId}:line:${lineId}:cashback`;
export const cashbackReversalId = (refundId: string) => `refund:${refundId}:cashback_reversal`;

export interface CashbackCredit {
  lineId: string;
  partnerId: string;
  amountCents: number;
}

/** The partnership in force for a customer's line: the complete one, else a limited one managing its product. */
async function partnershipFor(tx: Tx, customerId: string, productId: string) {
  const active = await tx.partnership.findMany({ where: { customerId, status: 'active' }, orderBy: { respondedAt: 'asc' } });
  return active.find((p) => p.access === 'complete') ?? active.find((p) => p.access === 'limited' && p.productIds.includes(productId)) ?? null;
}

/**
 * PRT-6: credits the cashback of one captured payment, line by line. A checkout the reseller
 * discount priced (a complete partner paying, Order.payer 'partner') earns none. A renewal is
 * charged at the offer's public price (SUB-3), so it earns its cashback whoever pays: a partner
 * paying its customer's renewal gets its reseller price that way instead of as a discount.
 */
export async function creditCashback(tx: Tx, input: { paymentId: string }): Promise<CashbackCredit[]> {
  const payment = await tx.payment.findUnique({ where: { id: input.paymentId }, include: { order: { include: { lines: { include: { offer: true } } } } } });
  if (!payment || payment.status !== 'captured' || !payment.order.customerId) return [];
  const { order } = payment;
  // A checkout pays its order's lines (a free trial's none); any later payment, its own line.
  const lines = payment.kind === 'checkout' ? order.lines.filter((l) => l.totalCents > 0) : order.lines.filter((l) => l.id === payment.lineId);
  const discounted = payment.kind === 'checkout' && order.payer === 'partner';
  const credits: CashbackCredit[] = [];
  const transfers: TransferSpec[] = [];
  for (const line of lines) {
    const productId = line.offer.productId ?? line.offer.id;
    const partnership = await partnershipFor(tx, order.customerId!, productId);
    if (!partnership || !cashbackApplies({ access: partnership.access as PartnerAccess, managesProduct: partnership.productIds.includes(productId), discounted })) continue;
    // The public price of the line's offer version for the line's period (POL-6), as checkout prices it.
    const publicUnitCents = unitPriceFor(line.offer, line.billingPeriod as BillingPeriod);
    const prices = unitPrices({ publicUnitCents, partnerDiscountBp: line.offer.partnerDiscountBp, tiers: line.offer.volumeTiers as unknown as VolumeTier[], quantity: line.quantity });
    const amount = cashbackCents(prices, line.quantity, line.discountBp);
    if (amount <= 0) continue;
    credits.push({ lineId: line.id, partnerId: partnership.partnerId, amountCents: amount });
    transfers.push({
      id: cashbackTransferId(payment.id, line.id),
      debit: partnerAccounts.cashbackCost(payment.currency) as unknown as AccountRef,
      credit: partnerAccounts.prepaid(partnership.partnerId, payment.currency) as unknown as AccountRef,
      amount: BigInt(amount),
      currency: payment.currency,
      code: 'cashback' as TransferSpec['code'],
      paymentId: payment.id,
      lineId: line.id,
    });
  }
  if (transfers.length === 0) return credits;
  await postBatch(tx, `payment:${payment.id}:cashback`, payment.createdAt, transfers);
  for (const c of credits) {
    await writeAudit(tx, {
      key: `${cashbackTransferId(payment.id, c.lineId)}:credited`,
      at: payment.createdAt.toISOString(),
      actor: 'system',
      action: 'partner.cashback_credited',
      entityType: 'partner',
      entityId: c.partnerId,
      orderId: order.id,
      data: { customerId: order.customerId, paymentId: payment.id, lineId: c.lineId, amountCents: c.amountCents, currency: payment.currency },
    });
  }
  return credits;
}

/**
 * PRT-6 (house rule): a refund of a line takes back the cashback its payment earned, in the
 * proportion refunded, as the fee is given back (FEE-1): the cashback taken back so far is always
 * half-up(cashback × refunded so far ÷ captured), so partial refunds never drift and a full refund
 * takes it all. Debited from the partner's prepaid account, which a refund may leave negative.
 * Called in the refund's transaction, before its refund is posted (`posted` is what the ledger held
 * before it); keyed by the refund. Returns the amount taken back.
 */
export async function reverseCashback(tx: Tx, p: { refundId: string; paymentId: string; lineId: string; amount: bigint; posted: LinePosting; at: Date }): Promise<bigint> {
  const earned = await tx.ledgerTransfer.findUnique({ where: { id: cashbackTransferId(p.paymentId, p.lineId) } });
  if (!earned) return 0n;
  const before = await tx.ledgerTransfer.aggregate({ where: { paymentId: p.paymentId, lineId: p.lineId, code: 'cashback_reversal' }, _sum: { amount: true } });
  const amount = feeReversalOf({ fee: earned.amount, captured: p.posted.captured, refundedBefore: p.posted.refunded, refund: p.amount, reversedBefore: before._sum.amount ?? 0n });
  if (amount <= 0n) return 0n;
  // The account credited with the cashback: partner:<partnerId>:<currency>:prepaid.
  const partnerId = earned.creditAccountId.split(':')[1];
  const transfer: TransferSpec = {
    id: cashbackReversalId(p.refundId),
    debit: partnerAccounts.prepaid(partnerId, earned.currency) as unknown as AccountRef,
    credit: partnerAccounts.cashbackCost(earned.currency) as unknown as AccountRef,
    amount,
    currency: earned.currency,
    code: 'cashback_reversal' as TransferSpec['code'],
    paymentId: p.paymentId,
    refundId: p.refundId,
    lineId: p.lineId,
  };
  if ((await postBatch(tx, `refund:${p.refundId}:cashback`, p.at, [transfer])) === 0) return amount;
  await writeAudit(tx, {
    key: `${transfer.id}:reversed`,
    at: p.at.toISOString(),
    actor: 'system',
    action: 'partner.cashback_reversed',
    entityType: 'partner',
    entityId: partnerId,
    data: { paymentId: p.paymentId, lineId: p.lineId, refundId: p.refundId, amountCents: Number(amount), currency: earned.currency },
  });
  return amount;
}
