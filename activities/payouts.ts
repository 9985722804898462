// PYO-1 payouts, as the Payout workflow's steps: on a payout day, release each of the seller's
// captures whose 21 days are over by the end of the day, then reserve the available balance as a
// pending transfer (never below zero: a deficit carries over, shown on the payout); send the bank
// transfer through the payout port under the payout's id; post it on confirmation or void it on
// rejection (finance alerted: the amount stays available for the next payout day). Every write is
// keyed by the payout's id, so a retried step or a crashed worker pays once (X-1, X-3).
import { formatMoney } from '../domain/money';
import { HOLD_DAYS, releaseAt } from '../domain/payout-calendar';
import { payoutConfirmed, payoutPending, payoutVoided, releaseBatch } from '../domain/ledger';
import type { PayoutResult } from '../infra/payout-gateway';
import { businessTimeZone } from '../domain/time-format';
import type { ActivityDeps } from './deps';
import { recordEmail } from './emails';
import { availableBalance, linePosting, postBatch } from './ledger';

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
  /** An e-mail to hand to its delivery (finance alerted: no bank details). */
  emailId?: string;
}

export function payoutId(sellerId: string, currency: string, date: string): string {
  return `payout:${sellerId}:${currency}:${date}`;
}

export function createPayoutActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function alertFinance(id: string, subject: string, text: string, tx: Pick<typeof db, '$executeRaw'> = db): Promise<string> {
    return recordEmail(tx, { id, customerId: null, toAddress: deps.opsAlertAddress, subject, text });
  }

  return {
    /** PYO-1: releases what is due by the cutoff and reserves each currency's payout; a repeat returns what was decided. */
    async preparePayout(input: PayoutDayInput): Promise<PayoutPlan[]> {
      const zone = businessTimeZone();
      // Captures not released yet, a day of slack on the hold (the exact rule is releaseAt, below).
      const latest = new Date(Date.parse(input.cutoff) - (HOLD_DAYS - 1) * 86_400_000);
      const captures = await db.ledgerTransfer.findMany({ where: { sellerId: input.sellerId, code: 'capture', at: { lte: latest } }, orderBy: { at: 'asc' } });
      const released = new Set((await db.ledgerTransfer.findMany({ where: { sellerId: input.sellerId, code: 'release' }, select: { paymentId: true, lineId: true } })).map((r) => `${r.paymentId}|${r.lineId}`));
      for (const c of captures) {
        if (released.has(`${c.paymentId}|${c.lineId}`) || Date.parse(releaseAt(c.at.toISOString(), zone)) > Date.parse(input.cutoff)) continue;
        const id = payoutId(input.sellerId, c.currency, input.date);
        await db.$transaction(async (tx) => {
          const posted = await linePosting(tx, c.paymentId!, c.lineId!);
          await postBatch(tx, `${id}:release`, releaseAt(c.at.toISOString(), zone), releaseBatch({ paymentId: c.paymentId!, lineId: c.lineId!, sellerId: input.sellerId, currency: c.currency, posted }));
        });
      }
      const currencies = (await db.ledgerAccount.findMany({ where: { sellerId: input.sellerId, kind: 'seller_available' }, select: { currency: true } })).map((a) => a.currency);
      const plans: PayoutPlan[] = [];
      for (const currency of currencies) {
        const id = payoutId(input.sellerId, currency, input.date);
        plans.push(
          await db.$transaction(async (tx) => {
            const done = await tx.payout.findUnique({ where: { id } });
            if (done) return { payoutId: id, currency, status: done.status, amountCents: Number(done.amountCents), deficitOutCents: Number(done.deficitOutCents) };
            // One payout at a time per seller and currency: the account row is the lock.
            await tx.$queryRaw`SELECT 1 FROM "LedgerAccount" WHERE "id" = ${`seller:${input.sellerId}:${currency}:available`} FOR UPDATE`;
            const available = await availableBalance(tx, input.sellerId, currency);
            const releasedNow = await tx.ledgerTransfer.aggregate({ where: { batchId: `${id}:release` }, _sum: { amount: true } });
            const previous = await tx.payout.findFirst({ where: { sellerId: input.sellerId, currency }, orderBy: { date: 'desc' } });
            const account = await tx.payoutAccount.findUnique({ where: { sellerId: input.sellerId } });
            const amount = available > 0n ? available : 0n;
            const status = amount === 0n ? 'nothing_due' : account ? 'sending' : 'no_bank_details';
            const row = await tx.payout.create({
              data: {
                id,
                sellerId: input.sellerId,
                currency,
                date: input.date,
                cutoff: new Date(input.cutoff),
                status,
                amountCents: status === 'sending' ? amount : 0n,
                releasedCents: releasedNow._sum.amount ?? 0n,
                deficitInCents: previous?.deficitOutCents ?? 0n,
                deficitOutCents: available < 0n ? -available : 0n,
              },
            });
            if (status === 'sending') await postBatch(tx, id, new Date(), [payoutPending({ payoutId: id, sellerId: input.sellerId, currency, amount })]);
            let emailId: string | undefined;
            if (status === 'no_bank_details') {
              emailId = await alertFinance(`${id}:no-bank-details`, `Payout not sent: seller ${input.sellerId} has no bank details`, `${formatMoney(Number(amount), currency)} is available for seller ${input.sellerId} on ${input.date} but no bank account is on file; it stays available for the next payout day (PYO-1).`, tx);
            }
            return { payoutId: id, currency, status: row.status, amountCents: Number(row.amountCents), deficitOutCents: Number(row.deficitOutCents), ...(emailId ? { emailId } : {}) };
          }),
        );
      }
      return plans;
    },

    /** PYO-1: the bank transfer, under the payout's id: a retry gets the same transfer, never a second one. */
    async sendPayout(input: { payoutId: string }): Promise<PayoutResult> {
      const payout = await db.payout.findUniqueOrThrow({ where: { id: input.payoutId } });
      const account = await db.payoutAccount.findUniqueOrThrow({ where: { sellerId: payout.sellerId } });
      return deps.payouts.transfer({ idempotencyKey: payout.id, iban: account.iban, holder: account.holder, amountCents: payout.amountCents, currency: payout.currency, reference: payout.id });
    },

    /** PYO-1: posts a confirmed payout, or voids a rejected one (its amount available again) and alerts finance. */
    async settlePayout(input: { payoutId: string; result: PayoutResult; at: string }): Promise<{ status: string; emailId: string | null }> {
      return db.$transaction(async (tx) => {
        const payout = await tx.payout.findUniqueOrThrow({ where: { id: input.payoutId } });
        if (payout.status !== 'sending') return { status: payout.status, emailId: payout.status === 'paid' ? `${payout.id}:paid` : payout.status === 'rejected' ? `${payout.id}:rejected` : null };
        const pending = payoutPending({ payoutId: payout.id, sellerId: payout.sellerId, currency: payout.currency, amount: payout.amountCents });
        const money = formatMoney(Number(payout.amountCents), payout.currency);
        if (input.result.status === 'paid') {
          await postBatch(tx, `${payout.id}:post`, input.at, payoutConfirmed(pending));
          await tx.payout.update({ where: { id: payout.id }, data: { status: 'paid', gatewayRef: input.result.reference, settledAt: new Date(input.at) } });
          const seller = await tx.seller.findUniqueOrThrow({ where: { id: payout.sellerId } });
          const deficit = payout.deficitInCents > 0n ? `\nDeficit carried in from the previous payout: ${formatMoney(Number(payout.deficitInCents), payout.currency)}.` : '';
          const emailId = await recordEmail(tx, { id: `${payout.id}:paid`, customerId: null, toAddress: seller.contactEmail, subject: `Payout of ${money} on ${payout.date}`, text: `The marketplace paid ${money} to your bank account (reference ${payout.id}): what was released by the end of ${payout.date}, net of fees and refunds (PYO-1, FEE-1).${deficit}` });
          return { status: 'paid', emailId };
        }
        await postBatch(tx, `${payout.id}:void`, input.at, payoutVoided(pending));
        await tx.payout.update({ where: { id: payout.id }, data: { status: 'rejected', failure: `${input.result.code}: ${input.result.message}`, settledAt: new Date(input.at) } });
        const emailId = await alertFinance(`${payout.id}:rejected`, `Payout rejected: seller ${payout.sellerId}, ${money}`, `The bank rejected the payout ${payout.id} (${input.result.code}: ${input.result.message}). The transfer is voided; the amount stays available and is paid on the next payout day once the bank details are right (PYO-1).`, tx);
        return { status: 'rejected', emailId };
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
        ) s
        WHERE s."sellerId" IS NOT NULL AND (${input.afterSellerId}::text IS NULL OR s."sellerId" > ${input.afterSellerId})
        ORDER BY s."sellerId" LIMIT ${input.limit}`;
      const sellerIds = rows.map((r) => r.sellerId);
      return { sellerIds, next: sellerIds.length < input.limit ? null : sellerIds[sellerIds.length - 1] };
    },
  };
}
