// After the payout day, what PYO-1, X-1 and X-3 require of it, against what was seeded: each
// seller paid exactly once per currency (one Payout row, 'paid', one transfer made by the bank
// sandbox under its key, 'paid'), for exactly the net its lines were expected to give, the money
// in the seller's paid-out account and none left available. The sandbox keeps one row per key
// (infra/sandbox-payouts.ts): the fails-once account's lost answer leaves no failed row, its retry
// gets the same transfer back; a second bank transfer would be a second key, so they are counted
// per seller and currency whatever their key.
import type { Db } from '../../infra/db';
import type { SeededPayoutDay } from './seed';

export interface PaidCounts {
  /** Seller-currency pairs expected to be paid. */
  expected: number;
  once: number;
  never: number;
  more: number;
  wrongAmount: number;
}

function pair(sellerId: string, currency: string): string {
  return `${sellerId}|${currency}`;
}

/** A payout's id and a bank transfer's key: "payout:<sellerId>:<currency>:<date>". */
function keyPair(key: string): string {
  const [, sellerId, currency] = key.split(':');
  return pair(sellerId, currency);
}

export async function verifyPayouts(db: Db, seeded: SeededPayoutDay, date: string): Promise<{ payouts: PaidCounts; bank: PaidCounts; violations: string[] }> {
  const violations: string[] = [];
  const note = (line: string) => {
    if (violations.length < 200) violations.push(line);
  };
  const rows = await db.payout.findMany({ where: { sellerId: { startsWith: seeded.sellerPrefix } } });
  const transfers = await db.sandboxPayout.findMany({ where: { idempotencyKey: { startsWith: `payout:${seeded.sellerPrefix}` } } });
  const paidOut = await db.ledgerAccount.findMany({ where: { sellerId: { startsWith: seeded.sellerPrefix }, kind: { in: ['seller_paid_out', 'seller_available'] } } });

  const group = <T>(items: T[], by: (t: T) => string) => {
    const m = new Map<string, T[]>();
    for (const t of items) m.set(by(t), [...(m.get(by(t)) ?? []), t]);
    return m;
  };
  const payoutsBy = group(rows, (p) => pair(p.sellerId, p.currency));
  const bankBy = group(transfers, (t) => keyPair(t.idempotencyKey));
  const payouts: PaidCounts = { expected: seeded.expected.size, once: 0, never: 0, more: 0, wrongAmount: 0 };
  const bank: PaidCounts = { expected: seeded.expected.size, once: 0, never: 0, more: 0, wrongAmount: 0 };
  const count = (c: PaidCounts, n: number) => (n === 0 ? (c.never += 1) : n === 1 ? (c.once += 1) : (c.more += 1));

  for (const [key, expected] of seeded.expected) {
    const [sellerId, currency] = key.split('|');
    const mine = payoutsBy.get(key) ?? [];
    count(payouts, mine.length);
    if (mine.length !== 1) note(`${key}: ${mine.length} payouts (${mine.map((p) => `${p.date} ${p.status}`).join(', ')})`);
    for (const p of mine) {
      if (p.date !== date || p.status !== 'paid') note(`${p.id}: ${p.status} on ${p.date}, expected paid on ${date}`);
      if (p.amountCents !== expected) {
        payouts.wrongAmount += 1;
        note(`${p.id}: ${p.amountCents} paid, expected ${expected}`);
      }
    }
    const made = bankBy.get(key) ?? [];
    count(bank, made.length);
    if (made.length !== 1) note(`${key}: ${made.length} bank transfers (${made.map((t) => t.idempotencyKey).join(', ')})`);
    for (const t of made) {
      if (t.status !== 'paid' || t.iban !== seeded.ibans.get(sellerId)) note(`bank transfer ${t.idempotencyKey}: ${t.status} to ${t.iban}`);
      if (t.amountCents !== expected || t.currency !== currency) {
        bank.wrongAmount += 1;
        note(`bank transfer ${t.idempotencyKey}: ${t.amountCents} ${t.currency}, expected ${expected} ${currency}`);
      }
    }
    const account = (kind: string) => paidOut.find((a) => a.sellerId === sellerId && a.currency === currency && a.kind === kind);
    const out = account('seller_paid_out');
    const available = account('seller_available');
    const outBalance = out ? out.creditsPosted - out.debitsPosted : 0n;
    const left = available ? available.creditsPosted - available.debitsPosted : 0n;
    if (outBalance !== expected || left !== 0n || (available && available.debitsPending !== 0n)) note(`${key}: paid out ${outBalance} (expected ${expected}), ${left} left available, ${available?.debitsPending ?? 0n} reserved`);
  }
  for (const key of new Set([...payoutsBy.keys(), ...bankBy.keys()])) if (!seeded.expected.has(key)) note(`${key}: paid, and nothing was seeded for it`);
  return { payouts, bank, violations };
}
