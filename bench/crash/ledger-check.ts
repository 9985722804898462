// After the storm, the books (PAY-1, FEE-1): every captured payment and every refund has its
// transfers, for its amount, once; each line's fee is its rate's half-up share and its reversed fee
// exactly half-up(fee × refunded ÷ captured); each account equals its transfers, each currency
// sums to zero, each seller's balance equals its statement.
import { divHalfUp, feeOf } from '../../domain/ledger';
import type { Db } from '../../infra/db';

export async function checkLedger(db: Db): Promise<{ transfers: number; violations: string[] }> {
  const violations: string[] = [];
  const transfers = await db.ledgerTransfer.findMany();
  const byPayment = new Map<string, typeof transfers>();
  for (const t of transfers) {
    if (!t.paymentId) continue;
    const list = byPayment.get(t.paymentId);
    if (list) list.push(t);
    else byPayment.set(t.paymentId, [t]);
  }
  const sum = (ts: typeof transfers, code: string) => ts.filter((t) => t.code === code).reduce((s, t) => s + t.amount, 0n);

  for (const p of await db.payment.findMany({ where: { status: 'captured' } })) {
    const ts = byPayment.get(p.id) ?? [];
    if (sum(ts, 'capture') !== BigInt(p.amountCents)) violations.push(`payment ${p.id}: captured ${p.amountCents}, ledger ${sum(ts, 'capture')}`);
    for (const capture of ts.filter((t) => t.code === 'capture')) {
      const fee = ts.find((t) => t.code === 'fee' && t.lineId === capture.lineId);
      const expected = fee ? feeOf(capture.amount, fee.feeRateBp!) : 0n;
      if ((fee?.amount ?? 0n) !== expected) violations.push(`payment ${p.id} line ${capture.lineId}: fee ${fee?.amount ?? 0n}, expected ${expected}`);
      const lineTs = ts.filter((t) => t.lineId === capture.lineId);
      const reversed = sum(lineTs, 'fee_reversal');
      const due = divHalfUp((fee?.amount ?? 0n) * sum(lineTs, 'refund'), capture.amount);
      if (reversed !== due) violations.push(`payment ${p.id} line ${capture.lineId}: fee reversed ${reversed}, expected ${due}`);
    }
  }
  for (const p of await db.supportPayment.findMany({ where: { status: 'captured' } })) {
    if (sum(byPayment.get(p.id) ?? [], 'support_capture') !== BigInt(p.amountCents)) violations.push(`support payment ${p.id}: not in the ledger for ${p.amountCents}`);
  }
  const refundTransfers = new Map(transfers.filter((t) => t.code === 'refund').map((t) => [t.refundId, t]));
  for (const r of await db.refund.findMany()) {
    const t = refundTransfers.get(r.id);
    if (!t || t.amount !== BigInt(r.amountCents)) violations.push(`refund ${r.id}: ${r.amountCents} refunded, ledger ${t?.amount ?? 'none'}`);
  }
  if (refundTransfers.size !== (await db.refund.count())) violations.push(`${refundTransfers.size} refund transfers for ${await db.refund.count()} refunds`);

  const accountRows = await db.ledgerAccount.findMany();
  // One pass over the transfers: each account's posted debits and credits, each seller's statement
  // (captured − fees − refunds + fee reversals) per currency; then each account is a look-up.
  const posted = new Map<string, { debits: bigint; credits: bigint }>();
  const statements = new Map<string, bigint>();
  const STATEMENT_SIGN: Record<string, bigint> = { capture: 1n, fee: -1n, refund: -1n, fee_reversal: 1n };
  for (const t of transfers) {
    if (t.flags === 'posted' || t.flags === 'post_pending') {
      const d = posted.get(t.debitAccountId) ?? { debits: 0n, credits: 0n };
      d.debits += t.amount;
      posted.set(t.debitAccountId, d);
      const c = posted.get(t.creditAccountId) ?? { debits: 0n, credits: 0n };
      c.credits += t.amount;
      posted.set(t.creditAccountId, c);
    }
    const sign = STATEMENT_SIGN[t.code];
    if (t.sellerId && sign) statements.set(`${t.sellerId}|${t.currency}`, (statements.get(`${t.sellerId}|${t.currency}`) ?? 0n) + sign * t.amount);
  }
  const sellerBalances = new Map<string, bigint>();
  for (const a of accountRows) if (a.sellerId) sellerBalances.set(`${a.sellerId}|${a.currency}`, (sellerBalances.get(`${a.sellerId}|${a.currency}`) ?? 0n) + a.creditsPosted - a.debitsPosted);
  const net = new Map<string, bigint>();
  for (const a of accountRows) {
    net.set(a.currency, (net.get(a.currency) ?? 0n) + a.creditsPosted - a.debitsPosted);
    const { debits, credits } = posted.get(a.id) ?? { debits: 0n, credits: 0n };
    if (debits !== a.debitsPosted || credits !== a.creditsPosted) violations.push(`account ${a.id}: balances ${a.debitsPosted}/${a.creditsPosted}, transfers ${debits}/${credits}`);
    // A seller's accounts together (held, available, paid out) equal its statement; check on held, where all its money starts.
    if (a.sellerId && a.kind === 'seller_held') {
      const key = `${a.sellerId}|${a.currency}`;
      const statement = statements.get(key) ?? 0n;
      const balance = sellerBalances.get(key) ?? 0n;
      if (balance !== statement) violations.push(`seller ${a.sellerId} ${a.currency}: balance ${balance}, statement ${statement}`);
    }
  }
  for (const [currency, n] of net) if (n !== 0n) violations.push(`ledger ${currency} sums to ${n}, not 0`);
  return { transfers: transfers.length, violations };
}
