// PYO-1 payouts, as the Payout workflow's steps: on a payout day, release each of the seller's
// captures whose 21 days are over by the end of the day, then make the payout's statement and,
// if it reconciles, reserve the available balance as a pending transfer (never below zero: a
// deficit carries over, shown on the payout); send the bank transfer through the payout port under
// the payout's id; post it on confirmation or void it on rejection (finance alerted: the amount
// stays available for the next payout day). The seller is e-mailed the statement (PDF and CSV).
// Every write is keyed by the payout's id, so a retried step or a crashed worker pays once.
import type { Prisma } from '@prisma/client';
import { formatMoney } from '../domain/money';
import { HOLD_DAYS, payoutDayFor, releaseAt } from '../domain/payout-calendar';
import { accounts, payoutConfirmed, payoutPending, payoutVoided, releaseBatch } from '../domain/ledger';
import { statementRows, type HeldRow, type StatementContent, type StatementTransfer } from '../domain/payout-statement';
import type { PayoutResult } from '../infra/payout-gateway';
import { businessTimeZone } from '../domain/time-format';
import type { ActivityDeps } from './deps';
import { recordEmail, type EmailAttachment } from './emails';
import { availableBalance, heldLines, postBatch, postPostedMany } from './ledger';
import { heartbeating } from './heartbeating';

type Tx = Prisma.TransactionClient;

export interface PayoutDayInput {
  sellerId: string;
  /** The payout day (YYYY-MM-DD, Paris) and its end: what is released by then is paid. */
  date: string;
  cutoff: string;
}

export interface PayoutPlan {
  payoutId: string;
  currency: string;
  status: string;
  /** Cents (a payload number: far below 2^53). */
  amountCents: number;
  deficitOutCents: number;
  /** E-mails to hand to their delivery: the seller's statement, finance's alerts. */
  emailIds: string[];
}

export function payoutId(sellerId: string, currency: string, date: string): string {
  return `payout:${sellerId}:${currency}:${date}`;
}

/** The statement's PDF and CSV, attached to each e-mail that tells the seller of a payout. */
export function statementAttachments(p: { id: string; date: string; currency: string }): EmailAttachment[] {
  const name = `statement-${p.date}-${p.currency}`;
  return [
    { filename: `${name}.pdf`, contentType: 'application/pdf', source: `payout-statement:${p.id}:pdf` },
    { filename: `${name}.csv`, contentType: 'text/csv', source: `payout-statement:${p.id}:csv` },
  ];
}

const TRANSFER_FIELDS = { id: true, debitAccountId: true, creditAccountId: true, amount: true, code: true, flags: true, paymentId: true, refundId: true, lineId: true, feeRateBp: true, at: true } as const;

export function createPayoutActivities(deps: ActivityDeps) {
  const { db } = deps;
  const zone = businessTimeZone();

  async function alertFinance(id: string, subject: string, text: string, tx: Pick<typeof db, '$executeRaw'> = db): Promise<string> {
    return recordEmail(tx, { id, customerId: null, toAddress: deps.opsAlertAddress, subject, text });
  }

  /**
   * PYO-1: moves each capture whose 21 days end by the cutoff from held to available: per currency,
   * under the held account's lock (a refund of the same line waits, then sees the release), what
   * each line nets is read in one query and the releases written in one insert.
   */
  async function releaseDue(input: PayoutDayInput): Promise<void> {
    // Captures not released yet, a day of slack on the hold (the exact rule is releaseAt, below).
    const latest = new Date(Date.parse(input.cutoff) - (HOLD_DAYS - 1) * 86_400_000);
    const captures = await db.ledgerTransfer.findMany({ where: { sellerId: input.sellerId, code: 'capture', at: { lte: latest } }, orderBy: { at: 'asc' } });
    const released = new Set((await db.ledgerTransfer.findMany({ where: { sellerId: input.sellerId, code: 'release' }, select: { paymentId: true, lineId: true } })).map((r) => `${r.paymentId}|${r.lineId}`));
    const due = captures.filter((c) => !released.has(`${c.paymentId}|${c.lineId}`) && Date.parse(releaseAt(c.at.toISOString(), zone)) <= Date.parse(input.cutoff));
    for (const currency of [...new Set(due.map((c) => c.currency))].sort()) {
      const lines = due.filter((c) => c.currency === currency);
      await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "LedgerAccount" WHERE "id" = ${accounts.sellerHeld(input.sellerId, currency).id} FOR UPDATE`;
        const sums = await tx.ledgerTransfer.groupBy({
          by: ['paymentId', 'lineId', 'code'],
          where: { paymentId: { in: [...new Set(lines.map((c) => c.paymentId!))] }, code: { in: ['capture', 'fee', 'refund', 'fee_reversal', 'release'] } },
          _sum: { amount: true },
        });
        const sum = new Map(sums.map((r) => [`${r.paymentId}|${r.lineId}|${r.code}`, r._sum.amount ?? 0n]));
        const of = (c: (typeof lines)[number], code: string) => sum.get(`${c.paymentId}|${c.lineId}|${code}`) ?? 0n;
        const releases = lines.flatMap((c) =>
          releaseBatch({
            paymentId: c.paymentId!, lineId: c.lineId!, sellerId: input.sellerId, currency,
            posted: { captured: of(c, 'capture'), fee: of(c, 'fee'), feeRateBp: 0, refunded: of(c, 'refund'), feeReversed: of(c, 'fee_reversal'), released: of(c, 'release') > 0n },
          }).map((spec) => ({ spec, at: new Date(releaseAt(c.at.toISOString(), zone)) })),
        );
        await postPostedMany(tx, `${payoutId(input.sellerId, currency, input.date)}:release`, releases);
      }, { timeout: 60_000 });
    }
  }

  /** The seller's captures still held after the cutoff, with what each nets so far, when it is released and paid. */
  async function heldRows(tx: Tx, sellerId: string, currency: string, cutoff: string): Promise<HeldRow[]> {
    const rows = await heldLines(tx, sellerId, currency);
    return rows
      .map((r) => ({ r, heldUntil: releaseAt(r.capturedAt.toISOString(), zone) }))
      .filter(({ r, heldUntil }) => r.net > 0n && Date.parse(heldUntil) > Date.parse(cutoff))
      .map(({ r, heldUntil }) => ({ paymentId: r.paymentId, lineId: r.lineId, capturedAt: r.capturedAt.toISOString(), netCents: Number(r.net), heldUntil, paidOn: payoutDayFor(heldUntil, zone).date }));
  }

  /**
   * One currency's payout and its statement, in one transaction under the available account's
   * lock: the statement claims every transfer of that balance no statement has yet; it must
   * reconcile (the previous closing + these movements = the account's balance, and each release
   * = what its payment line nets) or the payout stops, finance alerted, nothing reserved.
   */
  async function decide(input: PayoutDayInput, currency: string, sellerName: string): Promise<PayoutPlan> {
    const id = payoutId(input.sellerId, currency, input.date);
    return db.$transaction(async (tx) => {
      const done = await tx.payout.findUnique({ where: { id } });
      if (done) {
        const emails = await tx.email.findMany({ where: { id: { in: [`${id}:stopped`, `${id}:no-bank-details`, `${id}:statement`] } }, select: { id: true }, orderBy: { id: 'asc' } });
        return { payoutId: id, currency, status: done.status, amountCents: Number(done.amountCents), deficitOutCents: Number(done.deficitOutCents), emailIds: emails.map((e) => e.id) };
      }
      const available = accounts.sellerAvailable(input.sellerId, currency);
      const held = accounts.sellerHeld(input.sellerId, currency);
      // One payout at a time per seller and currency: the account row is the lock, and every
      // transfer of that balance committed before it is visible from here on.
      await tx.$queryRaw`SELECT 1 FROM "LedgerAccount" WHERE "id" = ${available.id} FOR UPDATE`;
      const balance = await availableBalance(tx, input.sellerId, currency);
      const previous = await tx.payoutStatement.findFirst({ where: { sellerId: input.sellerId, currency, reconciled: true }, orderBy: { date: 'desc' } });
      const opening = previous?.closingCents ?? 0n;
      const unclaimed = await tx.$queryRaw<StatementTransfer[]>`
        SELECT t."id", t."debitAccountId", t."creditAccountId", t."amount", t."code", t."flags", t."paymentId", t."refundId", t."lineId", t."feeRateBp", t."at"
        FROM "LedgerTransfer" t
        WHERE (t."debitAccountId" = ${available.id} OR t."creditAccountId" = ${available.id})
          AND NOT EXISTS (SELECT 1 FROM "PayoutStatementItem" i WHERE i."transferId" = t."id")`;
      const releasedLines = unclaimed.filter((t) => t.code === 'release').map((t) => t.paymentId!);
      const heldSide = releasedLines.length === 0 ? [] : await tx.ledgerTransfer.findMany({ where: { paymentId: { in: [...new Set(releasedLines)] }, OR: [{ debitAccountId: held.id }, { creditAccountId: held.id }] }, select: TRANSFER_FIELDS });
      const statement = statementRows(available.id, unclaimed, (paymentId, lineId) => heldSide.filter((h) => h.paymentId === paymentId && h.lineId === lineId));
      const reconciled = statement.mismatches.length === 0 && opening + statement.movementsCents === balance;
      const account = await tx.payoutAccount.findUnique({ where: { sellerId: input.sellerId } });
      const amount = reconciled && balance > 0n && account ? balance : 0n;
      const status = !reconciled ? 'stopped' : balance <= 0n ? 'nothing_due' : account ? 'sending' : 'no_bank_details';
      const rows = [...statement.rows];
      if (amount > 0n) rows.push({ at: new Date().toISOString(), kind: 'payout', description: `This payout (${id})`, paymentId: null, lineId: null, refundId: null, amountCents: -Number(amount) });
      const closing = opening + statement.movementsCents - amount;
      const releasedNow = await tx.ledgerTransfer.aggregate({ where: { batchId: `${id}:release` }, _sum: { amount: true } });
      const row = await tx.payout.create({
        data: {
          id,
          sellerId: input.sellerId,
          currency,
          date: input.date,
          cutoff: new Date(input.cutoff),
          status,
          amountCents: amount,
          releasedCents: releasedNow._sum.amount ?? 0n,
          deficitInCents: opening < 0n ? -opening : 0n,
          deficitOutCents: reconciled && closing < 0n ? -closing : 0n,
        },
      });
      const content: StatementContent = {
        payoutId: id, sellerId: input.sellerId, sellerName, currency, date: input.date, cutoff: input.cutoff,
        openingCents: Number(opening), rows, movementsCents: Number(statement.movementsCents - amount), closingCents: Number(closing),
        payoutCents: Number(amount), deficitInCents: Number(row.deficitInCents), deficitOutCents: Number(row.deficitOutCents), status,
        held: await heldRows(tx, input.sellerId, currency, input.cutoff),
      };
      await tx.payoutStatement.create({
        data: { payoutId: id, sellerId: input.sellerId, currency, date: input.date, openingCents: opening, movementsCents: statement.movementsCents - amount, closingCents: closing, accountCents: balance, reconciled, content: content as unknown as Prisma.InputJsonValue },
      });
      const money = formatMoney(Number(balance), currency);
      if (!reconciled) {
        const why = [...statement.mismatches, ...(opening + statement.movementsCents !== balance ? [`opening ${opening} + movements ${statement.movementsCents} ≠ the account's balance ${balance}`] : [])].join('; ');
        return { payoutId: id, currency, status, amountCents: 0, deficitOutCents: 0, emailIds: [await alertFinance(`${id}:stopped`, `Payout stopped: seller ${input.sellerId}'s statement does not reconcile`, `The payout ${id} was not sent: its statement does not reconcile (${why}). Nothing was reserved or paid; the statement is kept for the investigation (PYO-1).`, tx)] };
      }
      // The statement accounts for what it read, and for this payout's reservation.
      if (amount > 0n) await postBatch(tx, id, new Date(), [payoutPending({ payoutId: id, sellerId: input.sellerId, currency, amount })]);
      const claimed = [...unclaimed.map((t) => t.id), ...(amount > 0n ? [id] : [])];
      if (claimed.length > 0) await tx.payoutStatementItem.createMany({ data: claimed.map((transferId) => ({ transferId, payoutId: id })) });
      const emailIds: string[] = [];
      if (status === 'no_bank_details') {
        emailIds.push(await alertFinance(`${id}:no-bank-details`, `Payout not sent: seller ${input.sellerId} has no bank details`, `${money} is available for seller ${input.sellerId} on ${input.date} but no bank account is on file; it stays available for the next payout day (PYO-1).`, tx));
      }
      if (status !== 'sending') emailIds.push(await statementEmail(tx, row, status === 'no_bank_details' ? `Nothing was paid: no bank account is on file; ${money} stays available for the next payout day.` : closing < 0n ? `Nothing was paid: refunds exceed what was released; the deficit of ${formatMoney(Number(-closing), currency)} is carried to the next payout.` : 'Nothing was due.'));
      return { payoutId: id, currency, status, amountCents: Number(amount), deficitOutCents: Number(row.deficitOutCents), emailIds };
    }, { timeout: 60_000 });
  }

  /** The seller's e-mail of a payout, with its statement attached (PDF and CSV). */
  async function statementEmail(tx: Tx, payout: { id: string; sellerId: string; date: string; currency: string; deficitInCents: bigint }, outcome: string): Promise<string> {
    const seller = await tx.seller.findUniqueOrThrow({ where: { id: payout.sellerId } });
    const deficit = payout.deficitInCents > 0n ? `\nDeficit carried in from the previous payout: ${formatMoney(Number(payout.deficitInCents), payout.currency)}.` : '';
    return recordEmail(tx, {
      id: `${payout.id}:statement`,
      customerId: null,
      toAddress: seller.contactEmail,
      subject: `Payout statement of ${payout.date} (${payout.currency})`,
      text: `${outcome}\nThe statement attached (PDF and CSV) lists every payment, fee, refund and fee reversal this payout covers, and what is still held (PYO-1, FEE-1). Reference ${payout.id}.${deficit}`,
      attachments: statementAttachments(payout),
    });
  }

  async function preparing(input: PayoutDayInput): Promise<PayoutPlan[]> {
    await releaseDue(input);
    const seller = await db.seller.findUniqueOrThrow({ where: { id: input.sellerId }, select: { legalName: true } });
    const currencies = (await db.ledgerAccount.findMany({ where: { sellerId: input.sellerId, kind: 'seller_available' }, select: { currency: true }, orderBy: { currency: 'asc' } })).map((a) => a.currency);
    const plans: PayoutPlan[] = [];
    for (const currency of currencies) plans.push(await decide(input, currency, seller.legalName));
    return plans;
  }

  return {
    /** PYO-1: releases what is due by the cutoff, then decides each currency's payout and its statement; a repeat returns what was decided. */
    async preparePayout(input: PayoutDayInput): Promise<PayoutPlan[]> {
      return heartbeating(() => preparing(input));
    },

    /** PYO-1: the bank transfer, under the payout's id: a retry gets the same transfer, never a second one. */
    async sendPayout(input: { payoutId: string }): Promise<PayoutResult> {
      const payout = await db.payout.findUniqueOrThrow({ where: { id: input.payoutId } });
      const account = await db.payoutAccount.findUniqueOrThrow({ where: { sellerId: payout.sellerId } });
      return deps.payouts.transfer({ idempotencyKey: payout.id, iban: account.iban, holder: account.holder, amountCents: payout.amountCents, currency: payout.currency, reference: payout.id });
    },

    /** PYO-1: posts a confirmed payout, or voids a rejected one (its amount available again) and alerts finance; the seller gets the statement. */
    async settlePayout(input: { payoutId: string; result: PayoutResult; at: string }): Promise<{ status: string; emailIds: string[] }> {
      return db.$transaction(async (tx) => {
        const payout = await tx.payout.findUniqueOrThrow({ where: { id: input.payoutId } });
        if (payout.status !== 'sending') {
          const emails = await tx.email.findMany({ where: { id: { in: [`${payout.id}:statement`, `${payout.id}:rejected`] } }, select: { id: true }, orderBy: { id: 'asc' } });
          return { status: payout.status, emailIds: emails.map((e) => e.id) };
        }
        const pending = payoutPending({ payoutId: payout.id, sellerId: payout.sellerId, currency: payout.currency, amount: payout.amountCents });
        const money = formatMoney(Number(payout.amountCents), payout.currency);
        if (input.result.status === 'paid') {
          await postBatch(tx, `${payout.id}:post`, input.at, payoutConfirmed(pending));
          await tx.payout.update({ where: { id: payout.id }, data: { status: 'paid', gatewayRef: input.result.reference, settledAt: new Date(input.at) } });
          return { status: 'paid', emailIds: [await statementEmail(tx, payout, `The marketplace paid ${money} to your bank account (reference ${payout.id}): what was released by the end of ${payout.date}, net of fees and refunds.`)] };
        }
        await postBatch(tx, `${payout.id}:void`, input.at, payoutVoided(pending));
        await tx.payout.update({ where: { id: payout.id }, data: { status: 'rejected', failure: `${input.result.code}: ${input.result.message}`, settledAt: new Date(input.at) } });
        const alert = await alertFinance(`${payout.id}:rejected`, `Payout rejected: seller ${payout.sellerId}, ${money}`, `The bank rejected the payout ${payout.id} (${input.result.code}: ${input.result.message}). The transfer is voided; the amount stays available and is paid on the next payout day once the bank details are right (PYO-1).`, tx);
        const told = await statementEmail(tx, payout, `Your bank rejected the payout of ${money} (${input.result.code}). The amount stays available and is paid on the next payout day once your bank details are right.`);
        return { status: 'rejected', emailIds: [alert, told] };
      });
    },

    /** The sellers a payout day concerns: money available, or a capture whose hold may end by the cutoff; in id order, a page at a time. */
    async sellersDueForPayout(input: { cutoff: string; afterSellerId: string | null; limit: number }): Promise<{ sellerIds: string[]; next: string | null }> {
      const latest = new Date(Date.parse(input.cutoff) - (HOLD_DAYS - 1) * 86_400_000);
      const rows = await db.$queryRaw<{ sellerId: string }[]>`
        SELECT DISTINCT s."sellerId" FROM (
          SELECT "sellerId" FROM "LedgerAccount" WHERE "kind" = 'seller_available' AND "creditsPosted" - "debitsPosted" - "debitsPending" <> 0
          UNION
          SELECT t."sellerId" FROM "LedgerTransfer" t WHERE t."code" = 'capture' AND t."at" <= ${latest}
            AND NOT EXISTS (SELECT 1 FROM "LedgerTransfer" r WHERE r."code" = 'release' AND r."paymentId" = t."paymentId" AND r."lineId" = t."lineId")
            -- A line refunded in full before its release nets nothing and is never released: not a reason to run a payout.
            AND (SELECT COALESCE(SUM(CASE n."code" WHEN 'capture' THEN n."amount" WHEN 'fee_reversal' THEN n."amount" ELSE -n."amount" END), 0)
                 FROM "LedgerTransfer" n WHERE n."paymentId" = t."paymentId" AND n."lineId" = t."lineId" AND n."code" IN ('capture', 'fee', 'refund', 'fee_reversal')) > 0
        ) s
        WHERE s."sellerId" IS NOT NULL AND (${input.afterSellerId}::text IS NULL OR s."sellerId" > ${input.afterSellerId})
        ORDER BY s."sellerId" LIMIT ${input.limit}`;
      const sellerIds = rows.map((r) => r.sellerId);
      return { sellerIds, next: sellerIds.length < input.limit ? null : sellerIds[sellerIds.length - 1] };
    },
  };
}
