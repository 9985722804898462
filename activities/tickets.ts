// Support tickets (DIA-1..DIA-8, POL-5): the read model of each ticket, its invoice in the
// marketplace's own series (DIA-4), its card payment, the credit note and bar of a contest
// (DIA-5, DIA-6), and its e-mails. Each write is keyed by the ticket's business id, so a retry
// changes nothing.
import { Context } from '@temporalio/activity';
import { supportCaptureBatch } from '../domain/ledger';
import { postBatch } from './ledger';
import { WorkflowNotFoundError } from '@temporalio/client';
import { MARKETPLACE_ISSUER_ID } from '../domain/marketplace';
import { CLOSED_STATUSES } from '../domain/support';
import { formatMoney } from '../domain/money';
import { formatDate, formatDateTime } from '../domain/time-format';
import { daysAfter, DOCUMENT_LINK_DAYS, linkUrl, windowEnd } from '../api/signed-links';
import { supportBarredSignal, ticketWorkflowId, type SupportBarred } from '../workflows/ticket';
import { paymentOutcome, chargeAttemptKey } from './payments';
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';
import { HIDDEN } from './email-templates';
import { recordEmail } from './emails';
import { notFound } from './errors';
import { creditLinesOf, creditNoteId, takeInvoice } from './invoices';

export interface SupportInvoiceLine {
  description: string;
  exclVatCents: number;
}

export type TicketEmailKind =
  | 'opened'
  | 'consented'
  | 'support_replied'
  | 'diagnosed'
  | 'quote'
  | 'quote_accepted'
  | 'invoiced'
  | 'payment_reminder'
  | 'paid'
  | 'contested'
  | 'closed'
  | 'ops_first_response_alert';

export function supportInvoiceId(ticketId: string): string {
  return `ticket:${ticketId}:invoice`;
}
export function supportPaymentId(ticketId: string, attempt: number): string {
  return `ticket:${ticketId}:payment:${attempt}`;
}
/** The credit note cancelling a contested support invoice (DIA-5): keyed like a refund's. */
export function supportCreditNoteId(ticketId: string): string {
  return creditNoteId(`ticket:${ticketId}:contest`);
}


export function createTicketActivities(deps: ActivityDeps) {
  const { db, gateway } = deps;

  return {
    /**
     * DIA-8: the ticket row leaves "opening" for its first state; the answer says whether the
     * customer was barred meanwhile (DIA-5: a contest between the API's check and this start).
     */
    async recordTicketOpened(input: { ticketId: string; workflowId: string; at: string }): Promise<{ barredBy: SupportBarred | null }> {
      const t = await db.ticket.findUnique({ where: { id: input.ticketId } });
      if (!t) notFound(`no ticket ${input.ticketId}`);
      if (t!.status === 'opening') {
        await db.ticket.updateMany({ where: { id: input.ticketId, status: 'opening' }, data: { status: t!.kind === 'incident' ? 'awaiting_consent' : 'awaiting_support' } });
      }
      const bar = await db.supportBar.findUnique({ where: { customerId: t!.customerId } });
      if (!bar || bar.ticketId === input.ticketId) return { barredBy: null };
      const invoice = await db.invoice.findUnique({ where: { id: bar.invoiceId }, select: { number: true } });
      return { barredBy: { invoiceNumber: invoice?.number ?? bar.invoiceId, ticketId: bar.ticketId } };
    },

    /** DIA-8: mirrors the workflow's state on the ticket row, with the audit entry of the step (X-4). */
    async recordTicket(input: {
      ticketId: string;
      workflowId: string;
      event: string;
      at: string;
      status: string;
      closedAt: string | null;
      closeReason: string | null;
      invoiceId: string | null;
      data: Record<string, unknown>;
    }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.ticket.update({
          where: { id: input.ticketId },
          data: { status: input.status, closedAt: input.closedAt ? new Date(input.closedAt) : null, closeReason: input.closeReason, invoiceId: input.invoiceId },
        });
        await writeAudit(tx, {
          key: `ticket:${input.ticketId}:${input.event}:${input.at}`,
          at: input.at,
          actor: typeof input.data.by === 'string' ? input.data.by : 'system',
          action: `ticket.${input.event}`,
          entityType: 'ticket',
          entityId: input.ticketId,
          workflowId: input.workflowId,
          data: input.data,
        });
      });
    },

    /** DIA-4: the support invoice, in the marketplace's name and its own gapless series, due at `dueAt`. */
    async issueSupportInvoice(input: {
      ticketId: string;
      customerId: string;
      lines: SupportInvoiceLine[];
      vatRateBp: number;
      currency: string;
      at: string;
      dueAt: string;
    }): Promise<{ invoiceId: string; number: string; exclVatCents: number; vatCents: number; totalCents: number; currency: string; issuedAt: string; dueAt: string }> {
      const invoiceId = supportInvoiceId(input.ticketId);
      const taken = await takeInvoice(db, {
        invoiceId,
        sellerId: MARKETPLACE_ISSUER_ID,
        customerId: input.customerId,
        ticketId: input.ticketId,
        dueAt: input.dueAt,
        currency: input.currency,
        lines: input.lines.map((l) => ({ ...l, vatRateBp: input.vatRateBp })),
        at: input.at,
      });
      const inv = await db.invoice.findUniqueOrThrow({ where: { id: taken.invoiceId } });
      return {
        invoiceId: inv.id,
        number: inv.number,
        exclVatCents: inv.exclVatCents,
        vatCents: inv.vatCents,
        totalCents: inv.totalCents,
        currency: inv.currency,
        issuedAt: inv.issuedAt.toISOString(),
        dueAt: (inv.dueAt ?? new Date(input.dueAt)).toISOString(),
      };
    },

    /**
     * DIA-4, X-3: one card payment attempt of a support invoice, under its own gateway key; a
     * retry of the attempt reuses the key and gets the first answer back. The workflow takes no
     * payment once one is captured.
     */
    async chargeSupportInvoice(input: {
      ticketId: string;
      invoiceId: string;
      customerId: string;
      attempt: number;
      cardId: string;
      amountCents: number;
      currency: string;
      at: string;
    }): Promise<{ status: 'captured'; paymentId: string } | { status: 'declined'; paymentId: string; code: string; message: string }> {
      const paymentId = supportPaymentId(input.ticketId, input.attempt);
      const existing = await db.supportPayment.findUnique({ where: { id: paymentId } });
      if (existing?.status === 'captured') return { status: 'captured', paymentId };
      const card = await db.paymentCard.findUnique({ where: { id: input.cardId } });
      if (!card) notFound(`no saved card ${input.cardId}`);
      const gatewayKey = chargeAttemptKey(`ticket:${input.ticketId}:payment`, input.attempt);
      const result = await gateway.charge({ idempotencyKey: gatewayKey, cardToken: card!.token, amountCents: input.amountCents, currency: input.currency, description: `Support invoice of ticket ${input.ticketId}` });
      const outcome = paymentOutcome(result, gatewayKey, input.at);
      const data = { ticketId: input.ticketId, invoiceId: input.invoiceId, customerId: input.customerId, amountCents: input.amountCents, currency: input.currency, ...outcome };
      await db.$transaction(async (tx) => {
        await tx.supportPayment.upsert({ where: { id: paymentId }, create: { id: paymentId, ...data }, update: data });
        // PAY-1: the marketplace's own revenue (support invoices are in its name, no seller share).
        if (outcome.status === 'captured') await postBatch(tx, `payment:${paymentId}:capture`, input.at, supportCaptureBatch({ paymentId, currency: input.currency, amount: BigInt(input.amountCents) }));
        await writeAudit(tx, {
          key: `${paymentId}:${outcome.status}`,
          at: input.at,
          actor: `customer:${input.customerId}`,
          action: outcome.status === 'captured' ? 'ticket.payment_captured' : 'ticket.payment_declined',
          entityType: 'ticket',
          entityId: input.ticketId,
          data: { paymentId, amountCents: input.amountCents, ...(result.status === 'captured' ? {} : { code: result.code }) },
        });
      });
      return result.status === 'captured' ? { status: 'captured', paymentId } : { status: 'declined', paymentId, code: result.code, message: result.message };
    },

    /**
     * DIA-5, DIA-6: the invoice cancelled by a credit note (an issued document is never edited)
     * and the customer barred from support for good; the first cause stays on record. The bar is
     * written under a lock on the customer, which the API's ticket opening takes too.
     */
    async barCustomerFromSupport(input: { ticketId: string; customerId: string; invoiceId: string; cause: 'contested' | 'unpaid'; reason: string; at: string }): Promise<{ creditNoteId: string; creditNoteNumber: string }> {
      const invoice = await db.invoice.findUniqueOrThrow({ where: { id: input.invoiceId } });
      const note = await takeInvoice(db, {
        invoiceId: supportCreditNoteId(input.ticketId),
        kind: 'credit_note',
        creditedInvoiceId: invoice.id,
        sellerId: MARKETPLACE_ISSUER_ID,
        customerId: input.customerId,
        ticketId: input.ticketId,
        currency: invoice.currency,
        lines: creditLinesOf(invoice, (d) => `Cancelled (${input.cause === 'contested' ? 'contested, DIA-5' : 'unpaid after 30 days, DIA-6'}): ${d}`),
        at: input.at,
      });
      await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT "id" FROM "Customer" WHERE "id" = ${input.customerId} FOR UPDATE`;
        await tx.supportBar.createMany({
          data: [{ customerId: input.customerId, cause: input.cause, ticketId: input.ticketId, invoiceId: invoice.id, creditNoteId: note.invoiceId, at: new Date(input.at) }],
          skipDuplicates: true,
        });
        await writeAudit(tx, {
          key: `ticket:${input.ticketId}:support-barred`,
          at: input.at,
          actor: input.cause === 'contested' ? `customer:${input.customerId}` : 'system',
          action: 'customer.support_barred',
          entityType: 'customer',
          entityId: input.customerId,
          data: { cause: input.cause, reason: input.reason, ticketId: input.ticketId, invoiceId: invoice.id, creditNoteId: note.invoiceId },
        });
      });
      return { creditNoteId: note.invoiceId, creditNoteNumber: note.number };
    },

    /**
     * DIA-5: the barred customer's other open tickets are told, and close with the reason (those
     * awaiting payment stay payable: the support was given). A ticket not started yet finds the
     * bar when it starts (recordTicketOpened).
     */
    async closeBarredCustomersTickets(input: { customerId: string; ticketId: string; invoiceNumber: string }): Promise<number> {
      const open = await db.ticket.findMany({ where: { customerId: input.customerId, id: { not: input.ticketId }, status: { notIn: [...CLOSED_STATUSES, 'awaiting_payment'] } }, select: { id: true } });
      const client = Context.current().client;
      let told = 0;
      for (const t of open) {
        try {
          await client.workflow.getHandle(ticketWorkflowId(t.id)).signal(supportBarredSignal, { invoiceNumber: input.invoiceNumber, ticketId: input.ticketId });
          told++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return told;
    },

    /** Records one ticket e-mail in the outbox (X-2): to the named contact who opened it, or to ops. */
    async composeTicketEmail(input: { ticketId: string; kind: TicketEmailKind; key: string; data?: Record<string, string | number | null> }): Promise<string> {
      const t = await db.ticket.findUniqueOrThrow({ where: { id: input.ticketId } });
      const [customer, contact, offer] = await Promise.all([
        db.customer.findUniqueOrThrow({ where: { id: t.customerId } }),
        db.supportContact.findUnique({ where: { id: t.contactId } }),
        db.offer.findUnique({ where: { id: t.offerId }, select: { name: true } }),
      ]);
      const d = input.data ?? {};
      const money = (c: unknown) => formatMoney(Number(c), 'EUR');
      const at = (v: unknown) => (v ? formatDateTime(String(v)) : 'a date to be set');
      const about = `ticket ${t.id} on ${offer?.name ?? t.offerId} ("${t.subject}")`;
      if (input.kind === 'ops_first_response_alert') {
        const text = `First answer due soon (POL-5): ${about}, tier ${t.tier}, opened ${at(t.openedAt.toISOString())}. Support must answer by ${at(d.dueAt)}.`;
        return recordEmail(db, { id: input.key, customerId: null, toAddress: deps.opsAlertAddress, subject: `First answer due soon: ticket ${t.id}`, text });
      }
      const invoice = d.invoiceId ? await db.invoice.findUnique({ where: { id: String(d.invoiceId) } }) : null;
      const creditNote = d.creditNoteId ? await db.invoice.findUnique({ where: { id: String(d.creditNoteId) } }) : null;
      const signed = (purpose: 'document' | 'support-payment', subject: string, until: Date) => linkUrl(deps.publicUrl, purpose, subject, until);
      const documentLink = (doc: { id: string; issuedAt: Date }) => signed('document', doc.id, daysAfter(doc.issuedAt, DOCUMENT_LINK_DAYS));
      const payLink = invoice ? signed('support-payment', t.id, windowEnd(invoice.dueAt?.toISOString())) : '';
      const texts = (link: (url: string) => string): Record<Exclude<TicketEmailKind, 'ops_first_response_alert'>, [string, string]> => ({
        opened: t.kind === 'incident'
          ? [`Incident ticket ${t.id}: the diagnostic's price`, `We received your incident ${about}.\nThe diagnostic costs ${money(d.priceCents)} excl. VAT${Number(d.priceCents) === 0 ? ' (free: promotion)' : ''}. It starts once you consent to this price (DIA-1).`]
          : [`Support ticket ${t.id} received`, `We received your question ${about}. Support answers under your ${t.tier} support tier (POL-5).`],
        consented: [`Diagnostic started: ticket ${t.id}`, `You consented to the diagnostic of ${about} at ${money(d.priceCents)} excl. VAT${d.promotion === 'true' ? ' (free: promotion)' : ''}. Support is on it.`],
        support_replied: [`Support answered: ticket ${t.id}`, `Support answered on ${about}. Read the answer in your account.`],
        diagnosed: [`Diagnosis of ticket ${t.id}: ${String(d.outcome).replace(/_/g, ' ')}`, diagnosisText(String(d.outcome), about, d.promotion === 'true')],
        quote: [`Quote for ticket ${t.id}`, `The diagnostic of ${about} found work to do: ${d.quoteDescription}, ${money(d.quoteCents)} excl. VAT.\nAccept or decline it by ${at(d.quoteExpiresAt)}; unanswered by then, it counts as declined and only the diagnostic is billed (DIA-3).`],
        quote_accepted: [`Quote accepted: ticket ${t.id}`, `You accepted the quote of ${about}. The work starts now, with no payment first; you will be invoiced for the diagnostic and the work together (DIA-3).`],
        invoiced: [
          `Invoice ${invoice?.number}: support ticket ${t.id}`,
          `Invoice ${invoice?.number} for ${about}: ${money(invoice?.totalCents ?? 0)} incl. VAT, due ${at(d.dueAt)} (DIA-4).\nPay by card: ${link(payLink)}\nInvoice (PDF): ${invoice ? link(documentLink(invoice)) : ''}\nUntil it is paid you may contest it: it is then cancelled and you pay nothing, but you will have no support any more, for good (DIA-5). Unpaid on the due date counts as contested (DIA-6).`,
        ],
        payment_reminder: [
          `Reminder: invoice ${invoice?.number} is due on ${invoice?.dueAt ? formatDate(invoice.dueAt) : ''}`,
          `Invoice ${invoice?.number} for ${about} (${money(invoice?.totalCents ?? 0)}) is due ${at(d.dueAt)}.\nPay by card: ${link(payLink)}\nUnpaid on that date it counts as contested: it is cancelled and you will have no support any more (DIA-6).`,
        ],
        paid: [`Payment received: invoice ${invoice?.number}`, `Thank you: invoice ${invoice?.number} for ${about} is paid. The ticket is closed.`],
        contested: [
          `Invoice ${invoice?.number} cancelled: no more support`,
          `Invoice ${invoice?.number} for ${about} is cancelled by credit note ${creditNote?.number}${creditNote ? ` (PDF: ${link(documentLink(creditNote))})` : ''}; you pay nothing.\nAs a consequence you have no support any more (commercial, technical or incident) and no SLA claims; your services keep running and renewing (DIA-5).`,
        ],
        closed: [`Ticket ${t.id} closed`, `Your ticket ${about} is closed: ${d.closeReason}.`],
      });
      const kind = input.kind as Exclude<TicketEmailKind, 'ops_first_response_alert'>;
      const [subject, text] = texts((url) => url)[kind];
      const [, masked] = texts(() => HIDDEN)[kind];
      return recordEmail(db, { id: input.key, customerId: customer.id, toAddress: contact?.email ?? customer.email, subject, text, maskedText: masked === text ? null : masked });
    },
  };
}

function diagnosisText(outcome: string, about: string, free: boolean): string {
  switch (outcome) {
    case 'provider_fault':
      return `The diagnostic of ${about} found the provider at fault: it is fixed under warranty and nothing is billed (DIA-2).`;
    case 'no_quote':
      return `The diagnostic of ${about} ends without a quote: the provider will not quote this work. Nothing is billed (DIA-2).`;
    default:
      return `The incident of ${about} was fixed during the diagnostic: ${free ? 'the diagnostic was free (promotion), nothing is billed' : 'only the diagnostic is billed'} (DIA-2).`;
  }
}

