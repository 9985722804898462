// Writes ledger batches (domain/ledger.ts) inside the caller's transaction, so a payment or refund
// row and its transfers exist together or not at all. Idempotent by business id: a transfer whose
// id exists is skipped and its accounts are not moved again (a retried activity, or two at once:
// the second waits on the first's row, then skips it). Two-phase moves as TigerBeetle's: a pending
// transfer reserves (pending balances); one post or void settles it (a unique index on pendingId
// makes a second settlement impossible), moving the reservation to posted or releasing it.
import type { Prisma } from '@prisma/client';
import { feeRateBp, type LinePosting, type TransferSpec } from '../domain/ledger';

type Tx = Prisma.TransactionClient;

export async function postBatch(tx: Tx, batchId: string, at: string | Date, transfers: TransferSpec[]): Promise<number> {
  let written = 0;
  for (const t of transfers) {
    if (t.amount <= 0n) throw new RangeError(`transfer ${t.id}: amount must be positive, got ${t.amount}`);
    if (t.debit.currency !== t.currency || t.credit.currency !== t.currency) throw new RangeError(`transfer ${t.id}: accounts and transfer in different currencies`);
    if (t.debit.id === t.credit.id) throw new RangeError(`transfer ${t.id}: debit and credit the same account`);
    for (const a of [t.debit, t.credit]) {
      await tx.$executeRaw`INSERT INTO "LedgerAccount" ("id", "kind", "currency", "sellerId") VALUES (${a.id}, ${a.kind}, ${a.currency}, ${a.sellerId}) ON CONFLICT ("id") DO NOTHING`;
    }
    const flags = t.flags ?? 'posted';
    if (flags === 'post_pending' || flags === 'void_pending') await checkSettles(tx, t);
    const inserted = await tx.$executeRaw`
      INSERT INTO "LedgerTransfer" ("id", "batchId", "debitAccountId", "creditAccountId", "amount", "currency", "code", "flags", "pendingId", "paymentId", "refundId", "sellerId", "lineId", "feeRateBp", "at")
      VALUES (${t.id}, ${batchId}, ${t.debit.id}, ${t.credit.id}, ${t.amount}, ${t.currency}, ${t.code}, ${flags}, ${t.pendingId ?? null}, ${t.paymentId ?? null}, ${t.refundId ?? null}, ${t.sellerId ?? null}, ${t.lineId ?? null}, ${t.feeRateBp ?? null}, ${new Date(at)})
      ON CONFLICT ("id") DO NOTHING`;
    if (inserted === 0) continue;
    written += 1;
    // Balances: posted moves posted; pending reserves; a post moves the reservation to posted; a void releases it.
    const [dPosted, dPending] = flags === 'posted' ? [t.amount, 0n] : flags === 'pending' ? [0n, t.amount] : flags === 'post_pending' ? [t.amount, -t.amount] : [0n, -t.amount];
    await tx.$executeRaw`UPDATE "LedgerAccount" SET "debitsPosted" = "debitsPosted" + ${dPosted}, "debitsPending" = "debitsPending" + ${dPending} WHERE "id" = ${t.debit.id}`;
    await tx.$executeRaw`UPDATE "LedgerAccount" SET "creditsPosted" = "creditsPosted" + ${dPosted}, "creditsPending" = "creditsPending" + ${dPending} WHERE "id" = ${t.credit.id}`;
  }
  return written;
}

/**
 * Many posted transfers at once (a payout day's releases): one insert of them all and one balance
 * update per account touched, where postBatch takes a few statements per transfer. A transfer
 * whose id exists is skipped and moves nothing (only what was inserted is counted in the balances).
 */
export async function postPostedMany(tx: Tx, batchId: string, transfers: { spec: TransferSpec; at: Date }[]): Promise<number> {
  if (transfers.length === 0) return 0;
  const accounts = new Map<string, TransferSpec['debit']>();
  for (const { spec: t } of transfers) {
    if (t.amount <= 0n) throw new RangeError(`transfer ${t.id}: amount must be positive, got ${t.amount}`);
    if (t.debit.currency !== t.currency || t.credit.currency !== t.currency) throw new RangeError(`transfer ${t.id}: accounts and transfer in different currencies`);
    if (t.debit.id === t.credit.id) throw new RangeError(`transfer ${t.id}: debit and credit the same account`);
    if ((t.flags ?? 'posted') !== 'posted') throw new RangeError(`transfer ${t.id}: only posted transfers are written in bulk`);
    accounts.set(t.debit.id, t.debit);
    accounts.set(t.credit.id, t.credit);
  }
  await tx.ledgerAccount.createMany({ data: [...accounts.values()].map((a) => ({ id: a.id, kind: a.kind, currency: a.currency, sellerId: a.sellerId })), skipDuplicates: true });
  const created = await tx.ledgerTransfer.createManyAndReturn({
    data: transfers.map(({ spec: t, at }) => ({
      id: t.id, batchId, debitAccountId: t.debit.id, creditAccountId: t.credit.id, amount: t.amount, currency: t.currency, code: t.code, flags: 'posted',
      paymentId: t.paymentId ?? null, refundId: t.refundId ?? null, sellerId: t.sellerId ?? null, lineId: t.lineId ?? null, feeRateBp: t.feeRateBp ?? null, at,
    })),
    skipDuplicates: true,
    select: { debitAccountId: true, creditAccountId: true, amount: true },
  });
  const moves = new Map<string, { debits: bigint; credits: bigint }>();
  for (const t of created) {
    const d = moves.get(t.debitAccountId) ?? { debits: 0n, credits: 0n };
    d.debits += t.amount;
    moves.set(t.debitAccountId, d);
    const c = moves.get(t.creditAccountId) ?? { debits: 0n, credits: 0n };
    c.credits += t.amount;
    moves.set(t.creditAccountId, c);
  }
  // In id order: two writers of the same accounts lock them in the same order.
  for (const [id, m] of [...moves].sort(([a], [b]) => a.localeCompare(b))) {
    await tx.$executeRaw`UPDATE "LedgerAccount" SET "debitsPosted" = "debitsPosted" + ${m.debits}, "creditsPosted" = "creditsPosted" + ${m.credits} WHERE "id" = ${id}`;
  }
  return created.length;
}

/** A post or void settles a pending transfer of the same accounts and amount (the unique index on pendingId keeps it to one). */
async function checkSettles(tx: Tx, t: TransferSpec): Promise<void> {
  const pending = t.pendingId ? await tx.ledgerTransfer.findUnique({ where: { id: t.pendingId } }) : null;
  if (!pending || pending.flags !== 'pending') throw new RangeError(`transfer ${t.id}: ${t.pendingId ?? 'no id'} is not a pending transfer`);
  if (pending.debitAccountId !== t.debit.id || pending.creditAccountId !== t.credit.id || pending.amount !== t.amount) throw new RangeError(`transfer ${t.id} does not match its pending transfer ${pending.id}`);
}

/** A seller's available balance net of what pending payouts reserve (never paid out below zero). */
export async function availableBalance(tx: Tx, sellerId: string, currency: string): Promise<bigint> {
  const a = await tx.ledgerAccount.findUnique({ where: { id: `seller:${sellerId}:${currency}:available` } });
  return a ? a.creditsPosted - a.debitsPosted - a.debitsPending : 0n;
}

/**
 * What the ledger holds of one line of one payment, for its next refund's fee reversal (FEE-1) or
 * its release (PYO-1). The seller's held account is locked first, so a refund and a release of the
 * same line run one after the other: the second reads what the first wrote (a release computed
 * before a refund it did not see would move money the refund then takes from the held account).
 */
export async function linePosting(tx: Tx, paymentId: string, lineId: string): Promise<LinePosting> {
  const capture = await tx.ledgerTransfer.findFirst({ where: { paymentId, lineId, code: 'capture' }, select: { sellerId: true, currency: true } });
  if (capture?.sellerId) await tx.$queryRaw`SELECT 1 FROM "LedgerAccount" WHERE "id" = ${`seller:${capture.sellerId}:${capture.currency}:held`} FOR UPDATE`;
  const rows = await tx.ledgerTransfer.groupBy({ by: ['code'], where: { paymentId, lineId }, _sum: { amount: true } });
  const sum = (code: string) => rows.find((r) => r.code === code)?._sum.amount ?? 0n;
  const fee = await tx.ledgerTransfer.findFirst({ where: { paymentId, lineId, code: 'fee' }, select: { feeRateBp: true } });
  const captured = sum('capture');
  if (captured === 0n) throw new Error(`no capture of line ${lineId} in payment ${paymentId} in the ledger`);
  return { captured, fee: sum('fee'), feeRateBp: fee?.feeRateBp ?? feeRateBp(), refunded: sum('refund'), feeReversed: sum('fee_reversal'), released: sum('release') > 0n };
}

/** A seller's captured lines not released yet, with what each nets so far (PYO-1: the held balance, line by line). */
export async function heldLines(tx: Pick<Tx, '$queryRaw'>, sellerId: string, currency: string): Promise<{ paymentId: string; lineId: string; capturedAt: Date; net: bigint }[]> {
  return tx.$queryRaw`
    SELECT c."paymentId", c."lineId", c."at" AS "capturedAt",
           COALESCE(SUM(CASE t."code" WHEN 'capture' THEN t."amount" WHEN 'fee_reversal' THEN t."amount" ELSE -t."amount" END), 0)::bigint AS "net"
    FROM "LedgerTransfer" c
    JOIN "LedgerTransfer" t ON t."paymentId" = c."paymentId" AND t."lineId" = c."lineId" AND t."code" IN ('capture', 'fee', 'refund', 'fee_reversal')
    WHERE c."sellerId" = ${sellerId} AND c."currency" = ${currency} AND c."code" = 'capture'
      AND NOT EXISTS (SELECT 1 FROM "LedgerTransfer" r WHERE r."code" = 'release' AND r."paymentId" = c."paymentId" AND r."lineId" = c."lineId")
    GROUP BY c."paymentId", c."lineId", c."at"
    ORDER BY c."at", c."paymentId", c."lineId"`;
}
