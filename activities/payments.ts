// Money movements of the order process (ORD-4, ORD-6, X-3), each keyed by its business identity:
// the checkout charge by order, a line's refund by line (with its credit note, INV-1).
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';
import { creditNoteId, takeCheckoutInvoice, takeInvoice } from './invoices';

export interface ChargeOrderInput {
  orderId: string;
  workflowId: string;
  /** Workflow time of the charge: the order's payment time (ORD-8). */
  at: string;
}

export type ChargeOrderResult =
  | { status: 'captured'; paidAt: string; lines: { lineId: string; sellerId: string }[] }
  | { status: 'declined'; failure: { code: string; message: string }; lines: { lineId: string; sellerId: string }[] };

export function checkoutPaymentId(orderId: string): string {
  return `order:${orderId}:checkout`;
}

export function lineRefundId(lineId: string): string {
  return `line:${lineId}:refund`;
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
      if (order.status === 'paid' && order.paidAt) {
        return { status: 'captured', paidAt: order.paidAt.toISOString(), lines };
      }
      if (order.status === 'payment_failed') {
        return { status: 'declined', failure: { code: order.failureCode ?? 'card_declined', message: order.failureMessage ?? '' }, lines };
      }

      const paymentId = checkoutPaymentId(order.id);
      const result = await gateway.charge({
        idempotencyKey: paymentId,
        cardToken: order.cardToken,
        amountCents: order.totalCents,
        currency: order.currency,
        description: `Order ${order.number}`,
      });

      const captured = result.status === 'captured';
      await db.$transaction(async (tx) => {
        // Recorded once (INSERT … ON CONFLICT DO NOTHING, one statement): a repeat keeps the first.
        await tx.payment.createMany({
          data: [
            {
              id: paymentId,
              orderId: order.id,
              kind: 'checkout',
              amountCents: order.totalCents,
              currency: order.currency,
              status: captured ? 'captured' : 'declined',
              gatewayRef: captured ? result.reference : null,
              declineCode: captured ? null : result.code,
              createdAt: new Date(input.at),
            },
          ],
          skipDuplicates: true,
        });
        await tx.order.update({
          where: { id: order.id },
          data: captured
            ? { status: 'paid', paidAt: new Date(input.at) }
            : { status: 'payment_failed', failureCode: result.code, failureMessage: result.message },
        });
        if (!captured) {
          await tx.orderLine.updateMany({ where: { orderId: order.id }, data: { status: 'payment_failed' } });
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
      });

      return captured
        ? { status: 'captured', paidAt: input.at, lines }
        : { status: 'declined', failure: { code: result.code, message: result.message }, lines };
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
        refund = await db.refund.upsert({
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
        customerId: line.order.customerId,
        orderId: line.orderId,
        currency: line.currency,
        lines: [{ description: `Refund (${refund.reason.replaceAll('_', ' ')}): ${line.name}, period 1 (order ${line.order.number})`, exclVatCents: line.priceCents, vatRateBp: line.vatRateBp }],
        at: input.at ?? refund.createdAt.toISOString(),
      });
      return { refundId, amountCents: refund.amountCents };
    },
  };
}
