// ORD-5, INV-1: the purchase order as a document. One per seller of a paid order (each document
// is in its seller's name), numbered after the order (PO-<order number>-<n>, n the seller's rank
// in the order), frozen at issue like an invoice and attached to the purchase-order e-mail. It is
// not an invoice: it takes no number of an invoice series and carries no Factur-X XML.
import type { Prisma } from '@prisma/client';
import type { Db } from '../infra/db';
import { writeAudit } from './audit';
import { documentSnapshot } from './document-snapshot';
import { storeDocumentFiles } from './document-files';
import { firstPeriod } from './invoices';
import { checkoutPaymentId } from './payments';

export function purchaseOrderId(orderId: string, sellerId: string): string {
  return `order:${orderId}:purchase-order:${sellerId}`;
}

/** Issues the purchase orders of a paid order (a repeat returns those issued), in seller rank order. */
export async function takePurchaseOrders(db: Db, orderId: string): Promise<{ invoiceId: string; number: string }[]> {
  const order = await db.order.findUniqueOrThrow({ where: { id: orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
  if (!order.customerId || !order.paidAt) throw new Error(`order ${orderId} is not paid: no purchase order yet`);
  const sellerIds = [...new Set(order.lines.map((l) => l.sellerId))];
  const taken: { invoiceId: string; number: string }[] = [];
  for (const [rank, sellerId] of sellerIds.entries()) {
    const id = purchaseOrderId(order.id, sellerId);
    const number = `PO-${order.number}-${rank + 1}`;
    const issuedAt = order.paidAt.toISOString();
    await db.$transaction(async (tx: Prisma.TransactionClient) => {
      if (await tx.invoice.findUnique({ where: { id }, select: { id: true } })) return;
      const document = await documentSnapshot(tx, {
        kind: 'purchase_order',
        number,
        issuedAt,
        sellerId,
        customerId: order.customerId!,
        orderId: order.id,
        paymentId: checkoutPaymentId(order.id),
        currency: order.currency,
        lines: order.lines
          .filter((l) => l.sellerId === sellerId)
          .map((l) => ({ description: `${l.name} (${l.billingPeriod}), period 1`, exclVatCents: l.priceCents, vatRateBp: l.vatRateBp, ...firstPeriod(issuedAt, l.billingPeriod) })),
      });
      await tx.invoice.create({
        data: {
          id,
          kind: 'purchase_order',
          number,
          sellerId,
          customerId: order.customerId!,
          orderId: order.id,
          // The row's payment is an invoice's (one invoice per payment and seller); the frozen
          // record still names the payment the order was paid by.
          paymentId: null,
          currency: order.currency,
          lines: JSON.stringify(document.lines),
          exclVatCents: document.totals.exclVatCents,
          vatCents: document.totals.vatCents,
          totalCents: document.totals.totalCents,
          issuedAt: order.paidAt!,
          document: document as unknown as Prisma.InputJsonValue,
        },
      });
      await writeAudit(tx, { key: `invoice:${id}:issued`, at: issuedAt, actor: 'system', action: 'purchase_order.issued', entityType: 'invoice', entityId: id, orderId: order.id, data: { number } });
    });
    await storeDocumentFiles(db, id);
    taken.push({ invoiceId: id, number });
  }
  return taken;
}
