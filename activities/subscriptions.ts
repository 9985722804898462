// Activities of the subscription lifecycle (SUB-1..13, INV-1): loading the terms and the price in
// force, the renewal charge keyed by subscription and period (X-3), invoices with gapless numbers
// per seller and year, the read model with its audit entries (X-4), refunds on withdrawal
// (SUB-11) and the e-mails (outbox, X-2). Every write is keyed by a business id.
import { randomInt } from 'node:crypto';
import { captureBatch, feeRateBp } from '../domain/ledger';
import { postBatch } from './ledger';
import { postLineRefund } from './refund-posting';
import { partnerAccountOf } from './partner-account';
import { creditCashback } from './partner-cashback';
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';
import { recordEmail } from './emails';
import { HIDDEN } from './email-templates';
import { notFound } from './errors';
import { keyedHash } from '../infra/hmac';
import { checkoutInvoiceId, creditLinesOf, creditNoteId, firstPeriod, takeCheckoutInvoice, takeInvoice as takeInvoiceIn, type InvoiceLineInput } from './invoices';
import { chargeAttemptKey, checkoutPaymentId, paymentOutcome } from './payments';
import { formatMoney, lineAmounts } from '../domain/money';
import { BILLING_PERIOD_NAMES, type BillingPeriod } from '../domain/calendar';
import { allowedPeriodsOf, unitPriceFor, type ChargeLine } from '../domain/commercial-policy';
import { withVolumeTier, type VolumeTier } from '../domain/partner-pricing';
import { discountFor } from './customer-verifications';
import { exclVatParts } from './seller-refunds';
import { formatDate, formatDateTime } from '../domain/time-format';
import { daysAfter, deletionLinkSubject, DOCUMENT_LINK_DAYS, linkUrl, windowEnd, type LinkPurpose } from '../api/signed-links';

export { checkoutInvoiceId, type InvoiceLineInput } from './invoices';

export function renewalPaymentId(subscriptionId: string, period: number): string {
  return `sub:${subscriptionId}:period:${period}`;
}
/** The n-th quantity increase of a subscription: its payment, invoice and gateway key (X-3). */
export function quantityPaymentId(subscriptionId: string, n: number): string {
  return `sub:${subscriptionId}:quantity:${n}`;
}
export function withdrawalRefundId(lineId: string, paymentId: string): string {
  return `line:${lineId}:withdrawal:${paymentId}`;
}
export function deletionCodeId(subscriptionId: string, request: number): string {
  return `sub:${subscriptionId}:deletion:${request}`;
}
/** SUB-10 codes: 8 characters from an alphabet without look-alikes (0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DELETION_CODE_LENGTH = 8;
/** What the database keeps of a code: an HMAC under the app secret, so a copy of it reveals none. */
export function deletionCodeHash(subscriptionId: string, code: string): string {
  return keyedHash(`deletion-code:${subscriptionId}`, code.trim().toUpperCase());
}

export interface SubscriptionTerms {
  orderId: string;
  customerId: string;
  customerType: string;
  sellerId: string;
  offerId: string;
  name: string;
  billingPeriod: BillingPeriod;
  commitmentMonths: number;
  /** One period excl. VAT after the discount (what lineCharge gives for the line as bought). */
  priceCents: number;
  /** What checkout charged for the line (0 for a trial, POL-1). */
  totalCents: number;
  quantity: number;
  unitPriceCents: number;
  discountBp: number;
  discountKind: string | null;
  /** POL-1: the end of the free trial (ISO), or null. */
  trialEndsAt: string | null;
  vatRateBp: number;
  currency: string;
  /** The card saved at checkout, by id (its token stays in PaymentCard, X-7). */
  cardId: string;
  cardLast4: string;
  timeZone: string;
}

export type RenewalChargeResult =
  | { status: 'captured'; paymentId: string; amountCents: number }
  | { status: 'declined'; paymentId: string; code: string; message: string; hard: boolean };

export interface SubscriptionSnapshot {
  subscriptionId: string;
  orderId: string;
  customerId: string;
  sellerId: string;
  offerId: string;
  status: string;
  renewalMode: string;
  nextDueAt: string | null;
  cardLast4: string;
  paidPeriods: number;
  endedAt: string | null;
  endReason: string | null;
  startedAt: string;
}

/** The e-mails about what the payer's card is charged, or about paying: sent to whoever pays (PRT-5). */
const PAYER_KINDS: ReadonlySet<SubscriptionEmailKind> = new Set(['renewed', 'quantity_increased', 'payment_failed', 'renewal_reminder']);

export type SubscriptionEmailKind =
  | 'renewed'
  | 'payment_failed'
  | 'ended_non_payment_customer'
  | 'ended_non_payment_seller'
  | 'ended_seller'
  | 'renewal_reminder'
  | 'not_renewed'
  | 'termination_confirmed'
  | 'termination_withdrawn'
  | 'terminated'
  | 'deleted'
  | 'withdrawn_customer'
  | 'withdrawn_seller'
  | 'trial_reminder'
  | 'price_change'
  | 'quantity_increased';

/** POL-2, POL-3: an offer's price in force at an instant and the discount the customer has then. */
export interface PriceInForce {
  /** The version in force (the latest of the product created at or before the instant). */
  offerId: string;
  /** One period of the subscription's billing period (POL-6: a yearly offer is priced per year). */
  unitPriceCents: number;
  vatRateBp: number;
  currency: string;
  discount: { bp: number; kind: string } | null;
}


/** The line's period as checkout wrote it (one of the four, POL-6); anything else is a bug to stop on. */
function billingPeriodOf(value: string): BillingPeriod {
  if (!(BILLING_PERIOD_NAMES as readonly string[]).includes(value)) throw new Error(`unknown billing period ${value}`);
  return value as BillingPeriod;
}

/** A charge's lines on its invoice (as the checkout invoice shows them, chargeLinesOf), with the service period they cover. */
function invoiceLines(lines: ChargeLine[], periodStart: string, periodEnd: string): InvoiceLineInput[] {
  return lines.map((l) => ({ description: l.description, quantity: l.quantity, exclVatCents: l.exclVatCents, vatRateBp: l.vatRateBp, periodStart, periodEnd }));
}

export function createSubscriptionActivities(deps: ActivityDeps) {
  const { db, gateway } = deps;
  const timeZone = () => process.env.BUSINESS_TZ ?? 'Europe/Paris';

  const takeInvoice = (input: Parameters<typeof takeInvoiceIn>[1]) => takeInvoiceIn(db, input);

  const record = (id: string, to: string, customerId: string | null, subject: string, text: string, maskedText?: string): Promise<string> =>
    recordEmail(db, { id, customerId, toAddress: to, subject, text, maskedText: maskedText === text ? null : maskedText });
  /** A signed link for the customer's browser (api/signed-links.ts): a credential, hidden from staff. */
  const signed = (purpose: LinkPurpose, subject: string, expiresAt: Date | string) => linkUrl(deps.publicUrl, purpose, subject, expiresAt);

  /**
   * X-3: one payment of a subscription at most once. The payment row (one per business id) is the
   * local guard: once captured, no further attempt goes to the gateway. Each attempt has its own
   * gateway key (a gateway replays the first answer of a key, declines included), and a retry of
   * the same attempt (lost reply, crashed worker) reuses it and gets the first capture back.
   */
  async function chargeOnce(input: {
    paymentId: string;
    kind: 'renewal' | 'quantity';
    subscriptionId: string;
    orderId: string;
    period: number;
    attempt: number;
    cardId: string;
    amountCents: number;
    currency: string;
    description: string;
    audit: Record<string, number>;
    at: string;
    workflowId: string;
  }): Promise<RenewalChargeResult> {
    const { paymentId, amountCents } = input;
    const existing = await db.payment.findUnique({ where: { id: paymentId } });
    if (existing?.status === 'captured') return { status: 'captured', paymentId, amountCents: existing.amountCents };
    const card = await db.paymentCard.findUnique({ where: { id: input.cardId } });
    if (!card) notFound(`no saved card ${input.cardId}`);
    const gatewayKey = chargeAttemptKey(paymentId, input.attempt);
    const result = await gateway.charge({ idempotencyKey: gatewayKey, cardToken: card!.token, amountCents, currency: input.currency, description: input.description });
    const captured = result.status === 'captured';
    const data = { amountCents, currency: input.currency, ...paymentOutcome(result, gatewayKey, input.at) };
    const { sellerId } = await db.orderLine.findUniqueOrThrow({ where: { id: input.subscriptionId }, select: { sellerId: true } });
    await db.$transaction(async (tx) => {
      // A captured row is never overwritten by a later attempt's answer (the local guard).
      const stored = await tx.payment.findUnique({ where: { id: paymentId }, select: { status: true } });
      if (stored?.status !== 'captured') {
        await tx.payment.upsert({
          where: { id: paymentId },
          create: { id: paymentId, orderId: input.orderId, kind: input.kind, lineId: input.subscriptionId, period: input.period, ...data },
          update: data,
        });
        if (captured) {
          // PAY-1, FEE-1: the capture and its fee, with its payment row.
          const lines = [{ lineId: input.subscriptionId, sellerId, amount: BigInt(amountCents) }];
          await postBatch(tx, `payment:${paymentId}:capture`, input.at, captureBatch({ paymentId, currency: input.currency, lines, feeRateBp: feeRateBp() }));
          await creditCashback(tx, { paymentId }); // PRT-6: the partner's cashback, with the capture
        }
      }
      await writeAudit(tx, {
        key: `${paymentId}:${captured ? 'captured' : `declined:${input.at}`}`,
        at: input.at,
        actor: 'system',
        action: `subscription.${input.kind}_${captured ? 'captured' : 'declined'}`,
        entityType: 'subscription',
        entityId: input.subscriptionId,
        orderId: input.orderId,
        workflowId: input.workflowId,
        data: captured ? { ...input.audit, amountCents } : { ...input.audit, code: result.code },
      });
    });
    return captured ? { status: 'captured', paymentId, amountCents } : { status: 'declined', paymentId, code: result.code, message: result.message, hard: result.hard };
  }

  /** INV-1: the invoice of one payment of a subscription (keyed by the payment); its first line is named by `title`. */
  async function issuePaymentInvoice(paymentId: string, subscriptionId: string, title: (name: string) => string, lines: InvoiceLineInput[], at: string): Promise<{ invoiceId: string; number: string }> {
    const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    const line = await db.orderLine.findUniqueOrThrow({ where: { id: subscriptionId }, include: { order: true } });
    return takeInvoice({
      invoiceId: paymentId,
      paymentId,
      sellerId: line.sellerId,
      customerId: line.order.customerId!, // a charged line was paid or verified: its order has its account
      orderId: line.orderId,
      currency: payment.currency,
      lines: lines.map((l, i) => (i === 0 ? { ...l, description: title(line.name) } : l)),
      at,
    });
  }

  return {
    async loadSubscriptionTerms(input: { lineId: string }): Promise<SubscriptionTerms> {
      const line = await db.orderLine.findUniqueOrThrow({ where: { id: input.lineId }, include: { order: { include: { customer: true } } } });
      return {
        orderId: line.orderId,
        customerId: line.order.customerId!,
        // SUB-11: the buyer as its checkout declared it (the account's type is provisional until verified).
        customerType: line.order.customerType ?? line.order.customer!.type,
        sellerId: line.sellerId,
        offerId: line.offerId,
        name: line.name,
        billingPeriod: billingPeriodOf(line.billingPeriod),
        commitmentMonths: line.commitmentMonths,
        priceCents: line.priceCents,
        totalCents: line.totalCents,
        quantity: line.quantity,
        // A line written without a unit price (a seed, a free line) is its quantity at its price.
        unitPriceCents: line.unitPriceCents > 0 ? line.unitPriceCents : Math.round(line.priceCents / line.quantity),
        discountBp: line.discountBp,
        discountKind: line.discountKind,
        trialEndsAt: line.trialEndsAt?.toISOString() ?? null,
        vatRateBp: line.vatRateBp,
        currency: line.currency,
        cardId: line.order.cardId,
        cardLast4: line.order.cardLast4,
        timeZone: timeZone(),
      };
    },

    /**
     * SUB-3, POL-2, POL-3: the product's price at `at` (its versions share a productId; the one in
     * force is the latest created at or before `at`, the line's own version if none is), for one
     * period of `period`, and the discount the customer has at `at` on that version. A version that
     * no longer sells the subscription's period has no price for it: the latest one that does counts.
     */
    /** `quantity`: the units renewed, for the offer's volume tier (PRT-6: it applies to everyone). */
    async priceInForce(input: { offerId: string; customerId: string; period: BillingPeriod; at: string; quantity?: number }): Promise<PriceInForce> {
      const bought = await db.offer.findUniqueOrThrow({ where: { id: input.offerId } });
      const versions = bought.productId
        ? await db.offer.findMany({ where: { productId: bought.productId, createdAt: { lte: new Date(input.at) } }, orderBy: { version: 'desc' } })
        : [];
      const offer = versions.find((v) => allowedPeriodsOf(v).includes(input.period)) ?? bought;
      const discount = await discountFor(db, { customerId: input.customerId, offerDiscountEligible: offer.discountEligible, at: input.at });
      return {
        offerId: offer.id,
        unitPriceCents: withVolumeTier(unitPriceFor(offer, input.period), offer.volumeTiers as VolumeTier[], input.quantity ?? 1),
        vatRateBp: offer.vatRateBp,
        currency: offer.currency,
        discount: discount ? { bp: discount.bp, kind: discount.kind } : null,
      };
    },

    /**
     * SUB-3, X-3: charges one period at most once (see chargeOnce). `amountCents` is the sum of the
     * period's invoice lines with VAT per line (lineCharge); without it, the price plus its VAT.
     */
    async chargeRenewal(input: {
      subscriptionId: string;
      orderId: string;
      period: number;
      attempt: number;
      cardId: string;
      priceCents: number;
      vatRateBp: number;
      amountCents?: number;
      currency: string;
      at: string;
      workflowId: string;
    }): Promise<RenewalChargeResult> {
      return chargeOnce({
        ...input,
        paymentId: renewalPaymentId(input.subscriptionId, input.period),
        kind: 'renewal',
        amountCents: input.amountCents ?? lineAmounts(input.priceCents, input.vatRateBp).totalCents,
        description: `Subscription ${input.subscriptionId}, period ${input.period}`,
        audit: { period: input.period },
      });
    },

    /** Quantities: the prorated charge of quantity increase n, at most once (see chargeOnce). */
    async chargeQuantityIncrease(input: {
      subscriptionId: string;
      orderId: string;
      change: number;
      /** The period the extra units are charged in. */
      period: number;
      attempt: number;
      cardId: string;
      amountCents: number;
      currency: string;
      at: string;
      workflowId: string;
    }): Promise<RenewalChargeResult> {
      return chargeOnce({
        ...input,
        paymentId: quantityPaymentId(input.subscriptionId, input.change),
        kind: 'quantity',
        description: `Subscription ${input.subscriptionId}, quantity increase ${input.change} (period ${input.period})`,
        audit: { period: input.period, change: input.change },
      });
    },

    /**
     * INV-1: the invoice of one renewal payment; a repeat returns the invoice already issued.
     * `lines`: the period's charge lines (quantity, discount line); without them, one line at the price.
     */
    async issueRenewalInvoice(input: {
      subscriptionId: string;
      period: number;
      periodStart: string;
      periodEnd: string;
      priceCents: number;
      vatRateBp: number;
      lines?: ChargeLine[];
      at: string;
    }): Promise<{ invoiceId: string; number: string }> {
      const paymentId = renewalPaymentId(input.subscriptionId, input.period);
      const lines = input.lines ?? [{ description: '', quantity: 1, exclVatCents: input.priceCents, vatRateBp: input.vatRateBp }];
      return issuePaymentInvoice(paymentId, input.subscriptionId, (name) => `${name}, period ${input.period}`, invoiceLines(lines, input.periodStart, input.periodEnd), input.at);
    },

    /** INV-1, quantities: the invoice of quantity increase n: the extra units, prorated to the end of the period. */
    async issueQuantityInvoice(input: { subscriptionId: string; change: number; lines: ChargeLine[]; periodStart: string; periodEnd: string; at: string }): Promise<{ invoiceId: string; number: string }> {
      const paymentId = quantityPaymentId(input.subscriptionId, input.change);
      return issuePaymentInvoice(paymentId, input.subscriptionId, (name) => `${name}, added units prorated from ${formatDate(input.periodStart)} (quantity change ${input.change})`, invoiceLines(input.lines, input.periodStart, input.periodEnd), input.at);
    },

    /** INV-1: the checkout invoice of one seller (its lines of the order, first period). */
    async issueCheckoutInvoice(input: { orderId: string; sellerId: string }): Promise<{ invoiceId: string; number: string }> {
      return takeCheckoutInvoice(db, { ...input, paymentId: checkoutPaymentId(input.orderId) });
    },

    /** SUB-13 read model + X-4 audit entry under the change's business key. */
    async recordSubscription(input: { snapshot: SubscriptionSnapshot; change: { key: string; at: string; actor: string; action: string; data?: Record<string, unknown> }; workflowId: string }): Promise<void> {
      const s = input.snapshot;
      const data = {
        orderId: s.orderId,
        customerId: s.customerId,
        sellerId: s.sellerId,
        offerId: s.offerId,
        status: s.status,
        renewalMode: s.renewalMode,
        nextDueAt: s.nextDueAt ? new Date(s.nextDueAt) : null,
        cardLast4: s.cardLast4,
        paidPeriods: s.paidPeriods,
        endedAt: s.endedAt ? new Date(s.endedAt) : null,
        endReason: s.endReason,
        startedAt: new Date(s.startedAt),
      };
      await db.$transaction(async (tx) => {
        await tx.subscription.upsert({ where: { id: s.subscriptionId }, create: { id: s.subscriptionId, ...data }, update: data });
        if (s.status === 'terminated') {
          await tx.orderLine.update({ where: { id: s.subscriptionId }, data: { status: 'terminated' } });
        }
        await writeAudit(tx, {
          key: input.change.key,
          at: input.change.at,
          actor: input.change.actor,
          action: input.change.action,
          entityType: 'subscription',
          entityId: s.subscriptionId,
          orderId: s.orderId,
          workflowId: input.workflowId,
          data: input.change.data,
        });
      });
    },

    /**
     * SUB-11: refunds every captured payment of the line (checkout share, renewals, quantity
     * increases), once each, less what was refunded on it already (a seller's POL-4 refund): a
     * payment refunded in full is skipped, and so is a trial's checkout share of 0.
     */
    async refundLineWithdrawal(input: { lineId: string; at: string }): Promise<{ refundIds: string[]; amountCents: number }> {
      const line = await db.orderLine.findUniqueOrThrow({ where: { id: input.lineId } });
      const checkout = await db.payment.findUnique({ where: { id: checkoutPaymentId(line.orderId) } });
      const renewals = await db.payment.findMany({ where: { lineId: line.id, status: 'captured' }, orderBy: { period: 'asc' } });
      const targets = [
        ...(checkout?.status === 'captured' ? [{ payment: checkout, amountCents: line.totalCents }] : []),
        ...renewals.map((p) => ({ payment: p, amountCents: p.amountCents })),
      ];
      const refundIds: string[] = [];
      let amountCents = 0;
      for (const { payment, amountCents: paid } of targets) {
        const refundId = withdrawalRefundId(line.id, payment.id);
        const done = await db.refund.findUnique({ where: { id: refundId } });
        const before = await db.refund.aggregate({ where: { paymentId: payment.id, lineId: line.id, id: { not: refundId } }, _sum: { amountCents: true } });
        const amount = done ? done.amountCents : paid - (before._sum.amountCents ?? 0);
        if (amount <= 0) continue;
        if (!done) {
          if (!payment.gatewayRef) throw new Error(`payment ${payment.id} has no capture to refund`);
          const result = await gateway.refund({ idempotencyKey: refundId, chargeReference: payment.gatewayRef, amountCents: amount, currency: payment.currency });
          await db.$transaction(async (tx) => {
            const row = await tx.refund.upsert({
              where: { id: refundId },
              create: { id: refundId, paymentId: payment.id, lineId: line.id, amountCents: amount, currency: payment.currency, reason: 'withdrawal', gatewayRef: result.reference },
              update: {},
            });
            // PAY-1, FEE-1, PRT-6: the refund, its fee and cashback reversals, with the refund row.
            await postLineRefund(tx, { refundId, paymentId: payment.id, lineId: line.id, sellerId: line.sellerId, currency: payment.currency, amountCents: row.amountCents, at: row.createdAt });
          });
        }
        // INV-1: each refund gets its credit note, correcting the payment's invoice.
        const credited = payment.kind === 'checkout' ? checkoutInvoiceId(line.orderId, line.sellerId) : payment.id;
        const invoice = await db.invoice.findUnique({ where: { id: credited } });
        const order = await db.order.findUniqueOrThrow({ where: { id: line.orderId } });
        // What was left of a payment refunded in part before: the rest, as parts whose VAT adds up to it.
        const creditLines: InvoiceLineInput[] =
          amount < paid
            ? exclVatParts(amount, line.vatRateBp).map((exclVatCents) => ({ description: `Withdrawal refund: ${line.name}, the rest of payment ${payment.id} after earlier refunds`, exclVatCents, vatRateBp: line.vatRateBp }))
            : payment.kind === 'checkout' || !invoice
              ? [{ description: `Withdrawal refund: ${line.name}, period 1`, exclVatCents: line.priceCents, vatRateBp: line.vatRateBp, ...firstPeriod((order.paidAt ?? order.createdAt).toISOString(), line.billingPeriod) }]
              : creditLinesOf(invoice, (d) => `Withdrawal refund: ${d}`);
        await takeInvoice({
          invoiceId: creditNoteId(refundId),
          kind: 'credit_note',
          creditedInvoiceId: invoice?.id,
          refundId,
          paymentId: payment.id,
          sellerId: line.sellerId,
          customerId: order.customerId!,
          orderId: line.orderId,
          currency: payment.currency,
          lines: creditLines,
          at: input.at,
        });
        refundIds.push(refundId);
        amountCents += amount;
      }
      return { refundIds, amountCents };
    },

    /**
     * SUB-10: draws the confirmation code of deletion request n (crypto.randomInt), stores its
     * hash and records the e-mail that carries it, in one transaction; returns the e-mail's key. A
     * retry finds both written and draws nothing (the code exists only in the e-mail).
     */
    async issueDeletionCode(input: { subscriptionId: string; request: number; expiresAt: string }): Promise<string> {
      const id = deletionCodeId(input.subscriptionId, input.request);
      const emailId = `sub:${input.subscriptionId}:deletion-code:${input.request}`;
      if (await db.deletionCode.findUnique({ where: { id }, select: { id: true } })) return emailId;
      const line = await db.orderLine.findUniqueOrThrow({ where: { id: input.subscriptionId }, include: { order: true } });
      const code = Array.from({ length: DELETION_CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
      const name = `${line.name} (subscription ${line.id})`;
      // The page of the link asks for the code: the code is in this e-mail only, never in the link.
      const page = signed('deletion-confirmation', deletionLinkSubject(input.subscriptionId, input.request), input.expiresAt);
      const body = (shown: string, link: string) =>
        [
          `You asked to delete ${name} immediately and for good.`,
          `Confirmation code: ${shown}`,
          `Confirm on this page, which asks for the code: ${link}`,
          `The code is valid until ${formatDateTime(input.expiresAt)}; after 5 wrong tries it stops working and you can ask for a new one. No refund applies (except withdrawal within the legal period).`,
        ].join('\n');
      await db.$transaction(async (tx) => {
        await tx.deletionCode.create({ data: { id, subscriptionId: input.subscriptionId, codeHash: deletionCodeHash(input.subscriptionId, code), expiresAt: new Date(input.expiresAt) } });
        // Earlier codes of this subscription stop working: only the latest is valid.
        await tx.deletionCode.updateMany({ where: { subscriptionId: input.subscriptionId, status: 'pending', id: { not: id } }, data: { status: 'superseded' } });
        await recordEmail(tx, {
          id: emailId,
          customerId: line.order.customerId,
          toAddress: line.order.customerEmail,
          subject: `Confirmation code to delete ${name}`,
          text: body(code, page),
          maskedText: body(HIDDEN, HIDDEN),
        });
      });
      return emailId;
    },

    /** SUB-10: the API checked the code of request n and marked it confirmed; anything else is refused. */
    async checkDeletionConfirmed(input: { subscriptionId: string; request: number }): Promise<void> {
      const row = await db.deletionCode.findUnique({ where: { id: deletionCodeId(input.subscriptionId, input.request) } });
      if (row?.status !== 'confirmed') notFound(`deletion request ${input.request} of ${input.subscriptionId} was not confirmed with its code`);
    },

    /** Records one subscription e-mail in the outbox under its business key (X-2). */
    async composeSubscriptionEmail(input: { key: string; subscriptionId: string; to: 'customer' | 'seller'; kind: SubscriptionEmailKind; data?: Record<string, string | number | null> }): Promise<string> {
      const line = await db.orderLine.findUniqueOrThrow({ where: { id: input.subscriptionId }, include: { seller: true, order: { include: { customer: true } } } });
      const d = input.data ?? {};
      const buyer = line.order.customerName ?? line.order.customer?.name ?? line.order.customerEmail;
      const money = (c: unknown) => formatMoney(Number(c), line.currency);
      const name = `${line.name} (subscription ${line.id})`;
      // Dates as the reader reads them: the business time zone, never raw ISO UTC.
      const at = (v: unknown) => (v ? formatDateTime(String(v)) : 'a date to be set');
      const on = (v: unknown) => (v ? formatDate(String(v)) : 'a date to be set');
      const reason = String(d.reason).replace('_', ' ');
      /** INV-1: the document links of this e-mail, valid DOCUMENT_LINK_DAYS from each document's issue. */
      const documentLink = (doc: { id: string; issuedAt: Date }) => signed('document', doc.id, daysAfter(doc.issuedAt, DOCUMENT_LINK_DAYS));
      const links: Record<string, string> = {};
      if (input.kind === 'renewed' || input.kind === 'quantity_increased') {
        const invoice = await db.invoice.findUnique({ where: { id: String(d.invoiceId) } });
        if (invoice) links.invoice = documentLink(invoice);
      }
      // SUB-5: until the past-due window ends (the last retry); SUB-6: until the period ends unpaid.
      if (input.kind === 'payment_failed') links.card = signed('card-update', line.id, windowEnd(d.endsAt));
      if (input.kind === 'renewal_reminder') links.pay = signed('manual-payment', line.id, windowEnd(d.dueAt));
      let creditNotes: { number: string; id: string; issuedAt: Date }[] = [];
      if (input.kind === 'withdrawn_customer') {
        // INV-1: the credit notes of this line's withdrawal refunds (SUB-11), issued before this e-mail.
        creditNotes = await db.invoice.findMany({ where: { kind: 'credit_note', refundId: { startsWith: `line:${line.id}:withdrawal:` } }, orderBy: { number: 'asc' } });
      }
      const days = Number(d.days);
      const texts = (link: (url: string) => string): Record<SubscriptionEmailKind, [string, string]> => ({
        renewed: [
          `Invoice ${d.invoiceNumber}: ${name} renewed`,
          `Your subscription ${name} was renewed for period ${d.period}, from ${on(d.periodStart)} to ${on(d.periodEnd)}.\nCharged: ${money(d.amountCents)} on the card ending ${d.cardLast4}.\n` +
            (links.invoice ? `Invoice ${d.invoiceNumber} (PDF): ${link(links.invoice)}` : `Invoice ${d.invoiceNumber} is available in your account.`),
        ],
        payment_failed: [
          `Payment failed: ${name}`,
          `The renewal payment of ${name} failed (${d.message}).\nYour subscription is past due. Update your card here: ${link(links.card)}\nWe will retry ${d.nextRetryAt ? `on ${at(d.nextRetryAt)}` : 'as soon as you replace your card'}; without payment the service ends on ${at(d.endsAt)}.`,
        ],
        ended_non_payment_customer: [`Subscription ended for non-payment: ${name}`, `No payment succeeded for ${name}: the subscription ended on ${at(d.endedAt)} and the service is deleted.`],
        ended_non_payment_seller: [`Subscription ended for non-payment: ${name}`, `The subscription ${name} of customer ${buyer} ended on ${at(d.endedAt)} for non-payment. Please delete the service.`],
        ended_seller: [`Subscription ended: ${name}`, `The subscription ${name} of customer ${buyer} ended on ${at(d.endedAt)} (${reason}). Please delete the service.`],
        renewal_reminder: [
          `Reminder: ${name} ends on ${on(d.dueAt)} unless renewed`,
          `Your subscription ${name} is in manual renewal and ends on ${at(d.dueAt)} (in ${days} ${days === 1 ? 'day' : 'days'}).\nPay the next period here: ${link(links.pay)}`,
        ],
        not_renewed: [`Subscription ended: ${name}`, `The period of ${name} ended on ${at(d.endedAt)} unpaid: the service is deleted for good.`],
        termination_confirmed: [`Termination confirmed: ${name}`, `Your termination of ${name} is registered. Effective date: ${at(d.effectiveAt)}. No renewal happens after that date.`],
        termination_withdrawn: [`Termination withdrawn: ${name}`, `Your termination of ${name} is withdrawn: the subscription renews as before (next due date ${at(d.nextDueAt)}).`],
        terminated: [`Subscription ended: ${name}`, `Your subscription ${name} ended on ${at(d.endedAt)} as you requested.`],
        deleted: [`Service deleted: ${name}`, `Your subscription ${name} was deleted on ${at(d.endedAt)}.`],
        withdrawn_customer: [
          `Withdrawal confirmed: ${name}`,
          [`Your withdrawal from ${name} is registered on ${at(d.endedAt)}. Refunded: ${money(d.amountCents)}.`, ...creditNotes.map((c) => `Credit note ${c.number} (PDF): ${link(documentLink(c))}`)].join('\n'),
        ],
        withdrawn_seller: [`Customer withdrawal: ${name}`, `Customer ${buyer} withdrew from ${name} on ${at(d.endedAt)}; the payments were refunded in full. Please delete the service.`],
        trial_reminder: [
          `Your free trial of ${name} ends on ${on(d.trialEndsAt)}`,
          `Your free trial of ${name} ends on ${at(d.trialEndsAt)} (in ${days} ${days === 1 ? 'day' : 'days'}).\nThen the first period is charged: ${money(d.amountCents)} on the card ending ${d.cardLast4}. To stop before, terminate the subscription in your account: nothing is charged.`,
        ],
        price_change: [
          `New price for ${name} from ${on(d.from)}`,
          `The price of ${name} changes from ${money(d.fromUnitCents)} to ${money(d.toUnitCents)} (excl. VAT) per unit and period, from the renewal of ${at(d.from)}.\nA rise is at most 7 % a year over your previous price. You may terminate before that date.`,
        ],
        quantity_increased: [
          `Invoice ${d.invoiceNumber}: ${name} now has ${d.quantity} units`,
          `The quantity of ${name} went from ${d.previous} to ${d.quantity}. The added units until the end of the period (${at(d.periodEnd)}) cost ${money(d.amountCents)}, charged on the card ending ${d.cardLast4}.\n` +
            (links.invoice ? `Invoice ${d.invoiceNumber} (PDF): ${link(links.invoice)}` : `Invoice ${d.invoiceNumber} is available in your account.`),
        ],
      });
      const [subject, text] = texts((url) => url)[input.kind];
      const [, masked] = texts(() => HIDDEN)[input.kind];
      if (input.to === 'seller') return record(input.key, line.seller.contactEmail, null, subject, text, masked);
      const { payer: payerKind, partnerId } = line.order;
      const payer = PAYER_KINDS.has(input.kind) && payerKind === 'partner' && partnerId ? await partnerAccountOf(db, partnerId) : null;
      if (payer) {
        // PRT-5: a partner-paid subscription's charges, invoices and card are the partner's business:
        // its invoices live in the partner's organisation, and so do these e-mails (the customer by id).
        const forCustomer = (t: string) => `For your customer ${line.order.customerId}, whose subscription you pay (PRT-5):\n${t}`;
        return record(input.key, payer.email, payer.id, subject, forCustomer(text), forCustomer(masked));
      }
      return record(input.key, line.order.customerEmail, line.order.customerId, subject, text, masked);
    },
  };
}
