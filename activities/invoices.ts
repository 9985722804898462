// INV-1: issuing invoices and credit notes, shared by the order process (checkout invoice at
// payment, credit note of a refused or cancelled line) and the subscription lifecycle (renewals,
// withdrawal refunds). Numbers are gapless per seller and year, and chronological: a number is
// never dated before the one it follows. An issued document is never edited (a trigger refuses
// it): everything it shows is frozen into its row at issue (activities/document-snapshot.ts) and
// its files are rendered once from that record (activities/document-files.ts). A repeat under
// the same business key returns the document already issued.
import { DateTime } from 'luxon';
import type { Prisma } from '@prisma/client';
import type { Db } from '../infra/db';
import { dueDate, type BillingPeriod } from '../domain/calendar';
import { lineCharge } from '../domain/commercial-policy';
import { writeAudit } from './audit';
import { documentSnapshot, type SnapshotLineInput } from './document-snapshot';
import { storeDocumentFiles } from './document-files';

export function checkoutInvoiceId(orderId: string, sellerId: string): string {
  return `order:${orderId}:checkout:${sellerId}`;
}
/** The credit note of a refund is keyed by the refund's business id. */
export function creditNoteId(refundId: string): string {
  return `credit:${refundId}`;
}

export type InvoiceLineInput = SnapshotLineInput;

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

/** The first service period of a line paid at `paidAt`: to its first due date (SUB-2). */
export function firstPeriod(paidAt: string, billingPeriod: string): { periodStart: string; periodEnd: string } {
  return { periodStart: paidAt, periodEnd: dueDate(paidAt, billingPeriod as BillingPeriod, 1, timeZone()) };
}

/**
 * INV-1: locks a numbering series (its counter row, made at 0 if new) until commit. Taken before
 * anything else, so two issues of one series never interleave: numbers follow the order of
 * commits, and a second issue under a business key sees the first one's document.
 */
async function lockSeries(tx: Prisma.TransactionClient, series: string): Promise<{ value: number; lastAt: Date | null }> {
  await tx.$executeRaw`INSERT INTO "Counter" ("name", "value") VALUES (${series}, 0) ON CONFLICT ("name") DO NOTHING`;
  await tx.$queryRaw`SELECT 1 FROM "Counter" WHERE "name" = ${series} FOR UPDATE`;
  return tx.counter.findUniqueOrThrow({ where: { name: series }, select: { value: true, lastAt: true } });
}

/**
 * The next number of a locked series and the date it is issued at: the business time asked for,
 * or the series' last date if that is later (a document of an earlier payment issued after a later
 * one's), so dates never go backwards. Gapless: a rollback gives the number back.
 */
async function nextNumber(tx: Prisma.TransactionClient, series: string, locked: { value: number; lastAt: Date | null }, at: string): Promise<{ value: number; issuedAt: Date }> {
  const asked = new Date(at);
  const issuedAt = locked.lastAt && locked.lastAt > asked ? locked.lastAt : asked;
  const value = locked.value + 1;
  await tx.counter.update({ where: { name: series }, data: { value, lastAt: issuedAt } });
  return { value, issuedAt };
}

/** A stored line of an issued document, as its row keeps it. */
export interface IssuedLine {
  description: string;
  quantity?: number;
  exclVatCents: number;
  vatRateBp: number;
  periodStart?: string | null;
  periodEnd?: string | null;
}

/** The lines of a credit note that cancels `invoice` in full: its lines, quantities and periods, described by `label`. */
export function creditLinesOf(invoice: { lines: string }, label: (description: string) => string): InvoiceLineInput[] {
  return (JSON.parse(invoice.lines) as IssuedLine[]).map((l) => ({
    description: label(l.description),
    quantity: l.quantity ?? 1,
    exclVatCents: l.exclVatCents,
    vatRateBp: l.vatRateBp,
    periodDays: { periodStart: l.periodStart ?? null, periodEnd: l.periodEnd ?? null },
  }));
}

/** PRT-5: an order its partner paid has its documents in the partner's organisation; any other, in its customer's (null). */
async function partnerOrganisationOf(tx: Prisma.TransactionClient, orderId: string | null | undefined): Promise<string | null> {
  const order = orderId ? await tx.order.findUnique({ where: { id: orderId }, select: { payer: true, partnerId: true } }) : null;
  return order?.payer === 'partner' ? order.partnerId : null;
}

/** Issues one invoice or credit note under its business key, taking the next number of its series. */
export async function takeInvoice(db: Db, input: TakeInvoiceInput): Promise<{ invoiceId: string; number: string }> {
  const taken = await db.$transaction(async (tx) => {
    const year = DateTime.fromISO(input.at, { zone: 'utc' }).setZone(timeZone()).year;
    const kind = input.kind ?? 'invoice';
    const series = `${kind === 'invoice' ? 'invoice' : 'credit-note'}:${input.sellerId}:${year}`;
    const locked = await lockSeries(tx, series);
    const existing = await tx.invoice.findUnique({ where: { id: input.invoiceId } });
    if (existing) return { invoiceId: existing.id, number: existing.number };
    const { value, issuedAt } = await nextNumber(tx, series, locked, input.at);
    const number = `${kind === 'invoice' ? 'INV' : 'CN'}-${input.sellerId}-${year}-${String(value).padStart(6, '0')}`;
    const document = await documentSnapshot(tx, { ...input, kind, number, issuedAt: issuedAt.toISOString() });
    const lines = document.lines.map((l) => ({ description: l.description, quantity: l.quantity, unitExclVatCents: l.unitExclVatCents, vatRateBp: l.vatRateBp, exclVatCents: l.exclVatCents, vatCents: l.vatCents, totalCents: l.totalCents, periodStart: l.periodStart, periodEnd: l.periodEnd }));
    const total = document.totals;
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
        issuedAt,
        document: document as unknown as Prisma.InputJsonValue,
        partnerId: await partnerOrganisationOf(tx, input.orderId),
      },
    });
    await writeAudit(tx, {
      key: `invoice:${input.invoiceId}:issued`,
      at: issuedAt.toISOString(),
      actor: 'system',
      action: kind === 'invoice' ? 'invoice.issued' : 'credit_note.issued',
      entityType: 'invoice',
      entityId: input.invoiceId,
      orderId: input.orderId ?? undefined,
      data: { number, totalCents: total.totalCents, ...(input.ticketId ? { ticketId: input.ticketId } : {}) },
    });
    return { invoiceId: input.invoiceId, number };
  });
  await storeDocumentFiles(db, taken.invoiceId);
  return taken;
}

/** What an order line was bought at (the OrderLine columns checkout writes). */
export interface PricedOrderLine {
  priceCents: number;
  vatRateBp: number;
  quantity: number;
  unitPriceCents: number;
  discountBp: number;
  discountKind: string | null;
}

/**
 * The invoice lines of one period of an order line: quantity × unit price, then its POL-3 discount
 * as its own line (lineCharge), so the document's total is what was charged, to the cent.
 */
export function chargeLinesOf(l: PricedOrderLine, description: string, period: { periodStart: string; periodEnd: string }): InvoiceLineInput[] {
  if (l.discountBp === 0) return [{ description, quantity: l.quantity, exclVatCents: l.priceCents, vatRateBp: l.vatRateBp, ...period }];
  const { lines } = lineCharge({ name: description, unitPriceCents: l.unitPriceCents, quantity: l.quantity, discountBp: l.discountBp, discountKind: l.discountKind, vatRateBp: l.vatRateBp });
  return lines.map((c) => ({ description: c.description, quantity: c.quantity, exclVatCents: c.exclVatCents, vatRateBp: c.vatRateBp, ...period }));
}

/**
 * The checkout invoice of one seller: its lines of the order the checkout charged, first period,
 * dated at payment. A line on a free trial (POL-1) is not on it: nothing was charged for it.
 */
export async function takeCheckoutInvoice(db: Db, input: { orderId: string; sellerId: string; paymentId: string }): Promise<{ invoiceId: string; number: string }> {
  // Issued already (each subscription asks for it again when it starts): one read, no transaction.
  // An issued invoice is never edited or deleted, so the answer cannot go stale.
  const issued = await db.invoice.findUnique({ where: { id: checkoutInvoiceId(input.orderId, input.sellerId) }, select: { id: true, number: true } });
  if (issued) return { invoiceId: issued.id, number: issued.number };
  const order = await db.order.findUniqueOrThrow({ where: { id: input.orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
  const lines = order.lines.filter((l) => l.sellerId === input.sellerId && l.totalCents > 0);
  // A seller whose every line is on trial has no checkout invoice (the order process asks for none).
  if (lines.length === 0) throw new Error(`order ${order.id}: nothing charged for seller ${input.sellerId}, so no checkout invoice`);
  const paidAt = (order.paidAt ?? order.createdAt).toISOString();
  return takeInvoice(db, {
    invoiceId: checkoutInvoiceId(order.id, input.sellerId),
    paymentId: input.paymentId,
    sellerId: input.sellerId,
    customerId: order.customerId!, // set when the checkout charge was captured
    orderId: order.id,
    currency: order.currency,
    // The first period starts at payment (SUB-2: the anniversary is the payment's instant).
    lines: lines.flatMap((l) => chargeLinesOf(l, `${l.name}, period 1 (order ${order.number})`, firstPeriod(paidAt, l.billingPeriod))),
    at: paidAt,
  });
}
