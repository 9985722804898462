// E-mails (ORD-5, ORD-6, ORD-7, ACC-1, X-2). Each `compose…` activity renders a message and
// records it in the outbox under its business key, returning that key; `deliverEmail` sends a
// recorded message once, and a retry after success is a no-op.
import type { ActivityDeps } from './deps';
import * as templates from './email-templates';
import type { LineView, Message } from './email-templates';

export function createEmailActivities(deps: ActivityDeps) {
  const { db, mailer } = deps;

  async function record(id: string, to: string, customerId: string | null, message: Message): Promise<string> {
    await db.email.upsert({
      where: { id },
      create: {
        id,
        customerId,
        toAddress: to,
        subject: message.subject,
        text: message.text,
        status: 'queued',
        messageId: `<${id.replace(/[^A-Za-z0-9.-]/g, '.')}@marketplace.local>`,
      },
      update: {},
    });
    return id;
  }

  async function loadLine(lineId: string) {
    const line = await db.orderLine.findUniqueOrThrow({
      where: { id: lineId },
      include: { seller: true, order: { include: { customer: true } } },
    });
    const view: LineView = { ...line, seller: line.seller };
    return { line, view, order: line.order, customer: line.order.customer };
  }

  const lineUrl = (orderId: string, lineId: string) => `${deps.publicUrl}/orders/${orderId}/lines/${lineId}`;

  return {
    async composePurchaseOrderEmail(input: { orderId: string }): Promise<string> {
      const order = await db.order.findUniqueOrThrow({
        where: { id: input.orderId },
        include: { customer: true, lines: { include: { seller: true }, orderBy: { position: 'asc' } } },
      });
      const message = templates.purchaseOrder({
        ...order,
        paidAt: (order.paidAt ?? order.createdAt).toISOString(),
        lines: order.lines.map((l) => ({ ...l, seller: l.seller })),
      });
      return record(`order:${order.id}:purchase-order`, order.customer.email, order.customerId, message);
    },

    async composeSellerLineToValidateEmail(input: { lineId: string; validationDueAt: string }): Promise<string> {
      const { line, view, order } = await loadLine(input.lineId);
      const message = templates.sellerLineToValidate({
        ...view,
        orderNumber: order.number,
        validationDueAt: input.validationDueAt,
        acceptUrl: lineUrl(order.id, line.id),
      });
      return record(`line:${line.id}:to-validate`, line.seller.contactEmail, null, message);
    },

    async composeOverdueOpsAlertEmail(input: { lineId: string; round: number }): Promise<string> {
      const { line, view, order } = await loadLine(input.lineId);
      const message = templates.overdueOpsAlert({ ...view, orderNumber: order.number, round: input.round, lineUrl: lineUrl(order.id, line.id) });
      return record(`line:${line.id}:overdue:${input.round}:ops`, deps.opsAlertAddress, null, message);
    },

    async composeOverdueCustomerEmail(input: { lineId: string; round: number }): Promise<string> {
      const { line, view, order, customer } = await loadLine(input.lineId);
      const message = templates.overdueCustomer({ ...view, orderNumber: order.number, supportContact: deps.supportContact });
      return record(`line:${line.id}:overdue:${input.round}:customer`, customer.email, customer.id, message);
    },

    async composeAccessInstructionsEmail(input: { lineId: string }): Promise<string> {
      const { line, view, order, customer } = await loadLine(input.lineId);
      const message = templates.accessInstructions({ ...view, orderNumber: order.number, instructions: line.accessInstructions ?? '' });
      return record(`line:${line.id}:access`, customer.email, customer.id, message);
    },

    async composeLineRefundedEmail(input: { lineId: string }): Promise<string> {
      const { line, view, order, customer } = await loadLine(input.lineId);
      const message = templates.lineRefunded({
        ...view,
        orderNumber: order.number,
        status: line.status,
        reason: line.refusalReason ?? line.cancelReason ?? '',
      });
      return record(`line:${line.id}:refunded`, customer.email, customer.id, message);
    },

    /** INV-1: an issued invoice, sent to its customer in the seller's name with its PDF link. */
    async composeInvoiceEmail(input: { invoiceId: string }): Promise<string> {
      const invoice = await db.invoice.findUniqueOrThrow({ where: { id: input.invoiceId } });
      const [order, seller, customer] = await Promise.all([
        db.order.findUniqueOrThrow({ where: { id: invoice.orderId } }),
        db.seller.findUniqueOrThrow({ where: { id: invoice.sellerId } }),
        db.customer.findUniqueOrThrow({ where: { id: invoice.customerId } }),
      ]);
      const message = templates.invoiceIssued({
        ...invoice,
        orderNumber: order.number,
        issuedAt: invoice.issuedAt.toISOString(),
        lines: JSON.parse(invoice.lines) as { description: string; totalCents: number }[],
        seller,
        pdfUrl: `${deps.publicUrl}/invoices/${encodeURIComponent(invoice.id)}/pdf`,
      });
      return record(`invoice:${invoice.id}:email`, customer.email, customer.id, message);
    },

    /** sends a recorded e-mail; once marked sent it is never sent again. */
    async deliverEmail(emailId: string): Promise<void> {
      const email = await db.email.findUniqueOrThrow({ where: { id: emailId } });
      if (email.status === 'sent') return;
      // Counted before the transmission: a resend (the last attempt died between the server's
      // acceptance and the update below) is then visible as attempts > 1, same Message-ID.
      await db.email.update({ where: { id: emailId }, data: { attempts: { increment: 1 } } });
      await mailer.send({ messageId: email.messageId, from: deps.mailFrom, to: email.toAddress, subject: email.subject, text: email.text });
      await db.email.update({ where: { id: emailId }, data: { status: 'sent', sentAt: new Date() } });
    },
  };
}
