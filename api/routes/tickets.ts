// Routes of support tickets (DIA-1..DIA-8, POL-5). State comes from the Ticket workflow's Query;
// commands are Updates whose validators refuse with a reason (runUpdate maps them to 409/422).
// the customer reads and commands its own tickets; support staff read all and work them
// (diagnosis, replies, work done) but never pay, consent or contest for the customer; a seller
// reads only `support` tickets on its own offers; nobody else.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateStage, type WorkflowUpdateHandle } from '@temporalio/client';
import type { Ticket } from '@prisma/client';
import { DIAGNOSIS_OUTCOMES, TICKET_KINDS, isClosed, type TicketStatus } from '../../domain/support';
import {
  closeTicketUpdate,
  consentUpdate,
  contestUpdate,
  customerReplyUpdate,
  diagnosisUpdate,
  quoteAnswerUpdate,
  staffReplyUpdate,
  ticketStateQuery,
  ticketWorkflowId,
  workDoneUpdate,
  type TicketState,
} from '../../workflows/ticket';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import { pendingCommand } from '../response-schemas';
import type { RouteTable } from '../route';
import { pendingAnswer, runUpdate, runUpdateOrUndo, type UpdateOutcome } from '../temporal-errors';
import { card } from '../subscription-commands';
import { payTicket } from '../ticket-payment';
import { openTicket } from '../ticket-opening';
import { mayReadTicket, ticketAsSeenBy, ticketView, viewOfRow, viewOfState, type TicketView } from '../ticket-view';
import { z } from '../zod';

const ticketParams = z.object({ ticketId: z.string().regex(/^tkt_[0-9a-f]{24}$/, 'must be a tkt_… id') });
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const messageItem = z.strictObject({ messageId: z.string(), author: z.string(), text: z.string(), at: z.string() }).openapi('TicketMessage');

/** Staff who work tickets. */
const supportStaff = allow.staff('support');

export function registerTicketRoutes(routes: RouteTable, deps: ApiDeps): void {
  const handle = (id: string) => deps.temporal.workflow.getHandle(ticketWorkflowId(id));

  /** The ticket row, if the caller may read it: 404 if none, 403 if not theirs. */
  async function load(id: string, principal: Principal): Promise<Ticket> {
    const t = await deps.db.ticket.findUnique({ where: { id } });
    if (!t) throw Problem.notFound(`no ticket ${id}`);
    if (!mayReadTicket(principal, t)) throw Problem.forbidden('this ticket is not yours');
    return t;
  }

  const seenBy = ticketAsSeenBy;

  async function current(t: Ticket): Promise<{ view: TicketView; source: string }> {
    try {
      return { view: viewOfState(await handle(t.id).query(ticketStateQuery), t.subject), source: 'workflow' };
    } catch (err) {
      // An ended ticket's row holds its final state. A query on a completed workflow replays its
      // whole history, which SDK 1.24 can fail after a worker died mid-task while an Update
      // arrived (README, "Known SDK defect"): answered from the database rather than failing for ever.
      if (!(err instanceof WorkflowNotFoundError) && !isClosed(t.status as TicketStatus)) throw err;
      return { view: viewOfRow(t), source: 'database' };
    }
  }

  routes.add({
    method: 'post',
    path: '/tickets',
    tag: 'tickets',
    summary:
      'Open a ticket on one of your services (DIA-1, POL-5): `incident` asks for a paid diagnostic (its price is announced; nothing starts before your consent), `support` asks a question under the offer\u2019s tier. Refused with the reason when barred (DIA-7) or over quota (POL-5). Idempotent by `requestId`',
    allow: allow.customer,
    body: z
      .object({
        requestId: z.string().regex(/^[A-Za-z0-9_-]{8,100}$/, '8 to 100 letters, digits, - or _').describe('Your id for this request: a repeat with the same id answers the same ticket'),
        subscriptionId: z.string().regex(/^lin_[A-Za-z0-9_-]{1,80}$/, 'must be a lin_… id'),
        contactId: z.string().regex(/^con_[A-Za-z0-9-]{1,80}$/, 'must be a con_… id').describe('The named contact who opens it (POL-5)'),
        kind: z.enum(TICKET_KINDS),
        subject: text(200),
        message: text(10_000),
      })
      .strict(),
    responses: {
      201: { description: 'The ticket: for an incident, the diagnostic price awaiting your consent', schema: ticketView },
      403: { description: 'Not your subscription' },
      409: { description: 'The subscription has ended' },
      422: { description: 'Refused with the reason: no support (DIA-7, with the invoice that caused it), quota used up (POL-5), not a named contact' },
    },
    handler: async ({ principal, body }) => {
      const customerId = principal.kind === 'customer' ? principal.customerId : '';
      const { state } = await openTicket(deps, customerId, body);
      return { status: 201, body: seenBy(principal, viewOfState(state, body.subject)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/tickets/:ticketId',
    tag: 'tickets',
    summary: 'A ticket\u2019s state, prices, amount due, deadlines and first-response clock (DIA-8, POL-5): the customer\u2019s own, any for support and ops staff, a seller\u2019s support tickets on its offers',
    allow: allow.authenticated,
    params: ticketParams,
    responses: {
      200: { description: 'The ticket. The X-State-Source header says where it was read: `workflow` (live) or `database` (its process has ended)', schema: ticketView },
    },
    handler: async ({ principal, params }) => {
      const t = await load(params.ticketId, principal);
      const { view, source } = await current(t);
      return { status: 200, body: seenBy(principal, view), headers: { 'x-state-source': source } };
    },
  });

  routes.add({
    method: 'get',
    path: '/tickets/:ticketId/messages',
    tag: 'tickets',
    summary: 'The messages of a ticket, newest first: who may read the ticket reads them',
    allow: allow.authenticated,
    params: ticketParams,
    query: listQuery('ticket-messages', {}),
    responses: { 200: { description: 'A page of messages', schema: pageOf(messageItem).openapi('TicketMessagePage') } },
    handler: async ({ principal, params, query }) => {
      const t = await load(params.ticketId, principal);
      const rows = await deps.db.ticketMessage.findMany({
        where: { AND: [{ ticketId: t.id }, afterCursor(query.cursor, 'createdAt')] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const page = toPage('ticket-messages', rows, query.limit, (m) => ({ at: m.createdAt, id: m.id }), (m) => ({
        messageId: m.id,
        // Customers never see staff names (least privilege): "support".
        author: principal.kind === 'customer' && m.author.startsWith('staff:') ? 'support' : m.author,
        text: m.text,
        at: m.createdAt.toISOString(),
      }));
      return { status: 200, body: page };
    },
  });

  /** A command: authorized on the ticket row, carried out by the workflow's Update (bounded wait: 202). */
  const command = <B extends z.ZodType>(spec: {
    path: string;
    summary: string;
    who: (p: Principal) => boolean;
    whoText: string;
    body: B;
    /** Starts the Update (runUpdate, or runUpdateOrUndo when the command wrote something first). */
    run: (t: Ticket, principal: Principal, input: z.infer<B>) => Promise<UpdateOutcome<TicketState>>;
    refused?: string;
  }) =>
    routes.add({
      method: 'post',
      path: `/tickets/:ticketId/${spec.path}`,
      tag: 'tickets',
      summary: spec.summary,
      allow: spec.who,
      params: ticketParams,
      body: spec.body,
      responses: {
        200: { description: 'The ticket after the command', schema: ticketView },
        202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl (GET /updates/…)', schema: pendingCommand },
        403: { description: `Only ${spec.whoText}` },
        409: { description: 'Refused in this state (closed, already answered)' },
        422: { description: spec.refused ?? 'Refused, with the reason' },
      },
      handler: async ({ principal, params, body: input }) => {
        const t = await load(params.ticketId, principal);
        if (principal.kind === 'customer' && principal.customerId !== t.customerId) throw Problem.forbidden('this ticket is not yours');
        refuseIfEnded(t, spec.path);
        const outcome = await spec.run(t, principal, input);
        return outcome.done ? { status: 200, body: seenBy(principal, viewOfState(outcome.result, t.subject)) } : pendingAnswer(outcome);
      },
    });
  /**
   * A ticket whose process has ended takes no command: answered from its row, with the reason,
   * before anything is written (a card saved for nothing). The workflow's validator has the last
   * word while it runs.
   */
  function refuseIfEnded(t: Ticket, path: string): void {
    if (!isClosed(t.status as TicketStatus)) return;
    if (t.status === 'paid' && (path === 'pay' || path === 'contest')) {
      throw Problem.conflict(path === 'pay' ? `the invoice of ticket ${t.id} is already paid` : `the invoice of ticket ${t.id} is paid: a paid invoice cannot be contested (DIA-5)`, { reason: 'AlreadyPaid' });
    }
    throw Problem.conflict(`ticket ${t.id} is closed (${t.closeReason ?? t.status})`, { reason: 'TicketClosed' });
  }
  const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
  const update = (start: () => Promise<WorkflowUpdateHandle<TicketState>>) => runUpdate(deps.temporal, start);
  const customerId = (p: Principal) => (p.kind === 'customer' ? p.customerId : '');

  command({
    path: 'consent',
    summary: "Consent to the diagnostic's price (DIA-1): the price in force at this moment (free during the promotion); a price that changed since it was read is refused",
    who: allow.customer,
    whoText: 'the customer who opened the ticket',
    body: z.object({ acceptedPriceCents: z.number().int().min(0).max(10_000_000).describe("The price excl. VAT you agree to, as GET /tickets/{id} shows it (diagnostic.priceNowCents)") }).strict(),
    run: (t, p, b) => update(() => handle(t.id).startUpdate(consentUpdate, { args: [{ customerId: customerId(p), acceptedPriceCents: b.acceptedPriceCents }], ...accepted })),
    refused: 'The price changed (PriceChanged): consent to the new one',
  });

  command({
    path: 'messages',
    summary: 'Write on the ticket: the customer replies; support answers (the first answer stops the POL-5 clock), optionally waiting for the customer',
    who: allow.anyOf(allow.customer, supportStaff),
    whoText: 'the customer who opened the ticket, or support staff',
    body: z.object({ text: text(10_000), awaitCustomer: z.boolean().optional().describe('Support only: the ticket then waits for the customer') }).strict(),
    run: async (t, p, b) => {
      if (p.kind === 'customer' && b.awaitCustomer !== undefined) {
        throw Problem.badRequest([{ field: 'body.awaitCustomer', message: 'support staff only' }]);
      }
      // The text stays in the database; the workflow gets the message's id.
      const messageId = `msg_${randomUUID()}`;
      await deps.db.ticketMessage.create({ data: { id: messageId, ticketId: t.id, author: actorOf(p), text: b.text } });
      return runUpdateOrUndo(
        deps.temporal,
        () =>
          p.kind === 'customer'
            ? handle(t.id).startUpdate(customerReplyUpdate, { args: [{ customerId: p.customerId, messageId }], ...accepted })
            : handle(t.id).startUpdate(staffReplyUpdate, { args: [{ staff: actorOf(p), messageId, awaitCustomer: b.awaitCustomer ?? false }], ...accepted }),
        // Refused by the workflow: the message was never part of the ticket.
        async () => void (await deps.db.ticketMessage.delete({ where: { id: messageId } })),
      );
    },
  });

  command({
    path: 'diagnosis',
    summary: 'Record the diagnosis (DIA-2): provider_fault (nothing billed), fixed (the diagnostic billed), quote (amount excl. VAT and description, DIA-3), no_quote (nothing billed)',
    who: supportStaff,
    whoText: 'support staff',
    body: z
      .object({
        outcome: z.enum(DIAGNOSIS_OUTCOMES),
        quote: z.object({ amountCents: z.number().int().min(1).max(100_000_000), description: text(2_000) }).strict().optional(),
      })
      .strict()
      .refine((b) => (b.outcome === 'quote') === (b.quote !== undefined), { path: ['quote'], message: 'required with outcome quote, and only then' }),
    run: (t, p, b) => update(() => handle(t.id).startUpdate(diagnosisUpdate, { args: [{ staff: actorOf(p), outcome: b.outcome, ...(b.quote ? { quote: b.quote } : {}) }], ...accepted })),
  });

  command({
    path: 'quote',
    summary: 'Accept or decline the quote (DIA-3): accepted, work starts at once with no payment first; declined, only the diagnostic is billed',
    who: allow.customer,
    whoText: 'the customer who opened the ticket',
    body: z.object({ accept: z.boolean() }).strict(),
    run: (t, p, b) => update(() => handle(t.id).startUpdate(quoteAnswerUpdate, { args: [{ customerId: customerId(p), accept: b.accept }], ...accepted })),
  });

  command({
    path: 'work-done',
    summary: 'Mark the quoted work done (DIA-3): the diagnostic and the work are invoiced together (DIA-4)',
    who: supportStaff,
    whoText: 'support staff',
    body: z.object({}).strict(),
    run: (t, p) => update(() => handle(t.id).startUpdate(workDoneUpdate, { args: [{ staff: actorOf(p) }], ...accepted })),
  });

  command({
    path: 'pay',
    summary: "Pay the ticket's invoice by card (DIA-4)",
    who: allow.customer,
    whoText: 'the customer who opened the ticket',
    body: z.object({ card }).strict(),
    run: (t, p, b) => payTicket(deps, t.id, customerId(p), b.card, 'body.card.number'),
    refused: 'The card was declined (PaymentDeclined) or is invalid',
  });

  command({
    path: 'contest',
    summary: 'Contest the unpaid invoice (DIA-5): it is cancelled by a credit note and you pay nothing, but you have no support any more, for good; your services keep running',
    who: allow.customer,
    whoText: 'the customer who opened the ticket',
    body: z.object({ reason: text(2_000) }).strict(),
    run: (t, p, b) => update(() => handle(t.id).startUpdate(contestUpdate, { args: [{ customerId: customerId(p), reason: b.reason }], ...accepted })),
  });

  command({
    path: 'close',
    summary: 'Close a support ticket (the customer or support), or withdraw an incident before consenting to its price',
    who: allow.anyOf(allow.customer, supportStaff),
    whoText: 'the customer who opened the ticket, or support staff',
    body: z.object({ reason: text(2_000) }).strict(),
    run: (t, p, b) => update(() => handle(t.id).startUpdate(closeTicketUpdate, { args: [{ by: actorOf(p), reason: b.reason }], ...accepted })),
  });
}
