// Opening a ticket (DIA-1, DIA-7, POL-5), in the steps a person would check: the service is the
// customer's and still running, the contact is one of its named ones, the customer is not barred
// from support (DIA-5, DIA-7), the subscription year's quota has room (POL-5). The check and the
// ticket row are one transaction under a lock on the customer (the bar is written under the same
// lock), so concurrent openings never exceed the quota. Then Ticket:<id> starts by
// update-with-start: its id comes from the customer's request id, so a repeat (a lost answer,
// a retry) joins the same ticket and gets the same answer.
import { createHash, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Ticket } from '@prisma/client';
import { isSupportTier, subscriptionYear, type TicketKind } from '../domain/support';
import { formatDate } from '../domain/time-format';
import { businessTimeZone } from '../domain/time-format';
import { supportConfig } from '../infra/config';
import { openTicketUpdate, ticketStateQuery, ticketWorkflow, ticketWorkflowId, type TicketState } from '../workflows/ticket';
import { BusinessStatusKey, CustomerIdKey, SellerIdKey, TicketIdKey, TicketKindKey } from '../workflows/search-attributes';
import { ticketSummary } from '../workflows/summaries';
import type { ApiDeps } from './deps';
import { Problem } from './problem';

export interface OpenTicketRequest {
  requestId: string;
  subscriptionId: string;
  contactId: string;
  kind: TicketKind;
  subject: string;
  message: string;
}

/** The ticket's id from the customer's request id: the same request always names the same ticket. */
export function ticketIdOf(customerId: string, requestId: string): string {
  return `tkt_${createHash('sha256').update(`${customerId}:${requestId}`).digest('hex').slice(0, 24)}`;
}

/** DIA-5, DIA-7: the bar on a customer, with the invoice that caused it, or null. */
export async function supportBarOf(deps: Pick<ApiDeps, 'db'>, customerId: string) {
  const bar = await deps.db.supportBar.findUnique({ where: { customerId } });
  if (!bar) return null;
  const [invoice, creditNote] = await Promise.all([
    deps.db.invoice.findUnique({ where: { id: bar.invoiceId }, select: { number: true } }),
    deps.db.invoice.findUnique({ where: { id: bar.creditNoteId }, select: { number: true } }),
  ]);
  return {
    cause: bar.cause as 'contested' | 'unpaid',
    rule: bar.cause === 'contested' ? 'DIA-5' : 'DIA-6',
    at: bar.at.toISOString(),
    ticketId: bar.ticketId,
    invoiceId: bar.invoiceId,
    invoiceNumber: invoice?.number ?? bar.invoiceId,
    creditNoteId: bar.creditNoteId,
    creditNoteNumber: creditNote?.number ?? bar.creditNoteId,
  };
}

export type SupportBarView = NonNullable<Awaited<ReturnType<typeof supportBarOf>>>;

export function barProblem(bar: SupportBarView): Problem {
  const why = bar.cause === 'contested' ? `you contested invoice ${bar.invoiceNumber}` : `invoice ${bar.invoiceNumber} was left unpaid 30 days, which counts as contested`;
  return Problem.unprocessable('support-barred', 'No support', `You have no support any more: ${why} on ${formatDate(bar.at)} (DIA-5). A ticket cannot be opened (DIA-7).`, {
    reason: 'SupportBarred',
    rule: 'DIA-7',
    bar,
  });
}

/** Checks and records the opening, then starts (or joins) the ticket's workflow; the answer is its state. */
export async function openTicket(deps: ApiDeps, customerId: string, req: OpenTicketRequest): Promise<{ state: TicketState; created: boolean }> {
  const sub = await deps.db.subscription.findUnique({ where: { id: req.subscriptionId } });
  if (!sub) throw Problem.notFound(`no subscription ${req.subscriptionId}`);
  if (sub.customerId !== customerId) throw Problem.forbidden('tickets are opened on your own services only: this subscription is not yours');
  const ticketId = ticketIdOf(customerId, req.requestId);
  const terms = supportConfig();
  const offer = await deps.db.offer.findUniqueOrThrow({ where: { id: sub.offerId } });
  const tier = isSupportTier(offer.supportTier) ? offer.supportTier : 'basic';
  const policy = terms.tiers[tier];

  const row = await deps.db.$transaction(async (tx): Promise<Ticket> => {
    await tx.$queryRaw`SELECT "id" FROM "Customer" WHERE "id" = ${customerId} FOR UPDATE`;
    const existing = await tx.ticket.findUnique({ where: { id: ticketId } });
    if (existing) {
      // The same request id names the same ticket: a repeat with another request is refused.
      if (existing.subscriptionId !== req.subscriptionId || existing.kind !== req.kind || existing.subject !== req.subject) {
        throw Problem.unprocessable('request-id-reused', 'Request id reused', `request id ${req.requestId} opened another ticket (${existing.id}): use a new request id`, {
          errors: [{ field: 'body.requestId', message: 'already used for another ticket' }],
        });
      }
      return existing;
    }
    if (sub.status === 'terminated') throw Problem.conflict(`the subscription has ended${sub.endedAt ? ` on ${formatDate(sub.endedAt)}` : ''}: a ticket needs a running service`, { reason: 'SubscriptionEnded' });
    const contact = await tx.supportContact.findUnique({ where: { id: req.contactId } });
    if (!contact || contact.subscriptionId !== sub.id || contact.removedAt) {
      throw Problem.unprocessable('not-a-contact', 'Not a named contact', 'only the named support contacts of this subscription may open tickets (POL-5)', {
        rule: 'POL-5',
        errors: [{ field: 'body.contactId', message: 'not a named support contact of this subscription' }],
      });
    }
    const bar = await supportBarOf({ db: tx as never }, customerId);
    if (bar) throw barProblem(bar);
    const now = new Date();
    if (policy.ticketsPerYear !== null) {
      const year = subscriptionYear(sub.startedAt.toISOString(), now.toISOString(), businessTimeZone());
      const used = await tx.ticket.count({ where: { subscriptionId: sub.id, openedAt: { gte: new Date(year.from) } } });
      if (used >= policy.ticketsPerYear) {
        throw Problem.unprocessable(
          'support-quota',
          'Support quota used up',
          `the ${tier} support tier includes ${policy.ticketsPerYear} tickets per subscription year; all ${used} are used until ${formatDate(year.until)}, when the quota resets (POL-5)`,
          { reason: 'QuotaExhausted', rule: 'POL-5', used, limit: policy.ticketsPerYear, resetsAt: year.until },
        );
      }
    }
    const created = await tx.ticket.create({
      data: { id: ticketId, customerId, subscriptionId: sub.id, sellerId: sub.sellerId, offerId: sub.offerId, contactId: contact.id, kind: req.kind, tier, subject: req.subject, status: 'opening', openedAt: now },
    });
    await tx.ticketMessage.create({ data: { id: `msg_${randomUUID()}`, ticketId, author: `customer:${customerId}`, text: req.message, createdAt: now } });
    return created;
  });

  const input = {
    ticketId,
    customerId,
    subscriptionId: sub.id,
    sellerId: sub.sellerId,
    offerName: offer.name,
    kind: row.kind as TicketKind,
    contactId: row.contactId,
    policy,
    diagnostic: terms.diagnostic,
  };
  const start = new WithStartWorkflowOperation(ticketWorkflow, {
    workflowId: ticketWorkflowId(ticketId),
    taskQueue: deps.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A ticket that already ended (closed at once, barred) is answered from its history, never run twice.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: ticketSummary({ ticketId, kind: row.kind, offerName: offer.name, customerId }),
    typedSearchAttributes: [
      { key: TicketIdKey, value: ticketId },
      { key: TicketKindKey, value: row.kind },
      { key: CustomerIdKey, value: customerId },
      { key: SellerIdKey, value: sub.sellerId },
      { key: BusinessStatusKey, value: row.kind === 'incident' ? 'awaiting_consent' : 'awaiting_support' },
    ],
  });
  const created = row.status === 'opening';
  try {
    return { state: await deps.temporal.workflow.executeUpdateWithStart(openTicketUpdate, { startWorkflowOperation: start }), created };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { state: await deps.temporal.workflow.getHandle(ticketWorkflowId(ticketId)).query(ticketStateQuery), created: false };
  }
}
