// PYO-1 statements, pure: what a payout's statement lists and how it reconciles. A statement
// accounts for every transfer of the seller's available balance it is the first to see (each
// exactly once, across statements), so a seller reconciles payout by payout:
//   opening (the previous statement's closing) + movements = closing
//   closing = − (the deficit carried out) when the payout was sent, else what stays available.
// A release is listed as what it nets: the payment, its fee, the refunds and fee reversals made
// before release (the held side); refunds and reversals after release are listed on their own.
// Two checks, either stopping the payout: the movements match the ledger account's balance, and
// each release equals the sum of what it nets.

/** The ledger transfer fields a statement reads. */
export interface StatementTransfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  code: string;
  flags: string;
  paymentId: string | null;
  refundId: string | null;
  lineId: string | null;
  feeRateBp: number | null;
  at: Date;
}

export type StatementRowKind = 'payment' | 'fee' | 'refund' | 'fee_reversal' | 'payout' | 'payout_returned';

/** One line of a statement; `amountCents` is its effect on what the seller is paid (signed). */
export interface StatementRow {
  at: string;
  kind: StatementRowKind;
  description: string;
  paymentId: string | null;
  lineId: string | null;
  refundId: string | null;
  amountCents: number;
}

/** A captured line still held on the statement's day: when its hold ends and the payout that pays it. */
export interface HeldRow {
  paymentId: string;
  lineId: string;
  capturedAt: string;
  /** What it nets so far (captured − fee − refunds + fee reversals). */
  netCents: number;
  heldUntil: string;
  paidOn: string;
}

export interface StatementContent {
  payoutId: string;
  sellerId: string;
  sellerName: string;
  currency: string;
  date: string;
  cutoff: string;
  openingCents: number;
  rows: StatementRow[];
  movementsCents: number;
  closingCents: number;
  payoutCents: number;
  deficitInCents: number;
  deficitOutCents: number;
  status: string;
  held: HeldRow[];
}

/** What a transfer does to the available balance `accountId` (net of pending reservations). */
export function availableEffect(t: Pick<StatementTransfer, 'debitAccountId' | 'creditAccountId' | 'amount' | 'flags'>, accountId: string): bigint {
  const sign = t.creditAccountId === accountId ? 1n : t.debitAccountId === accountId ? -1n : 0n;
  // A reservation takes the amount at once; its post changes nothing more; its void gives it back.
  if (t.flags === 'post_pending') return 0n;
  if (t.flags === 'void_pending') return -sign * t.amount;
  return sign * t.amount;
}

const HELD_SIGN: Record<string, bigint> = { capture: 1n, fee: -1n, refund: -1n, fee_reversal: 1n };
const HELD_KIND: Record<string, StatementRowKind> = { capture: 'payment', fee: 'fee', refund: 'refund', fee_reversal: 'fee_reversal' };

function describe(t: StatementTransfer, kind: StatementRowKind, afterRelease: boolean): string {
  const line = `payment ${t.paymentId}, line ${t.lineId}`;
  const rate = t.feeRateBp != null ? ` at ${(t.feeRateBp / 100).toFixed(2)} %` : '';
  switch (kind) {
    case 'payment':
      return `Payment captured: ${line}`;
    case 'fee':
      return `Marketplace fee${rate} (FEE-1): ${line}`;
    case 'refund':
      return `Refund ${t.refundId}${afterRelease ? ' after release' : ''}: ${line}`;
    case 'fee_reversal':
      return `Fee given back${rate} with refund ${t.refundId}: ${line}`;
    case 'payout':
      return `This payout (${t.id})`;
    case 'payout_returned':
      return `Payout ${t.id.replace(/:void$/, '')} rejected by the bank, amount returned`;
  }
}

export interface StatementRows {
  rows: StatementRow[];
  /** The sum of the claimed transfers' effects on the available balance. */
  movementsCents: bigint;
  /** Releases whose amount is not the sum of what they net (a broken ledger: the payout stops). */
  mismatches: string[];
}

/**
 * The rows of a statement from the transfers of the available balance it claims and, for each
 * release among them, the held-side transfers of the same payment line (`heldOf`).
 */
export function statementRows(accountId: string, claimed: StatementTransfer[], heldOf: (paymentId: string, lineId: string) => StatementTransfer[]): StatementRows {
  const rows: StatementRow[] = [];
  const mismatches: string[] = [];
  let movements = 0n;
  const row = (t: StatementTransfer, kind: StatementRowKind, amount: bigint, afterRelease: boolean) =>
    rows.push({ at: t.at.toISOString(), kind, description: describe(t, kind, afterRelease), paymentId: t.paymentId, lineId: t.lineId, refundId: t.refundId, amountCents: Number(amount) });
  for (const t of [...claimed].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id))) {
    const effect = availableEffect(t, accountId);
    movements += effect;
    if (t.code === 'release') {
      let nets = 0n;
      for (const h of heldOf(t.paymentId!, t.lineId!).sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id))) {
        const sign = HELD_SIGN[h.code];
        if (!sign) continue;
        nets += sign * h.amount;
        row(h, HELD_KIND[h.code], sign * h.amount, false);
      }
      if (nets !== effect) mismatches.push(`release ${t.id} moved ${effect} but its payment line nets ${nets}`);
    } else if (t.code === 'refund' || t.code === 'fee_reversal') {
      row(t, t.code, effect, true);
    } else if (t.code === 'payout' && t.flags === 'pending') {
      row(t, 'payout', effect, false);
    } else if (t.code === 'payout' && t.flags === 'void_pending') {
      row(t, 'payout_returned', effect, false);
    } else if (effect !== 0n) {
      mismatches.push(`transfer ${t.id} (${t.code}) moves the available balance but no statement line says why`);
    }
  }
  return { rows, movementsCents: movements, mismatches };
}

const CSV_HEADER = ['date', 'kind', 'description', 'payment', 'line', 'refund', 'amount', 'currency'];

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const decimal = (cents: number) => `${cents < 0 ? '-' : ''}${(Math.abs(cents) / 100).toFixed(2)}`;

/**
 * The statement as CSV (RFC 4180): the opening balance, each movement (this payout among them,
 * negative), the closing balance; opening + movements = closing. Then, not summed, what is held.
 */
export function statementCsv(s: StatementContent): string {
  const lines: string[][] = [CSV_HEADER];
  const add = (cells: string[]) => lines.push([...cells, s.currency]);
  add([s.date, 'opening_balance', s.deficitInCents > 0 ? 'Deficit carried in from the previous payout' : 'Opening balance', '', '', '', decimal(s.openingCents)]);
  for (const r of s.rows) add([r.at, r.kind, r.description, r.paymentId ?? '', r.lineId ?? '', r.refundId ?? '', decimal(r.amountCents)]);
  add([s.date, 'closing_balance', s.deficitOutCents > 0 ? 'Deficit carried to the next payout' : 'Closing balance', '', '', '', decimal(s.closingCents)]);
  for (const h of s.held) add([h.capturedAt, 'held', `Held until ${h.heldUntil}, paid on ${h.paidOn}`, h.paymentId, h.lineId, '', decimal(h.netCents)]);
  return lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
