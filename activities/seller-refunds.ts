// POL-4: a seller's refund of one payment of its subscription (its checkout, a renewal, or the
// prorated charge of a quantity increase), full or partial, within 30 days of that payment; a
// service is never refunded. Three steps, each safe to repeat:
// 1. reserve: under a lock of the payment row, the refund's id (n = the line's seller refunds of
//    that payment + 1) and amount are decided against what remains refundable, and recorded as an
//    audit entry that counts as refunded until it is settled, so two refunds racing never
//    exceed what was paid;
// 2. the gateway refund, keyed by the refund id: a retry after a crash gets the same answer;
// 3. the Refund row with its ledger transfers (PAY-1, FEE-1), then its credit note (INV-1) and the
//    customer's e-mail in the outbox, each under its business key.
// A retry of the request (its Idempotency-Key) finishes a reservation at step 2 or 3.
import type { Payment, Prisma, Refund } from '@prisma/client';
import { refundDeadline } from '../domain/commercial-policy';
import { formatMoney, lineAmounts } from '../domain/money';
import { businessTimeZone, formatDate, zoneLabel } from '../domain/time-format';
import { daysAfter, DOCUMENT_LINK_DAYS, linkUrl } from '../api/signed-links';
import { retryOnConflict, type Db } from '../infra/db';
import { GatewayError, type PaymentGateway } from '../infra/payment-gateway';
import { writeAudit } from './audit';
import { recordEmail } from './emails';
import { HIDDEN } from './email-templates';
import { creditNoteId, firstPeriod, takeCheckoutInvoice, takeInvoice, type InvoiceLineInput, type IssuedLine } from './invoices';
import { postLineRefund } from './refund-posting';
import { checkoutPaymentId } from './payments';

const REQUESTED = 'subscription.seller_refund_requested';
const GRANTED = 'subscription.seller_refund_granted';
/** The gateway refused the refund: no money moved, the reservation no longer counts. */
const REFUSED = 'subscription.seller_refund_refused';

export function sellerRefundId(paymentId: string, lineId: string, n: number): string {
  return `${sellerRefundPrefix(paymentId, lineId)}${n}`;
}
function sellerRefundPrefix(paymentId: string, lineId: string): string {
  return `seller-refund:${paymentId}:${lineId}:`;
}
const requestKey = (refundId: string) => `${refundId}:requested`;
export const sellerRefundEmailId = (refundId: string) => `${refundId}:customer`;

/** Why a refund is not made: no such subscription of the seller, a rule of POL-4 (naming the field at fault), or the gateway. */
export class SellerRefundRefusal extends Error {
  constructor(
    readonly kind: 'not_found' | 'refused' | 'gateway',
    readonly slug: string,
    message: string,
    readonly field: string | null = null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface SellerRefundRequest {
  subscriptionId: string;
  sellerId: string;
  paymentId: string;
  /** Incl. VAT, in the payment's currency. */
  amountCents: number;
  reason: string;
  actor: string;
  /** When the seller asked: the instant the 30 days are checked at. */
  at: string;
  /** Records the request's Idempotency-Key with the reservation, in its transaction. */
  claim?: (tx: Prisma.TransactionClient, refundId: string) => Promise<void>;
}

export interface SellerRefund {
  refundId: string;
  subscriptionId: string;
  paymentId: string;
  amountCents: number;
  currency: string;
  reason: string;
  createdAt: string;
  creditNote: { invoiceId: string; number: string };
  /** Refunded on this payment's share of the line now, every reason and this refund included. */
  refundedSoFarCents: number;
  /** What a seller refund of this payment could still take now. */
  refundableLeftCents: number;
  emailId: string;
}

interface Reservation {
  refundId: string;
  paymentId: string;
  lineId: string;
  amountCents: number;
  currency: string;
  reason: string;
}

/**
 * Excl.-VAT amounts at `vatRateBp` whose totals incl. VAT (VAT rounded on each line, as documents
 * compute it) add up to `totalCents` exactly. One amount almost always; when VAT rounding skips
 * that total (20 %: 3 cents is 2 + 0 or 3 + 1), the last cent goes on a line of its own, whose VAT
 * rounds to 0 at any rate below 50 %.
 */
export function exclVatParts(totalCents: number, vatRateBp: number): number[] {
  const incl = (e: number) => lineAmounts(e, vatRateBp).totalCents;
  let e = Math.floor((totalCents * 10_000) / (10_000 + vatRateBp));
  while (e > 0 && incl(e) > totalCents) e -= 1;
  while (incl(e + 1) <= totalCents) e += 1;
  const rest = totalCents - incl(e);
  if (rest === 0) return [e];
  if (incl(rest) !== rest) throw new RangeError(`no excl.-VAT split of ${totalCents} at ${vatRateBp} bp`);
  return [e, rest];
}

/** The last day a payment made at `paidAt` may be refunded, in words, for a refusal. */
function windowWords(paidAt: Date): string {
  const deadline = new Date(Date.parse(refundDeadline(paidAt.toISOString(), businessTimeZone())) - 1);
  return `until the end of ${formatDate(deadline)} (${zoneLabel(businessTimeZone())}), 30 days after its payment on ${formatDate(paidAt)}`;
}

export function createSellerRefunds(deps: { db: Db; gateway: PaymentGateway; publicUrl: string }) {
  const { db, gateway } = deps;

  /** What the line's share of `payment` was: the line's checkout total, or the renewal's (quantity charge's) amount. */
  const paidFor = (payment: { kind: string; amountCents: number }, line: { totalCents: number }) => (payment.kind === 'checkout' ? line.totalCents : payment.amountCents);

  /** Refunded (Refund rows) and reserved (seller requests not settled) on one payment of one line. */
  async function taken(tx: Prisma.TransactionClient, paymentId: string, lineId: string) {
    const refunds = await tx.refund.findMany({ where: { paymentId, lineId }, select: { id: true, amountCents: true } });
    const entries = await tx.auditLog.findMany({
      where: { entityType: 'subscription', entityId: lineId, action: { in: [REQUESTED, REFUSED] }, key: { startsWith: sellerRefundPrefix(paymentId, lineId) } },
      select: { action: true, data: true },
    });
    const requests = entries.filter((e) => e.action === REQUESTED).map((e) => JSON.parse(e.data) as Reservation);
    const settled = new Set([...refunds.map((r) => r.id), ...entries.filter((e) => e.action === REFUSED).map((e) => (JSON.parse(e.data) as { refundId: string }).refundId)]);
    return {
      refundedCents: refunds.reduce((s, r) => s + r.amountCents, 0),
      reservedCents: requests.filter((r) => !settled.has(r.refundId)).reduce((s, r) => s + r.amountCents, 0),
      sellerRequests: requests.length,
    };
  }

  /** Step 1: checks POL-4 and reserves the refund; returns its id. */
  async function reserve(input: SellerRefundRequest): Promise<string> {
    const line = await db.orderLine.findUnique({ where: { id: input.subscriptionId }, include: { offer: { select: { productKind: true } } } });
    const subscription = await db.subscription.findUnique({ where: { id: input.subscriptionId }, select: { id: true } });
    if (!line || !subscription || line.sellerId !== input.sellerId) {
      throw new SellerRefundRefusal('not_found', 'not-found', `you have no subscription ${input.subscriptionId}`);
    }
    if (line.offer.productKind === 'service') {
      throw new SellerRefundRefusal('refused', 'service-not-refundable', 'services are never refunded (POL-4)', 'params.subscriptionId');
    }
    const payment = await db.payment.findUnique({ where: { id: input.paymentId } });
    const ofLine = payment && (payment.id === checkoutPaymentId(line.orderId) || ((payment.kind === 'renewal' || payment.kind === 'quantity') && payment.lineId === line.id));
    if (!payment || !ofLine || payment.status !== 'captured' || !payment.gatewayRef) {
      throw new SellerRefundRefusal('refused', 'payment-not-of-subscription', `${input.paymentId} is not a captured payment of subscription ${line.id}`, 'body.paymentId');
    }
    if (Date.parse(input.at) >= Date.parse(refundDeadline(payment.createdAt.toISOString(), businessTimeZone()))) {
      const words = `payment ${payment.id} could be refunded ${windowWords(payment.createdAt)} (POL-4)`;
      throw new SellerRefundRefusal('refused', 'refund-window-over', `too late: ${words}`, 'body.paymentId', { deadline: refundDeadline(payment.createdAt.toISOString(), businessTimeZone()) });
    }
    const paid = paidFor(payment, line);
    return db.$transaction(async (tx) => {
      // Refunds of one payment reserve one after another: each sees what the previous one took.
      await tx.$queryRaw`SELECT 1 FROM "Payment" WHERE "id" = ${payment.id} FOR UPDATE`;
      const t = await taken(tx, payment.id, line.id);
      const left = paid - t.refundedCents - t.reservedCents;
      if (input.amountCents > left) {
        throw new SellerRefundRefusal('refused', 'over-refund', `only ${formatMoney(left, payment.currency)} of payment ${payment.id} remains refundable on this subscription (${formatMoney(paid, payment.currency)} paid)`, 'body.amountCents', {
          refundableLeftCents: left,
        });
      }
      const refundId = sellerRefundId(payment.id, line.id, t.sellerRequests + 1);
      const reservation: Reservation = { refundId, paymentId: payment.id, lineId: line.id, amountCents: input.amountCents, currency: payment.currency, reason: input.reason };
      await writeAudit(tx, { key: requestKey(refundId), at: input.at, actor: input.actor, action: REQUESTED, entityType: 'subscription', entityId: line.id, orderId: line.orderId, data: { ...reservation } });
      await input.claim?.(tx, refundId);
      return refundId;
    });
  }

  /** Steps 2 and 3 for a reserved refund; a repeat finds each step done and does it no more. */
  async function settle(refundId: string): Promise<SellerRefund> {
    const entry = await db.auditLog.findUnique({ where: { key: requestKey(refundId) } });
    if (!entry) throw new SellerRefundRefusal('not_found', 'not-found', `no seller refund ${refundId}`);
    const r = JSON.parse(entry.data) as Reservation;
    const line = await db.orderLine.findUniqueOrThrow({ where: { id: r.lineId }, include: { order: true, seller: { select: { name: true } } } });
    const payment = await db.payment.findUniqueOrThrow({ where: { id: r.paymentId } });
    let refund = await db.refund.findUnique({ where: { id: refundId } });
    if (!refund) {
      const refused = await db.auditLog.findUnique({ where: { key: `${refundId}:refused` } });
      if (refused) throw new SellerRefundRefusal('gateway', 'refund-refused-by-gateway', `the payment gateway refused refund ${refundId}: ${(JSON.parse(refused.data) as { message: string }).message}`);
      let reference: string;
      try {
        ({ reference } = await gateway.refund({ idempotencyKey: refundId, chargeReference: payment.gatewayRef!, amountCents: r.amountCents, currency: r.currency }));
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err; // transient: the same key is safe to send again
        // A refusal moved no money: the reservation stops counting, and the seller may ask again.
        await writeAudit(db, { key: `${refundId}:refused`, at: new Date().toISOString(), actor: 'system', action: REFUSED, entityType: 'subscription', entityId: line.id, orderId: line.orderId, data: { refundId, code: err.code, message: err.message } });
        throw new SellerRefundRefusal('gateway', 'refund-refused-by-gateway', `the payment gateway refused refund ${refundId}: ${err.message}`);
      }
      refund = await retryOnConflict(() =>
        db.$transaction(async (tx) => {
          const row = await tx.refund.upsert({
            where: { id: refundId },
            create: { id: refundId, paymentId: payment.id, lineId: line.id, amountCents: r.amountCents, currency: r.currency, reason: r.reason, gatewayRef: reference },
            update: {},
          });
          // PAY-1, FEE-1, PRT-6: the refund, its fee and cashback reversals, with the refund row.
          await postLineRefund(tx, { refundId, paymentId: payment.id, lineId: line.id, sellerId: line.sellerId, currency: r.currency, amountCents: row.amountCents, at: row.createdAt });
          await writeAudit(tx, { key: `${refundId}:granted`, at: row.createdAt.toISOString(), actor: entry.actor, action: GRANTED, entityType: 'subscription', entityId: line.id, orderId: line.orderId, data: { refundId, paymentId: payment.id, amountCents: row.amountCents } });
          return row;
        }),
      );
    }
    const creditNote = await issueCreditNote(refund, line, payment);
    const emailId = await recordCustomerEmail(refund, line, creditNote);
    const t = await db.$transaction((tx) => taken(tx, payment.id, line.id));
    return {
      refundId,
      subscriptionId: line.id,
      paymentId: payment.id,
      amountCents: refund.amountCents,
      currency: refund.currency,
      reason: refund.reason,
      createdAt: refund.createdAt.toISOString(),
      creditNote,
      refundedSoFarCents: t.refundedCents,
      refundableLeftCents: paidFor(payment, line) - t.refundedCents - t.reservedCents,
      emailId,
    };
  }

  type Line = Prisma.OrderLineGetPayload<{ include: { order: true; seller: { select: { name: true } } } }>;

  /** INV-1: the credit note corrects the payment's invoice; its total incl. VAT is the refund, to the cent. */
  async function issueCreditNote(refund: Refund, line: Line, payment: Payment): Promise<{ invoiceId: string; number: string }> {
    let credited: string | undefined;
    let period: Pick<InvoiceLineInput, 'periodStart' | 'periodEnd' | 'periodDays'>;
    let label: string;
    if (payment.kind === 'checkout') {
      // Issued at payment; an order paid before that was in place gets it now.
      credited = (await takeCheckoutInvoice(db, { orderId: line.orderId, sellerId: line.sellerId, paymentId: payment.id })).invoiceId;
      period = firstPeriod((line.order.paidAt ?? line.order.createdAt).toISOString(), line.billingPeriod);
      label = `period 1 (order ${line.order.number})`;
    } else {
      const invoice = await db.invoice.findUnique({ where: { id: payment.id } });
      credited = invoice?.id;
      // The period as the renewal's (quantity charge's) invoice printed it.
      const [first] = invoice ? (JSON.parse(invoice.lines) as IssuedLine[]) : [];
      period = first ? { periodDays: { periodStart: first.periodStart ?? null, periodEnd: first.periodEnd ?? null } } : {};
      label = payment.kind === 'quantity' ? `added units, quantity change ${payment.id.slice(payment.id.lastIndexOf(':') + 1)} (period ${payment.period})` : `period ${payment.period}`;
    }
    const description = `Refund by the seller (POL-4): ${line.name}, ${label}`;
    const lines: InvoiceLineInput[] = exclVatParts(refund.amountCents, line.vatRateBp).map((exclVatCents, i) => ({
      description: i === 0 ? description : `${description}, rounding cent`,
      exclVatCents,
      vatRateBp: line.vatRateBp,
      ...period,
    }));
    return takeInvoice(db, {
      invoiceId: creditNoteId(refund.id),
      kind: 'credit_note',
      creditedInvoiceId: credited,
      refundId: refund.id,
      paymentId: payment.id,
      sellerId: line.sellerId,
      customerId: line.order.customerId!, // a paid line's order has its account
      orderId: line.orderId,
      currency: refund.currency,
      lines,
      at: refund.createdAt.toISOString(),
    });
  }

  /** The customer is told (X-2: the outbox, delivered by the API's EmailDelivery start). */
  async function recordCustomerEmail(refund: Refund, line: Line, creditNote: { invoiceId: string; number: string }): Promise<string> {
    const issued = await db.invoice.findUniqueOrThrow({ where: { id: creditNote.invoiceId }, select: { issuedAt: true } });
    const link = linkUrl(deps.publicUrl, 'document', creditNote.invoiceId, daysAfter(issued.issuedAt, DOCUMENT_LINK_DAYS));
    const name = `${line.name} (subscription ${line.id})`;
    const body = (shown: string) =>
      [
        `${line.seller.name} refunded ${formatMoney(refund.amountCents, refund.currency)} of your payment ${refund.paymentId} for ${name}, to the card it was paid with.`,
        `Reason given: ${refund.reason}`,
        `Credit note ${creditNote.number} (PDF): ${shown}`,
      ].join('\n');
    return recordEmail(db, {
      id: sellerRefundEmailId(refund.id),
      customerId: line.order.customerId,
      toAddress: line.order.customerEmail,
      subject: `Refund of ${formatMoney(refund.amountCents, refund.currency)}: ${name}`,
      text: body(link),
      // The link opens the document without signing in: a credential, hidden from staff.
      maskedText: body(HIDDEN),
    });
  }

  return {
    /** POL-4: reserves, refunds and documents one seller refund. */
    async grant(input: SellerRefundRequest): Promise<SellerRefund> {
      return settle(await reserve(input));
    },
    /** Finishes a refund reserved by an earlier attempt (a crash, a lost answer). */
    settle,
  };
}
