// The ledger's rules as pure functions (PAY-1, FEE-1): which accounts a money movement touches and
// by how much. Amounts are integer minor units as bigint; every transfer debits one account and
// credits another by the same amount, so each batch, and each currency, balances by construction.
// Where the money of one order line goes (README "Where the money goes"):
//   capture      gateway clearing  → seller held         the line's amount, VAT included
//   fee          seller held       → marketplace fee     FEE-1: 3 % of it, half-up to the cent
//   refund       seller held       → gateway clearing    what is given back to the customer
//   fee reversal marketplace fee   → seller held         the fee on what was given back, cumulatively

export type LedgerAccountKind = 'seller_held' | 'seller_available' | 'seller_paid_out' | 'fee_revenue' | 'support_revenue' | 'gateway_clearing' | 'payout_clearing' | 'customer_refunds';
export type TransferCode = 'capture' | 'fee' | 'refund' | 'fee_reversal' | 'support_capture';

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
}

/** PAY-1, FEE-1: a refund of one line of a payment, with its share of the fee given back. */
export function refundBatch(p: { refundId: string; paymentId: string; lineId: string; sellerId: string; currency: string; amount: bigint; posted: LinePosting }): TransferSpec[] {
  const held = accounts.sellerHeld(p.sellerId, p.currency);
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
