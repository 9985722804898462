// INV-1: issuing invoices and credit notes, shared by the order process (checkout invoice at
// payment, credit note of a refused or cancelled line) and the subscription lifecycle (renewals,
// withdrawal refunds). Numbers are gapless per seller and year; an issued document is never
// edited, and a repeat under the same business key returns the document already issued.
import { DateTime } from 'luxon';
import type { Db } from '../infra/db';
import { writeAudit } from './audit';
import { lineAmounts, sumAmounts } from '../domain/money';

export function checkoutInvoiceId(orderId: string, sellerId: string): string {
  return `order:${orderId}:checkout:${sellerId}`;
}
/** The credit note of a refund is keyed by the refund's business id. */
export function creditNoteId(refundId: string): string {
  return `credit:${refundId}`;
}

export interface InvoiceLineInput {
  description: string;
  exclVatCents: number;
  vatRateBp: number;
}

export interface TakeInvoiceInput {
  invoiceId: string;
  kind?: 'invoice' | 'credit_note';
  creditedInvoiceId?: string;
  refundId?: string;
  /** Orders' documents: the payment and order they record; a support invoice (DIA-4) has neither. */
  paymentId?: string | null;
  /** The issuer's series: a seller id, or MARKETPLACE_ISSUER_ID for the marketplace's own invoices. */
  sellerId: string;
  customerId: string;
  orderId?: string | null;
  ticketId?: string | null;
  dueAt?: string | null;
  currency: string;
  lines: InvoiceLineInput[];
  at: string;
}

const timeZone = () => process.env.BUSINESS_TZ ?? 'Europe/Paris';

/** Issues one invoice or credit note under its business key, taking the next number of its series. */
export async function takeInvoice(db: Db, input: TakeInvoiceInput): Promise<{ invoiceId: string; number: string }> {
  return db.$transaction(async (tx) => {
    const existing = await tx.invoice.findUnique({ where: { id: input.invoiceId } });
    if (existing) return { invoiceId: existing.id, number: existing.number };
    const year = DateTime.fromISO(input.at, { zone: 'utc' }).setZone(timeZone()).year;
    const kind = input.kind ?? 'invoice';
    const counterName = `${kind === 'invoice' ? 'invoice' : 'credit-note'}:${input.sellerId}:${year}`;
    const counter = await tx.counter.upsert({
      where: { name: counterName },
      create: { name: counterName, value: 1 },
      update: { value: { increment: 1 } },
    });
    const number = `${kind === 'invoice' ? 'INV' : 'CN'}-${input.sellerId}-${year}-${String(counter.value).padStart(6, '0')}`;
    const lines = input.lines.map((l) => ({ description: l.description, vatRateBp: l.vatRateBp, ...lineAmounts(l.exclVatCents, l.vatRateBp) }));
    const total = sumAmounts(lines);
    await tx.invoice.create({
      data: {
        id: input.invoiceId,
        kind,
        creditedInvoiceId: input.creditedInvoiceId ?? null,
        refundId: input.refundId ?? null,
        number,
        sellerId: input.sellerId,
        customerId: input.customerId,
        orderId: input.orderId ?? null,
        paymentId: input.paymentId ?? null,
        ticketId: input.ticketId ?? null,
        dueAt: input.dueAt ? new Date(input.dueAt) : null,
        currency: input.currency,
        lines: JSON.stringify(lines),
        exclVatCents: total.exclVatCents,
        vatCents: total.vatCents,
        totalCents: total.totalCents,
        issuedAt: new Date(input.at),
      },
    });
    await writeAudit(tx, {
      key: `invoice:${input.invoiceId}:issued`,
      at: input.at,
      actor: 'system',
      action: kind === 'invoice' ? 'invoice.issued' : 'credit_note.issued',
      entityType: 'invoice',
      entityId: input.invoiceId,
      orderId: input.orderId ?? undefined,
      data: { number, totalCents: total.totalCents, ...(input.ticketId ? { ticketId: input.ticketId } : {}) },
    });
    return { invoiceId: input.invoiceId, number };
  });
}

/** The checkout invoice of one seller: its lines of the order, first period, dated at payment. */
export async function takeCheckoutInvoice(db: Db, input: { orderId: string; sellerId: string; paymentId: string }): Promise<{ invoiceId: string; number: string }> {
  // Issued already (each subscription asks for it again when it starts): one read, no transaction.
  // An issued invoice is never edited or deleted, so the answer cannot go stale.
  const issued = await db.invoice.findUnique({ where: { id: checkoutInvoiceId(input.orderId, input.sellerId) }, select: { id: true, number: true } });
  if (issued) return { invoiceId: issued.id, number: issued.number };
  const order = await db.order.findUniqueOrThrow({ where: { id: input.orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
  const lines = order.lines.filter((l) => l.sellerId === input.sellerId);
  return takeInvoice(db, {
    invoiceId: checkoutInvoiceId(order.id, input.sellerId),
    paymentId: input.paymentId,
    sellerId: input.sellerId,
    customerId: order.customerId!, // set when the checkout charge was captured
    orderId: order.id,
    currency: order.currency,
    lines: lines.map((l) => ({ description: `${l.name}, period 1 (order ${order.number})`, exclVatCents: l.priceCents, vatRateBp: l.vatRateBp })),
    at: (order.paidAt ?? order.createdAt).toISOString(),
  });
}
