// The ledger's rules as pure functions (PAY-1, FEE-1): which accounts a money movement touches and
// by how much. Amounts are integer minor units as bigint; every transfer debits one account and
// credits another by the same amount, so each batch, and each currency, balances by construction.
// Where the money of one order line goes (README "Where the money goes"):
//   capture      gateway clearing  → seller held         the line's amount, VAT included
//   fee          seller held       → marketplace fee     FEE-1: 3 % of it, half-up to the cent
//   refund       seller held       → gateway clearing    what is given back to the customer
//   fee reversal marketplace fee   → seller held         the fee on what was given back, cumulatively
//   release      seller held       → seller available    PYO-1: what the line nets, 21 days after capture
//   payout       seller available  → payout clearing     pending while the bank transfer runs; posted
//                payout clearing   → seller paid out     on confirmation (voided on rejection)
// After release a refund takes from, and its fee reversal gives back to, the available account: a
// refund larger than what is available leaves it negative, the deficit the next payout carries.

export type LedgerAccountKind = 'seller_held' | 'seller_available' | 'seller_paid_out' | 'fee_revenue' | 'support_revenue' | 'gateway_clearing' | 'payout_clearing' | 'customer_refunds';
export type TransferCode = 'capture' | 'fee' | 'refund' | 'fee_reversal' | 'support_capture' | 'release' | 'payout' | 'payout_settled';
/** TigerBeetle's two-phase flags: a pending transfer reserves; a post or a void settles it, once. */
export type TransferFlags = 'posted' | 'pending' | 'post_pending' | 'void_pending';

export interface AccountRef {
  id: string;
  kind: LedgerAccountKind;
  currency: string;
  sellerId: string | null;
}

export interface TransferSpec {
  id: string;
  debit: AccountRef;
  credit: AccountRef;
  amount: bigint;
  currency: string;
  code: TransferCode;
  paymentId?: string;
  refundId?: string;
  sellerId?: string;
  lineId?: string;
  feeRateBp?: number;
  /** Default `posted`. */
  flags?: TransferFlags;
  /** post_pending / void_pending: the pending transfer settled. */
  pendingId?: string;
}

/** FEE-1 (configuration): the marketplace's fee, in basis points of each captured line. */
export const DEFAULT_FEE_RATE_BP = 300;

export function feeRateBp(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MARKETPLACE_FEE_BP ?? String(DEFAULT_FEE_RATE_BP);
  const bp = Number(raw);
  if (!Number.isInteger(bp) || bp < 0 || bp > 10_000) throw new Error(`MARKETPLACE_FEE_BP must be an integer from 0 to 10000, got ${raw}`);
  return bp;
}

export const accounts = {
  sellerHeld: (sellerId: string, currency: string): AccountRef => ({ id: `seller:${sellerId}:${currency}:held`, kind: 'seller_held', currency, sellerId }),
  sellerAvailable: (sellerId: string, currency: string): AccountRef => ({ id: `seller:${sellerId}:${currency}:available`, kind: 'seller_available', currency, sellerId }),
  sellerPaidOut: (sellerId: string, currency: string): AccountRef => ({ id: `seller:${sellerId}:${currency}:paid_out`, kind: 'seller_paid_out', currency, sellerId }),
  payoutClearing: (currency: string): AccountRef => ({ id: `payouts:${currency}:clearing`, kind: 'payout_clearing', currency, sellerId: null }),
  feeRevenue: (currency: string): AccountRef => ({ id: `marketplace:${currency}:fee_revenue`, kind: 'fee_revenue', currency, sellerId: null }),
  supportRevenue: (currency: string): AccountRef => ({ id: `marketplace:${currency}:support_revenue`, kind: 'support_revenue', currency, sellerId: null }),
  gatewayClearing: (currency: string): AccountRef => ({ id: `gateway:${currency}:clearing`, kind: 'gateway_clearing', currency, sellerId: null }),
};

/** Half-up division of non-negative integers: round(n / d) with .5 going up. */
export function divHalfUp(n: bigint, d: bigint): bigint {
  if (n < 0n || d <= 0n) throw new RangeError('divHalfUp takes n >= 0 and d > 0');
  return (2n * n + d) / (2n * d);
}

/** FEE-1: the fee on a captured amount, half-up to the cent (99.99 → 3.00; 10.50 → 0.32 at 3 %). */
export function feeOf(amount: bigint, rateBp: number): bigint {
  return divHalfUp(amount * BigInt(rateBp), 10_000n);
}

/**
 * FEE-1: the fee to give back with a refund, so that the fee reversed so far is always
 * half-up(fee × refunded so far ÷ captured): partial refunds never drift, and refunding the whole
 * amount gives back the whole fee.
 */
export function feeReversalOf(p: { fee: bigint; captured: bigint; refundedBefore: bigint; refund: bigint; reversedBefore: bigint }): bigint {
  const refunded = p.refundedBefore + p.refund;
  if (p.refund <= 0n || refunded > p.captured) throw new RangeError(`a refund of ${p.refund} after ${p.refundedBefore} exceeds the ${p.captured} captured`);
  return divHalfUp(p.fee * refunded, p.captured) - p.reversedBefore;
}

export interface CapturedLine {
  lineId: string;
  sellerId: string;
  amount: bigint;
}

/** PAY-1, FEE-1: a captured payment, split per line and seller, each line's fee taken from its share. */
export function captureBatch(p: { paymentId: string; currency: string; lines: CapturedLine[]; feeRateBp: number }): TransferSpec[] {
  const out: TransferSpec[] = [];
  for (const l of p.lines) {
    const held = accounts.sellerHeld(l.sellerId, p.currency);
    const base = { currency: p.currency, paymentId: p.paymentId, sellerId: l.sellerId, lineId: l.lineId };
    out.push({ ...base, id: `payment:${p.paymentId}:line:${l.lineId}:capture`, debit: accounts.gatewayClearing(p.currency), credit: held, amount: l.amount, code: 'capture' });
    const fee = feeOf(l.amount, p.feeRateBp);
    if (fee > 0n) out.push({ ...base, id: `payment:${p.paymentId}:line:${l.lineId}:fee`, debit: held, credit: accounts.feeRevenue(p.currency), amount: fee, code: 'fee', feeRateBp: p.feeRateBp });
  }
  return out;
}

/** What the ledger already holds of one line of one payment: its capture, fee, refunds and reversals. */
export interface LinePosting {
  captured: bigint;
  fee: bigint;
  feeRateBp: number;
  refunded: bigint;
  feeReversed: bigint;
  /** PYO-1: released to the seller's available account already. */
  released: boolean;
}

/** What a line nets its seller so far: captured − fee − refunded + fee reversed. */
export function lineNet(p: LinePosting): bigint {
  return p.captured - p.fee - p.refunded + p.feeReversed;
}

/** PAY-1, FEE-1: a refund of one line of a payment, with its share of the fee given back. */
export function refundBatch(p: { refundId: string; paymentId: string; lineId: string; sellerId: string; currency: string; amount: bigint; posted: LinePosting }): TransferSpec[] {
  // Before release the line's money is held; after, it was moved to available (PYO-1).
  const held = p.posted.released ? accounts.sellerAvailable(p.sellerId, p.currency) : accounts.sellerHeld(p.sellerId, p.currency);
  const base = { currency: p.currency, paymentId: p.paymentId, refundId: p.refundId, sellerId: p.sellerId, lineId: p.lineId };
  const reversal = feeReversalOf({ fee: p.posted.fee, captured: p.posted.captured, refundedBefore: p.posted.refunded, refund: p.amount, reversedBefore: p.posted.feeReversed });
  const out: TransferSpec[] = [{ ...base, id: `refund:${p.refundId}`, debit: held, credit: accounts.gatewayClearing(p.currency), amount: p.amount, code: 'refund' }];
  if (reversal > 0n) out.push({ ...base, id: `refund:${p.refundId}:fee_reversal`, debit: accounts.feeRevenue(p.currency), credit: held, amount: reversal, code: 'fee_reversal', feeRateBp: p.posted.feeRateBp });
  return out;
}

/** A support invoice paid (DIA-4): the marketplace's own revenue, no seller involved. */
export function supportCaptureBatch(p: { paymentId: string; currency: string; amount: bigint }): TransferSpec[] {
  return [{ id: `payment:${p.paymentId}:support_capture`, debit: accounts.gatewayClearing(p.currency), credit: accounts.supportRevenue(p.currency), amount: p.amount, currency: p.currency, code: 'support_capture', paymentId: p.paymentId }];
}

/** PYO-1: a line's net, held until its release, moved to its seller's available account (nothing when it nets nothing). */
export function releaseBatch(p: { paymentId: string; lineId: string; sellerId: string; currency: string; posted: LinePosting }): TransferSpec[] {
  const net = lineNet(p.posted);
  if (p.posted.released || net <= 0n) return [];
  return [{ id: `release:${p.paymentId}:${p.lineId}`, debit: accounts.sellerHeld(p.sellerId, p.currency), credit: accounts.sellerAvailable(p.sellerId, p.currency), amount: net, currency: p.currency, code: 'release', paymentId: p.paymentId, sellerId: p.sellerId, lineId: p.lineId }];
}

/** PYO-1: a payout reserved from the seller's available balance while its bank transfer runs. */
export function payoutPending(p: { payoutId: string; sellerId: string; currency: string; amount: bigint }): TransferSpec {
  return { id: p.payoutId, debit: accounts.sellerAvailable(p.sellerId, p.currency), credit: accounts.payoutClearing(p.currency), amount: p.amount, currency: p.currency, code: 'payout', sellerId: p.sellerId, flags: 'pending' };
}

/** The bank confirmed: the reservation posted, and the money recorded as paid out to the seller. */
export function payoutConfirmed(pending: TransferSpec): TransferSpec[] {
  const sellerId = pending.sellerId!;
  return [
    { ...pending, id: `${pending.id}:post`, flags: 'post_pending', pendingId: pending.id },
    { id: `${pending.id}:settled`, debit: accounts.payoutClearing(pending.currency), credit: accounts.sellerPaidOut(sellerId, pending.currency), amount: pending.amount, currency: pending.currency, code: 'payout_settled', sellerId },
  ];
}

/** The bank refused: the reservation is released; the amount is available for the next payout. */
export function payoutVoided(pending: TransferSpec): TransferSpec[] {
  return [{ ...pending, id: `${pending.id}:void`, flags: 'void_pending', pendingId: pending.id }];
}
