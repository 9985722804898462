// Where the outcome of a command answered 202 appears (api/temporal-errors.ts): the caller who
// may read the line, subscription or ticket polls GET /updates/:workflowId/:updateId until it is 200.
import { lineAsSeenBy } from '../visibility';
import { allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { awaitOutcome, pendingAnswer } from '../temporal-errors';
import { z } from '../zod';
import { lineState, pendingCommand, subscriptionAnswer } from '../response-schemas';
import { mayReadTicket, ticketAsSeenBy, ticketView, viewOfState } from '../ticket-view';
import type { TicketState } from '../../workflows/ticket';
import type { SellerCaseState } from '../../workflows/seller-case';
import { caseView, caseViewer } from './seller-cases';

const POLL_WAIT_MS = 5_000;

export function registerUpdateRoutes(routes: RouteTable, deps: ApiDeps): void {
  /** the line's or subscription's customer, seller, or ops staff. */
  async function mayRead(principal: Principal, kind: 'OrderLine' | 'Subscription', lineId: string) {
    const [line] = await deps.db.$queryRaw<{ sellerId: string; customerId: string | null }[]>`
      SELECT l."sellerId", o."customerId" FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId" WHERE l."id" = ${lineId}`;
    if (!line) throw Problem.notFound(`no ${kind === 'OrderLine' ? 'line' : 'subscription'} ${lineId}`);
    const ok =
      (principal.kind === 'customer' && principal.customerId === line.customerId) ||
      (principal.kind === 'seller' && principal.sellerId === line.sellerId) ||
      (principal.kind === 'staff' && (principal.role === 'ops' || principal.role === 'admin'));
    if (!ok) throw Problem.forbidden('this command is not yours');
    return line;
  }

  routes.add({
    method: 'get',
    path: '/updates/:workflowId/:updateId',
    tag: 'commands',
    summary: 'The outcome of a command that answered 202: 200 with it once carried out, 202 while it still runs',
    allow: allow.authenticated,
    params: z.object({
      workflowId: z.string().regex(/^((OrderLine|Subscription):lin_[A-Za-z0-9_-]{1,80}|Ticket:tkt_[0-9a-f]{24}|SellerCase:case_[0-9a-f-]{36})$/, 'an OrderLine:…, Subscription:…, Ticket:… or SellerCase:… workflow id'),
      updateId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'an update id'),
    }),
    responses: {
      200: { description: 'The command’s answer, as its route would have given it', schema: z.union([lineState, subscriptionAnswer, ticketView, caseView]) },
      202: { description: 'Still being carried out', schema: pendingCommand },
    },
    handler: async ({ principal, params }) => {
      const [kind, id] = params.workflowId.split(':') as ['OrderLine' | 'Subscription' | 'Ticket' | 'SellerCase', string];
      const sellerCase = kind === 'SellerCase' ? await deps.db.sellerCase.findUnique({ where: { id } }) : null;
      if (kind === 'SellerCase') {
        if (!sellerCase) throw Problem.notFound(`no case ${id}`);
        if (!(allow.staff('ops')(principal) || (principal.kind === 'seller' && principal.sellerId === sellerCase.sellerId))) throw Problem.forbidden('this command is not yours');
      }
      const ticket = kind === 'Ticket' ? await deps.db.ticket.findUnique({ where: { id } }) : null;
      if (kind === 'Ticket') {
        if (!ticket) throw Problem.notFound(`no ticket ${id}`);
        if (!mayReadTicket(principal, ticket)) throw Problem.forbidden('this command is not yours');
      }
      const line = kind === 'Ticket' || kind === 'SellerCase' ? null : await mayRead(principal, kind, id);
      const handle = deps.temporal.workflow.getHandle(params.workflowId).getUpdateHandle(params.updateId);
      const outcome = await awaitOutcome(deps.temporal, handle, POLL_WAIT_MS).catch((err: unknown) => {
        // An unknown update id (or a workflow that ended without it) is answered as not found.
        if ((err instanceof Problem && err.status === 409) || (err instanceof Error && /not found/i.test(err.message))) {
          throw Problem.notFound(`no command ${params.updateId} on ${params.workflowId}`);
        }
        throw err;
      });
      if (!outcome.done) return pendingAnswer(outcome);
      if (kind === 'SellerCase') return { status: 200, body: await caseViewer(deps)(principal, sellerCase!, outcome.result as SellerCaseState) };
      const body =
        kind === 'OrderLine' ? lineAsSeenBy(principal, line!, outcome.result as object) : kind === 'Ticket' ? ticketAsSeenBy(principal, viewOfState(outcome.result as TicketState, ticket!.subject)) : outcome.result;
      return { status: 200, body };
    },
  });
}
