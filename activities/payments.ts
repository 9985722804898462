// Money movements of the order process (ORD-4, ORD-6, X-3), each keyed by its business identity:
// the checkout charge by order, a line's refund by line (with its credit note, INV-1).
import { randomUUID } from 'node:crypto';
import { captureBatch, feeRateBp, refundBatch } from '../domain/ledger';
import { linePosting, postBatch } from './ledger';
import type { Prisma } from '@prisma/client';
import { retryOnConflict } from '../infra/db';
import type { ChargeResult } from '../infra/payment-gateway';
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';
import { creditNoteId, firstPeriod, takeCheckoutInvoice, takeInvoice } from './invoices';

export interface ChargeOrderInput {
  orderId: string;
  workflowId: string;
  /** Workflow time of the charge: the order's payment time (ORD-8). */
  at: string;
}

export type ChargeOrderResult =
  | { status: 'captured'; paidAt: string; customerId: string; lines: { lineId: string; sellerId: string }[] }
  | { status: 'declined'; failure: { code: string; message: string }; lines: { lineId: string; sellerId: string }[] };

export function checkoutPaymentId(orderId: string): string {
  return `order:${orderId}:checkout`;
}

export function lineRefundId(lineId: string): string {
  return `line:${lineId}:refund`;
}

/** The columns of a Payment row that record one gateway answer. */
export function paymentOutcome(result: ChargeResult, gatewayKey: string, at: string) {
  const captured = result.status === 'captured';
  return {
    status: captured ? 'captured' : 'declined',
    gatewayKey,
    gatewayRef: captured ? result.reference : null,
    declineCode: captured ? null : result.code,
    createdAt: new Date(at),
  };
}

/** The gateway key of one charge attempt: each attempt is its own request to the gateway. */
export function chargeAttemptKey(paymentId: string, attempt: number): string {
  return `${paymentId}:attempt:${attempt}`;
}

/**
 * ORD-1: the account of a paid order. A buyer signed in, or an address that had an account, has it
 * already; a new address gets an unverified account now, from what its checkout declared, so a
 * declined checkout leaves no account behind.
 */
async function accountOfPaidOrder(
  tx: Prisma.TransactionClient,
  order: { id: string; customerId: string | null; customerEmail: string; customerName: string | null; customerType: string | null; customerAddress: string | null; customerCountry: string | null; customerVatNumber: string | null; customerRegistrationNumber: string | null; cardId: string },
): Promise<string> {
  // INV-1: an account without a billing address takes its first paid checkout's (support
  // invoices, issued outside any order, print it); an address already there is never overwritten.
  const billing = { address: order.customerAddress, country: order.customerCountry, vatNumber: order.customerVatNumber, registrationNumber: order.customerRegistrationNumber };
  if (order.customerId) {
    if (order.customerAddress) await tx.customer.updateMany({ where: { id: order.customerId, address: null }, data: billing });
    return order.customerId;
  }
  const existing = await tx.customer.findUnique({ where: { email: order.customerEmail }, select: { id: true } });
  const customerId =
    existing?.id ??
    (
      await tx.customer.create({
        data: { id: `cus_${randomUUID()}`, email: order.customerEmail, name: order.customerName ?? order.customerEmail, type: order.customerType ?? 'individual', ...billing },
      })
    ).id;
  if (existing && order.customerAddress) await tx.customer.updateMany({ where: { id: existing.id, address: null }, data: billing });
  await tx.order.update({ where: { id: order.id }, data: { customerId } });
  await tx.termsAcceptance.updateMany({ where: { orderId: order.id }, data: { customerId } });
  await tx.paymentCard.updateMany({ where: { id: order.cardId }, data: { customerId } });
  return customerId;
}

export function createPaymentActivities({ db, gateway }: ActivityDeps) {
  return {
    /** ORD-4: one charge for the first period of every line; a repeat returns the stored outcome. */
    async chargeOrder(input: ChargeOrderInput): Promise<ChargeOrderResult> {
      const order = await db.order.findUniqueOrThrow({
        where: { id: input.orderId },
        include: { lines: { orderBy: { position: 'asc' } } },
      });
      const lines = order.lines.map((l) => ({ lineId: l.id, sellerId: l.sellerId }));
      if (order.status === 'paid' && order.paidAt && order.customerId) {
        return { status: 'captured', paidAt: order.paidAt.toISOString(), customerId: order.customerId, lines };
      }
      if (order.status === 'payment_failed') {
        return { status: 'declined', failure: { code: order.failureCode ?? 'card_declined', message: order.failureMessage ?? '' }, lines };
      }

      const paymentId = checkoutPaymentId(order.id);
      // One attempt: the checkout charge is never tried again after a decline (ORD-4).
      const gatewayKey = chargeAttemptKey(paymentId, 1);
      const card = await db.paymentCard.findUniqueOrThrow({ where: { id: order.cardId } });
      const result = await gateway.charge({
        idempotencyKey: gatewayKey,
        cardToken: card.token,
        amountCents: order.totalCents,
        currency: order.currency,
        description: `Order ${order.number}`,
      });

      const captured = result.status === 'captured';
      const customerId = await retryOnConflict(() => db.$transaction(async (tx) => {
        // Recorded once (INSERT … ON CONFLICT DO NOTHING, one statement): a repeat keeps the first.
        await tx.payment.createMany({
          data: [
            {
              id: paymentId,
              orderId: order.id,
              kind: 'checkout',
              amountCents: order.totalCents,
              currency: order.currency,
              ...paymentOutcome(result, gatewayKey, input.at),
            },
          ],
          skipDuplicates: true,
        });
        const customerId = captured ? await accountOfPaidOrder(tx, order) : null;
        await tx.order.update({
          where: { id: order.id },
          data: captured
            ? { status: 'paid', paidAt: new Date(input.at) }
            : { status: 'payment_failed', failureCode: result.code, failureMessage: result.message },
        });
        if (!captured) {
          await tx.orderLine.updateMany({ where: { orderId: order.id }, data: { status: 'payment_failed' } });
        } else {
          // PAY-1, FEE-1: the capture split per line and seller, each line's fee, with the payment row.
          const lines = order.lines.map((l) => ({ lineId: l.id, sellerId: l.sellerId, amount: BigInt(l.totalCents) }));
          await postBatch(tx, `payment:${paymentId}:capture`, input.at, captureBatch({ paymentId, currency: order.currency, lines, feeRateBp: feeRateBp() }));
        }
        await writeAudit(tx, {
          key: `order:${order.id}:${captured ? 'paid' : 'payment_failed'}`,
          at: input.at,
          actor: 'system',
          action: captured ? 'order.paid' : 'order.payment_failed',
          entityType: 'order',
          entityId: order.id,
          orderId: order.id,
          workflowId: input.workflowId,
          data: captured ? { amountCents: order.totalCents, currency: order.currency } : { code: result.code },
        });
        return customerId;
      }));

      return captured
        ? { status: 'captured', paidAt: input.at, customerId: customerId!, lines }
        : { status: 'declined', failure: { code: result.code, message: result.message }, lines };
    },

    /** ORD-4: the checkout charge could not be made (gateway unreachable): the order fails as on a decline. */
    async failOrderCharge(input: ChargeOrderInput & { code: string; message: string }): Promise<ChargeOrderResult> {
      const order = await db.order.findUniqueOrThrow({ where: { id: input.orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
      const lines = order.lines.map((l) => ({ lineId: l.id, sellerId: l.sellerId }));
      await db.$transaction(async (tx) => {
        const failed = await tx.order.updateMany({ where: { id: order.id, status: 'payment_pending' }, data: { status: 'payment_failed', failureCode: input.code, failureMessage: input.message } });
        if (failed.count === 0) return;
        await tx.orderLine.updateMany({ where: { orderId: order.id }, data: { status: 'payment_failed' } });
        await writeAudit(tx, {
          key: `order:${order.id}:payment_failed`,
          at: input.at,
          actor: 'system',
          action: 'order.payment_failed',
          entityType: 'order',
          entityId: order.id,
          orderId: order.id,
          workflowId: input.workflowId,
          data: { code: input.code },
        });
      });
      return { status: 'declined', failure: { code: input.code, message: input.message }, lines };
    },

    /**
     * ORD-6, ORD-7: a refused or cancelled line is refunded in full, once; INV-1: the refund gets
     * its credit note, correcting the checkout invoice of the line's seller.
     */
    async refundLine(input: { lineId: string; reason: string; at?: string }): Promise<{ refundId: string; amountCents: number }> {
      const refundId = lineRefundId(input.lineId);
      const line = await db.orderLine.findUniqueOrThrow({ where: { id: input.lineId }, include: { order: true } });
      const payment = await db.payment.findUniqueOrThrow({ where: { id: checkoutPaymentId(line.orderId) } });
      let refund = await db.refund.findUnique({ where: { id: refundId } });
      if (!refund) {
        if (!payment.gatewayRef) throw new Error(`payment ${payment.id} has no capture to refund`);
        const result = await gateway.refund({
          idempotencyKey: refundId,
          chargeReference: payment.gatewayRef,
          amountCents: line.totalCents,
          currency: line.currency,
        });
        refund = await retryOnConflict(() =>
          db.$transaction(async (tx) => {
            const row = await tx.refund.upsert({
              where: { id: refundId },
              create: {
                id: refundId,
                paymentId: payment.id,
                lineId: line.id,
                amountCents: line.totalCents,
                currency: line.currency,
                reason: input.reason,
                gatewayRef: result.reference,
              },
              update: {},
            });
            // PAY-1, FEE-1: the refund and its fee reversal, with the refund row.
            const posted = await linePosting(tx, payment.id, line.id);
            await postBatch(tx, `refund:${refundId}`, row.createdAt, refundBatch({ refundId, paymentId: payment.id, lineId: line.id, sellerId: line.sellerId, currency: line.currency, amount: BigInt(row.amountCents), posted }));
            return row;
          }),
        );
      }
      // The checkout invoice is issued at payment; an order paid before that was in place gets it now.
      const invoice = await takeCheckoutInvoice(db, { orderId: line.orderId, sellerId: line.sellerId, paymentId: payment.id });
      await takeInvoice(db, {
        invoiceId: creditNoteId(refundId),
        kind: 'credit_note',
        creditedInvoiceId: invoice.invoiceId,
        refundId,
        paymentId: payment.id,
        sellerId: line.sellerId,
        customerId: line.order.customerId!, // a refunded line was paid: its order has its account
        orderId: line.orderId,
        currency: line.currency,
        lines: [{ description: `Refund (${refund.reason.replaceAll('_', ' ')}): ${line.name}, period 1 (order ${line.order.number})`, exclVatCents: line.priceCents, vatRateBp: line.vatRateBp, ...firstPeriod((line.order.paidAt ?? line.order.createdAt).toISOString(), line.billingPeriod) }],
        at: input.at ?? refund.createdAt.toISOString(),
      });
      return { refundId, amountCents: refund.amountCents };
    },
  };
}
