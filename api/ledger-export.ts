// PAY-1, PYO-2: the ledger as CSV for finance, streamed: transfers are read a page at a time in
// (at, id) order by keyset, each page written before the next is read, so an export of millions of
// transfers holds one page in memory and the first rows leave at once.
import { Readable } from 'node:stream';
import type { Db } from '../infra/db';

const PAGE = 2_000;
export const LEDGER_CSV_HEADER = ['id', 'batchId', 'at', 'code', 'flags', 'pendingId', 'debitAccountId', 'creditAccountId', 'amount', 'currency', 'paymentId', 'refundId', 'sellerId', 'lineId', 'feeRateBp'];

function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Minor units as a decimal amount (2 decimals: every currency the marketplace sells in). */
const decimal = (minor: bigint) => `${minor < 0n ? '-' : ''}${(minor < 0n ? -minor : minor) / 100n}.${String((minor < 0n ? -minor : minor) % 100n).padStart(2, '0')}`;

async function* rows(db: Db, from: Date, to: Date): AsyncGenerator<string> {
  yield LEDGER_CSV_HEADER.join(',') + '\r\n';
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const page: Awaited<ReturnType<typeof db.ledgerTransfer.findMany>> = await db.ledgerTransfer.findMany({
      where: { at: { gte: from, lt: to }, ...(after ? { OR: [{ at: { gt: after.at } }, { at: after.at, id: { gt: after.id } }] } : {}) },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: PAGE,
    });
    if (page.length === 0) return;
    yield page
      .map((t) => [t.id, t.batchId, t.at.toISOString(), t.code, t.flags, t.pendingId ?? '', t.debitAccountId, t.creditAccountId, decimal(t.amount), t.currency, t.paymentId ?? '', t.refundId ?? '', t.sellerId ?? '', t.lineId ?? '', t.feeRateBp == null ? '' : String(t.feeRateBp)].map(cell).join(',') + '\r\n')
      .join('');
    if (page.length < PAGE) return;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
}

export function ledgerCsv(db: Db, from: Date, to: Date): Readable {
  return Readable.from(rows(db, from, to));
}
