// The payout day's starting point, written straight to the database: N sellers with bank details
// (a few on the sandbox's fails-once account, so a bank call is retried), each with M order lines
// captured 30 to 40 days before the payout day (all released by its end), a few refunded before
// their release. The ledger holds what a checkout leaves (captureBatch, refundBatch): the capture
// and fee transfers, the refunds and their fee reversals, and the accounts' balances. Multi-row
// INSERTs, then the balances set from the transfers' sums in SQL (the books check proves they
// agree), so seeding takes minutes at 200,000 lines, where one checkout per line would take hours.
// Payment rows are not written for the lines: the payout code reads LedgerTransfer only. A
// refunded line gets its order, line, payment and refund rows, which the books check reconciles
// each refund transfer with. The sellers' expected nets are computed here from the line amounts
// (amount − fee − refund + fee reversal), apart from the transfers, for the checks to compare.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { captureBatch, feeOf, feeRateBp, feeReversalOf, refundBatch, type TransferSpec } from '../../domain/ledger';
import { lineAmounts } from '../../domain/money';
import type { PayoutDay } from '../../domain/payout-calendar';
import type { Db } from '../../infra/db';
import { TEST_IBANS } from '../../infra/sandbox-payouts';
import { seededRandom } from '../support/stats';

export interface PayoutSeedOptions {
  sellers: number;
  linesPerSeller: number;
  /** Every k-th seller's bank account is the fails-once one (0: none). */
  failsOnceEvery: number;
  /** Every k-th line is refunded before its release, alternately in whole and a third (0: none). */
  refundEvery: number;
  /** Every k-th seller sells every other line in USD: two payouts, one per currency (0: none). */
  secondCurrencyEvery: number;
  /** The pseudo-random amounts and dates come from it: a run can be repeated line for line. */
  seed: number;
  day: PayoutDay;
  log?: (line: string) => void;
}

export interface SeededPayoutDay {
  /** Every seeded seller's id starts with it. */
  sellerPrefix: string;
  sellerIds: string[];
  ibans: Map<string, string>;
  failsOnce: string[];
  lines: number;
  refunds: number;
  transfers: number;
  /** `${sellerId}|${currency}` → what the payout must be, in cents. */
  expected: Map<string, bigint>;
}

/** Rows per INSERT: 16 columns each, well under PostgreSQL's 65,535 parameters. */
const CHUNK = 2000;
/** Sellers generated and written at a time, so the driver never holds 400,000 transfers at once. */
const SELLERS_PER_BATCH = 50;
const DAY_MS = 86_400_000;

function transferRow(t: TransferSpec, batchId: string, at: Date): Prisma.LedgerTransferCreateManyInput {
  return {
    id: t.id,
    batchId,
    debitAccountId: t.debit.id,
    creditAccountId: t.credit.id,
    amount: t.amount,
    currency: t.currency,
    code: t.code,
    flags: t.flags ?? 'posted',
    paymentId: t.paymentId ?? null,
    refundId: t.refundId ?? null,
    sellerId: t.sellerId ?? null,
    lineId: t.lineId ?? null,
    feeRateBp: t.feeRateBp ?? null,
    at,
  };
}

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

export async function seedPayoutDay(db: Db, opts: PayoutSeedOptions): Promise<SeededPayoutDay> {
  const log = opts.log ?? (() => undefined);
  const rand = seededRandom(opts.seed);
  const u = randomUUID().slice(0, 8);
  const sellerPrefix = `sel_pd_${u}_`;
  const rate = feeRateBp();
  const cutoff = Date.parse(opts.day.cutoff);
  const out: SeededPayoutDay = { sellerPrefix, sellerIds: [], ibans: new Map(), failsOnce: [], lines: 0, refunds: 0, transfers: 0, expected: new Map() };
  const accounts = new Map<string, Prisma.LedgerAccountCreateManyInput>();
  let lineNo = 0;

  for (let first = 0; first < opts.sellers; first += SELLERS_PER_BATCH) {
    const sellers: Prisma.SellerCreateManyInput[] = [];
    const payoutAccounts: Prisma.PayoutAccountCreateManyInput[] = [];
    const offers: Prisma.OfferCreateManyInput[] = [];
    const transfers: Prisma.LedgerTransferCreateManyInput[] = [];
    const orders: Prisma.OrderCreateManyInput[] = [];
    const orderLines: Prisma.OrderLineCreateManyInput[] = [];
    const payments: Prisma.PaymentCreateManyInput[] = [];
    const refunds: Prisma.RefundCreateManyInput[] = [];

    for (let s = first; s < Math.min(opts.sellers, first + SELLERS_PER_BATCH); s++) {
      const sellerId = `${sellerPrefix}${String(s + 1).padStart(5, '0')}`;
      const legalName = `Payout Bench ${u} ${s + 1} SAS`;
      const failsOnce = opts.failsOnceEvery > 0 && s % opts.failsOnceEvery === opts.failsOnceEvery - 1;
      const iban = failsOnce ? TEST_IBANS.failsOnce : TEST_IBANS.paid;
      const twoCurrencies = opts.secondCurrencyEvery > 0 && s % opts.secondCurrencyEvery === opts.secondCurrencyEvery - 1;
      out.sellerIds.push(sellerId);
      out.ibans.set(sellerId, iban);
      if (failsOnce) out.failsOnce.push(sellerId);
      sellers.push({ id: sellerId, name: `Payout Bench ${s + 1}`, legalName, contactEmail: `payout-${u}-${s + 1}@example.test`, contactPhone: '+33 1 00 00 00 98', address: `${s + 1} rue du Banc, 75002 Paris`, status: 'approved' });
      payoutAccounts.push({ sellerId, iban, holder: legalName });
      const currencies = twoCurrencies ? ['EUR', 'USD'] : ['EUR'];
      for (const currency of currencies) {
        offers.push({ id: `off_${sellerId}_${currency}`, sellerId, name: `Bench offer (${currency})`, priceCents: 1000, currency, vatRateBp: 2000, billingPeriod: 'monthly', commitmentMonths: 0, published: true });
      }

      for (let l = 0; l < opts.linesPerSeller; l++) {
        lineNo += 1;
        const currency = currencies[l % currencies.length];
        const priceCents = 500 + Math.floor(rand() * 19_500);
        const amounts = lineAmounts(priceCents, 2000);
        const amount = BigInt(amounts.totalCents);
        const capturedAt = new Date(cutoff - (30 + rand() * 10) * DAY_MS);
        const orderId = `ord_pd_${u}_${lineNo}`;
        const lineId = `lin_pd_${u}_${lineNo}_1`;
        const paymentId = `order:${orderId}:checkout`;
        const capture = captureBatch({ paymentId, currency, lines: [{ lineId, sellerId, amount }], feeRateBp: rate });
        for (const t of capture) transfers.push(transferRow(t, `payment:${paymentId}:capture`, capturedAt));

        // The expected net, from the amounts alone (FEE-1's rules), not from the transfers above.
        const fee = feeOf(amount, rate);
        let net = amount - fee;
        out.lines += 1;

        // Never a currency's first line: every payout has something to pay.
        if (opts.refundEvery > 0 && lineNo % opts.refundEvery === 0 && l >= currencies.length) {
          const whole = (lineNo / opts.refundEvery) % 2 === 1;
          const refund = whole ? amount : amount / 3n;
          const refundedAt = new Date(capturedAt.getTime() + (1 + rand() * 4) * DAY_MS);
          const refundId = `line:${lineId}:refund`;
          const posted = { captured: amount, fee, feeRateBp: rate, refunded: 0n, feeReversed: 0n, released: false };
          for (const t of refundBatch({ refundId, paymentId, lineId, sellerId, currency, amount: refund, posted })) transfers.push(transferRow(t, `refund:${refundId}`, refundedAt));
          net += -refund + feeReversalOf({ fee, captured: amount, refundedBefore: 0n, refund, reversedBefore: 0n });
          out.refunds += 1;

          orders.push({ id: orderId, number: `O-PD-${u}-${lineNo}`, customerEmail: `buyer-${u}-${lineNo}@example.test`, status: 'paid', currency, totalExclVatCents: amounts.exclVatCents, totalVatCents: amounts.vatCents, totalCents: amounts.totalCents, cardId: `card_pd_${u}`, cardLast4: '4242', createdAt: capturedAt, paidAt: capturedAt });
          orderLines.push({
            id: lineId, orderId, position: 1, offerId: `off_${sellerId}_${currency}`, sellerId, name: `Bench offer (${currency})`, priceCents, currency, vatRateBp: 2000, vatCents: amounts.vatCents, totalCents: amounts.totalCents, billingPeriod: 'monthly', commitmentMonths: 0,
            ...(whole ? { status: 'refused', refusalReason: 'benchmark: refused before release', decidedAt: refundedAt } : { status: 'cancelled', cancelReason: 'benchmark: a third refunded before release', decidedAt: refundedAt }),
          });
          payments.push({ id: paymentId, orderId, kind: 'checkout', amountCents: amounts.totalCents, currency, status: 'captured', gatewayRef: `ch_pd_${u}_${lineNo}`, createdAt: capturedAt });
          refunds.push({ id: refundId, paymentId, lineId, amountCents: Number(refund), currency, reason: whole ? 'refused' : 'partial', gatewayRef: `re_pd_${u}_${lineNo}`, createdAt: refundedAt });
        }
        const key = `${sellerId}|${currency}`;
        out.expected.set(key, (out.expected.get(key) ?? 0n) + net);
      }
    }

    for (const t of transfers) {
      for (const id of [t.debitAccountId, t.creditAccountId]) {
        if (accounts.has(id)) continue;
        // Account ids are "seller:<id>:<cur>:held", "gateway:<cur>:clearing", "marketplace:<cur>:fee_revenue".
        const [owner, who, cur, held] = id.split(':');
        accounts.set(id, owner === 'seller' ? { id, kind: `seller_${held}`, currency: cur, sellerId: who } : { id, kind: id.endsWith(':clearing') ? 'gateway_clearing' : 'fee_revenue', currency: who, sellerId: null });
      }
    }
    await db.seller.createMany({ data: sellers });
    await db.payoutAccount.createMany({ data: payoutAccounts });
    await db.offer.createMany({ data: offers });
    await db.order.createMany({ data: orders });
    await db.orderLine.createMany({ data: orderLines });
    await db.payment.createMany({ data: payments });
    await db.refund.createMany({ data: refunds });
    await inChunks(transfers, (chunk) => db.ledgerTransfer.createMany({ data: chunk }));
    out.transfers += transfers.length;
    if ((first / SELLERS_PER_BATCH) % 10 === 9) log(`[payout-day] seeded ${first + SELLERS_PER_BATCH} sellers, ${out.transfers} transfers`);
  }

  // The accounts, created as a first posting creates them, then their balances: what the seeded
  // transfers debit and credit each, added to what the demo data may have put on the shared ones.
  await db.ledgerAccount.createMany({ data: [...accounts.values()], skipDuplicates: true });
  await db.$executeRaw`
    WITH seeded AS (SELECT "debitAccountId", "creditAccountId", "amount" FROM "LedgerTransfer" WHERE starts_with("sellerId", ${sellerPrefix})),
      d AS (SELECT "debitAccountId" AS id, SUM("amount") AS s FROM seeded GROUP BY 1),
      c AS (SELECT "creditAccountId" AS id, SUM("amount") AS s FROM seeded GROUP BY 1),
      moved AS (SELECT id, COALESCE(d.s, 0) AS debits, COALESCE(c.s, 0) AS credits FROM d FULL JOIN c USING (id))
    UPDATE "LedgerAccount" a SET "debitsPosted" = a."debitsPosted" + moved.debits, "creditsPosted" = a."creditsPosted" + moved.credits
    FROM moved WHERE a."id" = moved.id`;
  return out;
}
