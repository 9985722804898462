// E-mails (ORD-5, ORD-6, ORD-7, ACC-1, X-2). Each `compose…` activity renders a message and
// records it in the outbox under its business key, returning that key; `deliverEmail` sends a
// recorded message once, and a retry after success is a no-op.
import { Context } from '@temporalio/activity';
import { emailDeliveryWorkflow, emailDeliveryWorkflowId, type EmailOutcome } from '../workflows/email-delivery';
import type { ActivityDeps } from './deps';
import * as templates from './email-templates';
import { daysAfter, DOCUMENT_LINK_DAYS, linkUrl } from '../api/signed-links';
import { withdrawalDeadline, WITHDRAWAL_DAYS } from '../domain/subscription';
import { businessTimeZone } from '../domain/time-format';
import { creditNoteId } from './invoices';
import { lineRefundId } from './payments';
import type { LineView, Message } from './email-templates';
import { documentAttachment, renderAttachment } from './email-attachments';
import { partnerAccountOf } from './partner-account';
import { takePurchaseOrders } from './purchase-orders';

/** The outbox row of an e-mail, keyed by its business key. */
export interface EmailRecord {
  id: string;
  customerId: string | null;
  toAddress: string;
  subject: string;
  text: string;
  /** The text with its secrets replaced by [hidden], for staff (null: no secret in it). */
  maskedText?: string | null;
  /** Files sent with it, rendered at delivery from a frozen record (activities/email-attachments.ts). */
  attachments?: EmailAttachment[];
}

/** A file of an e-mail, by what it is rendered from: the bytes never sit in the outbox. */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  /** `<kind>:<id>:<format>`, e.g. `payout-statement:<payoutId>:pdf`. */
  source: string;
}

/**
 * records an e-mail in the outbox under its business key; a message already recorded under
 * that key stays as it is. One statement (INSERT … ON CONFLICT DO NOTHING, no transaction), where
 * an upsert with nothing to update took five (BEGIN, look-up, insert, read-back, COMMIT) and
 * createMany three (it opens a transaction of its own).
 */
export async function recordEmail(db: Pick<ActivityDeps['db'], '$executeRaw'>, e: EmailRecord): Promise<string> {
  const messageId = `<${e.id.replace(/[^A-Za-z0-9.-]/g, '.')}@marketplace.local>`;
  // "createdAt" as Prisma writes it: UTC, whatever the session's time zone.
  await db.$executeRaw`
    INSERT INTO "Email" ("id", "customerId", "toAddress", "subject", "text", "maskedText", "attachments", "status", "messageId", "attempts", "createdAt")
    VALUES (${e.id}, ${e.customerId}, ${e.toAddress}, ${e.subject}, ${e.text}, ${e.maskedText ?? null}, ${e.attachments?.length ? JSON.stringify(e.attachments) : null}::jsonb, 'queued', ${messageId}, 0, CURRENT_TIMESTAMP AT TIME ZONE 'UTC')
    ON CONFLICT ("id") DO NOTHING`;
  return e.id;
}

export function createEmailActivities(deps: ActivityDeps) {
  const { db, mailer } = deps;

  const record = (id: string, to: string, customerId: string | null, message: Message, attachments?: EmailAttachment[]): Promise<string> =>
    recordEmail(db, { id, customerId, toAddress: to, subject: message.subject, text: message.text, maskedText: message.maskedText, attachments });

  /** A line with its seller, order and customer: one query (four with Prisma's include). */
  async function loadLine(lineId: string) {
    const rows = await db.$queryRaw<
      {
        id: string; name: string; billingPeriod: string; priceCents: number; vatCents: number; totalCents: number; currency: string;
        status: string; accessInstructions: string | null; refusalReason: string | null; cancelReason: string | null;
        sellerName: string; sellerLegalName: string; sellerAddress: string; sellerContactEmail: string; sellerContactPhone: string;
        orderId: string; orderNumber: string; customerId: string; customerEmail: string;
      }[]
    >`
      SELECT l."id", l."name", l."billingPeriod", l."priceCents", l."vatCents", l."totalCents", l."currency",
             l."status", l."accessInstructions", l."refusalReason", l."cancelReason",
             s."name" AS "sellerName", s."legalName" AS "sellerLegalName", s."address" AS "sellerAddress",
             s."contactEmail" AS "sellerContactEmail", s."contactPhone" AS "sellerContactPhone",
             o."id" AS "orderId", o."number" AS "orderNumber", c."id" AS "customerId", c."email" AS "customerEmail"
      FROM "OrderLine" l
      JOIN "Seller" s ON s."id" = l."sellerId"
      JOIN "Order" o ON o."id" = l."orderId"
      JOIN "Customer" c ON c."id" = o."customerId"
      WHERE l."id" = ${lineId}`;
    const r = rows[0];
    if (!r) throw new Error(`no order line ${lineId}`);
    const seller = { name: r.sellerName, legalName: r.sellerLegalName, address: r.sellerAddress, contactEmail: r.sellerContactEmail, contactPhone: r.sellerContactPhone };
    const line = { id: r.id, status: r.status, accessInstructions: r.accessInstructions, refusalReason: r.refusalReason, cancelReason: r.cancelReason, seller };
    const view: LineView = { id: r.id, name: r.name, billingPeriod: r.billingPeriod, priceCents: r.priceCents, vatCents: r.vatCents, totalCents: r.totalCents, currency: r.currency, seller };
    return { line, view, order: { id: r.orderId, number: r.orderNumber }, customer: { id: r.customerId, email: r.customerEmail } };
  }

  const lineUrl = (orderId: string, lineId: string) => `${deps.publicUrl}/orders/${orderId}/lines/${lineId}`;
  /** INV-1: the signed link that downloads a document, valid DOCUMENT_LINK_DAYS from its issue. */
  const documentLink = (doc: { id: string; issuedAt: Date }) => linkUrl(deps.publicUrl, 'document', doc.id, daysAfter(doc.issuedAt, DOCUMENT_LINK_DAYS));

  return {
    async composePurchaseOrderEmail(input: { orderId: string }): Promise<string> {
      const order = await db.order.findUniqueOrThrow({
        where: { id: input.orderId },
        include: { lines: { include: { seller: true }, orderBy: { position: 'asc' } } },
      });
      const paidAt = (order.paidAt ?? order.createdAt).toISOString();
      // SUB-11: the buyer as this checkout declared it; the link works until the window closes.
      const customerType = order.customerType ?? 'individual';
      const deadline = withdrawalDeadline(paidAt, customerType, businessTimeZone());
      const message = templates.purchaseOrder({
        ...order,
        paidAt,
        lines: order.lines.map((l) => ({ ...l, seller: l.seller })),
        orderUrl: `${deps.publicUrl}/orders/${order.id}`,
        customerType,
        withdrawalDays: customerType === 'business' ? WITHDRAWAL_DAYS.business : WITHDRAWAL_DAYS.individual,
        withdrawalDeadline: deadline,
        withdrawalUrl: linkUrl(deps.publicUrl, 'withdrawal', order.id, deadline),
      });
      // INV-1: the purchase orders (one per seller) are documents, issued now and attached.
      const documents = await takePurchaseOrders(db, order.id);
      return record(`order:${order.id}:purchase-order`, order.customerEmail, order.customerId, message, documents.map(documentAttachment));
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
      // INV-1: the refund's credit note, issued with the refund before this e-mail.
      const credit = await db.invoice.findUnique({ where: { id: creditNoteId(lineRefundId(line.id)) }, select: { id: true, number: true, issuedAt: true } });
      const message = templates.lineRefunded({
        ...view,
        orderNumber: order.number,
        status: line.status,
        reason: line.refusalReason ?? line.cancelReason ?? '',
        creditNote: credit ? { number: credit.number, url: documentLink(credit) } : undefined,
      });
      return record(`line:${line.id}:refunded`, customer.email, customer.id, message);
    },

    /** INV-1: an issued invoice, sent to its customer in the seller's name with its PDF link. */
    async composeInvoiceEmail(input: { invoiceId: string }): Promise<string> {
      const invoice = await db.invoice.findUniqueOrThrow({ where: { id: input.invoiceId } });
      // The order's number, the seller's identity and the customer's address in one query.
      const [joined] = await db.$queryRaw<
        { orderNumber: string; name: string; legalName: string; address: string; contactEmail: string; contactPhone: string; customerId: string; customerEmail: string }[]
      >`
        SELECT o."number" AS "orderNumber", s."name", s."legalName", s."address", s."contactEmail", s."contactPhone",
               c."id" AS "customerId", c."email" AS "customerEmail"
        FROM "Order" o, "Seller" s, "Customer" c
        WHERE o."id" = ${invoice.orderId} AND s."id" = ${invoice.sellerId} AND c."id" = ${invoice.customerId}`;
      if (!joined) throw new Error(`invoice ${invoice.id}: its order, seller or customer is missing`);
      const order = { number: joined.orderNumber };
      const seller = { name: joined.name, legalName: joined.legalName, address: joined.address, contactEmail: joined.contactEmail, contactPhone: joined.contactPhone };
      // PRT-5: an invoice its partner paid lives in the partner's organisation: e-mailed to the partner company's account.
      const payer = invoice.partnerId ? await partnerAccountOf(db, invoice.partnerId) : null;
      const customer = payer ?? { id: joined.customerId, email: joined.customerEmail };
      const message = templates.invoiceIssued({
        ...invoice,
        orderNumber: order.number,
        issuedAt: invoice.issuedAt.toISOString(),
        lines: JSON.parse(invoice.lines) as { description: string; totalCents: number }[],
        seller,
        pdfUrl: documentLink(invoice),
      });
      return record(`invoice:${invoice.id}:email`, customer.email, customer.id, message, [documentAttachment(invoice)]);
    },

    /**
     * starts EmailDelivery:<id> for a recorded e-mail, beside the process that wrote it; an
     * e-mail already handed over keeps its delivery (the same id is never delivered twice).
     * `summary` is what staff read in the Temporal UI ("E-mail: purchase order O-2026-000042"),
     * from the process that wrote it: no secret, no address.
     */
    async dispatchEmail(emailId: string, summary?: string, notBefore?: string): Promise<void> {
      const ctx = Context.current();
      await ctx.client.workflow.start(emailDeliveryWorkflow, {
        workflowId: emailDeliveryWorkflowId(emailId),
        taskQueue: ctx.info.taskQueue,
        args: notBefore ? [emailId, notBefore] : [emailId],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: summary ?? `E-mail ${emailId}`,
      });
    },

    /** sends a recorded e-mail; once marked sent (or cancelled by an account closure) it is never sent again. */
    async deliverEmail(emailId: string): Promise<EmailOutcome> {
      // Counted before the transmission: a resend (the last attempt died between the server's
      // acceptance and the update below) is then visible as attempts > 1, same Message-ID. One
      // statement counts the attempt and reads the message, unless it was sent already.
      const [email] = await db.$queryRaw<{ messageId: string; toAddress: string; subject: string; text: string; attachments: EmailAttachment[] | null }[]>`
        UPDATE "Email" SET "attempts" = "attempts" + 1 WHERE "id" = ${emailId} AND "status" = 'queued'
        RETURNING "messageId", "toAddress", "subject", "text", "attachments"`;
      if (!email) {
        // Sent already (a retry after success), cancelled (ACC-3: its account was closed and its
        // address erased before it went), or no such e-mail (then this throws).
        const { status } = await db.email.findUniqueOrThrow({ where: { id: emailId }, select: { status: true } });
        return status === 'cancelled' ? 'cancelled' : 'sent';
      }
      const attachments = email.attachments ? await Promise.all(email.attachments.map(async (a) => ({ filename: a.filename, contentType: a.contentType, content: await renderAttachment(db, a.source) }))) : undefined;
      await mailer.send({ messageId: email.messageId, from: deps.mailFrom, to: email.toAddress, subject: email.subject, text: email.text, ...(attachments ? { attachments } : {}) });
      await db.$executeRaw`UPDATE "Email" SET "status" = 'sent', "sentAt" = CURRENT_TIMESTAMP AT TIME ZONE 'UTC' WHERE "id" = ${emailId}`;
      return 'sent';
    },
  };
}
