// Routes of the subscription lifecycle (SUB-4..SUB-13), withdrawal of an order (SUB-11) and the
// invoices (INV-1). State comes from the workflow's Query; commands are Updates whose validators
// refuse with a reason (mapped to 409/422 by runUpdate). X-6: only the owning customer commands;
// the owning seller and staff may read.
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  requestDeletionUpdate,
  setRenewalModeUpdate,
  subscriptionStateQuery,
  subscriptionWorkflowId,
  terminateUpdate,
  withdrawTerminationUpdate,
  type EffectiveAnswer,
} from '../../workflows/subscription';
import { DELETION_CODE_LENGTH } from '../../activities/subscriptions';
import { allow, type Principal } from '../auth';
import { MAX_CODE_ATTEMPTS } from '../deletion-confirmation';
import { card, startCardUpdate, startDeletionConfirmation, startPayNextPeriod, startQuantityChange, withdrawOrder } from '../subscription-commands';
import { MAX_QUANTITY } from '../../domain/commercial-policy';
import type { ApiDeps } from '../deps';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { WorkflowUpdateStage, type WorkflowUpdateHandle } from '@temporalio/client';
import { pendingAnswer, runUpdate } from '../temporal-errors';
import { pendingCommand, subscriptionAnswer, subscriptionState, withdrawalAnswer } from '../response-schemas';
import { z } from '../zod';

const subscriptionParams = z.object({ subscriptionId: z.string().regex(/^lin_[A-Za-z0-9_-]{1,80}$/, 'must be a lin_… id') });
const empty = z.object({}).strict();

export function registerSubscriptionRoutes(routes: RouteTable, deps: ApiDeps): void {
  const handle = (id: string) => deps.temporal.workflow.getHandle(subscriptionWorkflowId(id));

  async function load(id: string, principal: Principal, command: boolean) {
    const sub = await deps.db.subscription.findUnique({ where: { id } });
    if (!sub) throw Problem.notFound(`no subscription ${id}`);
    const owner = principal.kind === 'customer' && principal.customerId === sub.customerId;
    if (command) {
      if (!owner) throw Problem.forbidden('only the customer who owns this subscription can command it');
    } else {
      const mayRead = owner || principal.kind === 'staff' || (principal.kind === 'seller' && principal.sellerId === sub.sellerId);
      if (!mayRead) throw Problem.forbidden('this subscription is not yours');
    }
    return sub;
  }

  routes.add({
    method: 'get',
    path: '/subscriptions/:subscriptionId',
    tag: 'subscriptions',
    summary: 'Live state of a subscription (SUB-13)',
    allow: allow.authenticated,
    params: subscriptionParams,
    responses: {
      200: {
        description:
          'Status, next due date, price, renewal mode, card, commitment, pending termination, paid periods. The X-State-Source header says where it was read: `workflow` (live) or `database` (its process has ended)',
        schema: subscriptionState,
      },
    },
    handler: async ({ principal, params }) => {
      const sub = await load(params.subscriptionId, principal, false);
      try {
        const state = await handle(sub.id).query(subscriptionStateQuery);
        return { status: 200, body: state, headers: { 'x-state-source': 'workflow' } };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        const row = {
          subscriptionId: sub.id,
          orderId: sub.orderId,
          customerId: sub.customerId,
          sellerId: sub.sellerId,
          offerId: sub.offerId,
          status: sub.status,
          renewalMode: sub.renewalMode,
          card: { last4: sub.cardLast4 },
          paidPeriods: sub.paidPeriods,
          nextDueAt: sub.nextDueAt?.toISOString() ?? null,
          endedAt: sub.endedAt?.toISOString() ?? null,
          endReason: sub.endReason,
        };
        return { status: 200, body: row, headers: { 'x-state-source': 'database' } };
      }
    },
  });

  const command = <B extends z.ZodType>(path: string, summary: string, body: B, run: (id: string, input: z.infer<B>) => Promise<WorkflowUpdateHandle<EffectiveAnswer>>) =>
    routes.add({
      method: 'post',
      path: `/subscriptions/:subscriptionId/${path}`,
      tag: 'subscriptions',
      summary,
      allow: allow.customer,
      params: subscriptionParams,
      body,
      responses: {
        200: { description: 'The answer with the effective date and the new state', schema: subscriptionAnswer },
        202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl (GET /updates/…)', schema: pendingCommand },
        409: { description: 'Refused in this state' },
        422: { description: 'Refused, with the reason' },
      },
      handler: async ({ principal, params, body: input }) => {
        const sub = await load(params.subscriptionId, principal, true);
        const outcome = await runUpdate(deps.temporal, () => run(sub.id, input));
        return outcome.done ? { status: 200, body: outcome.result } : pendingAnswer(outcome);
      },
    });

  command('renewal-mode', 'Switch between automatic and manual renewal (SUB-6)', z.object({ mode: z.enum(['auto', 'manual']) }).strict(), (id, b) =>
    handle(id).startUpdate(setRenewalModeUpdate, { args: [{ mode: b.mode }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
  );
  command('terminate', 'Terminate: stops renewal, effective per SUB-7/SUB-8', empty, (id) => handle(id).startUpdate(terminateUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED }));
  command('withdraw-termination', 'Withdraw a pending termination (SUB-9)', empty, (id) => handle(id).startUpdate(withdrawTerminationUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED }));
  command('pay-next-period', 'Pay the next period now (SUB-6) or the overdue one (SUB-5)', empty, (id) => startPayNextPeriod(deps, id));
  command('card', 'Replace the saved card (SUB-4); a past-due payment is retried at once (SUB-5)', z.object({ card }).strict(), (id, b) => startCardUpdate(deps, id, b.card, 'body.card.number'));
  command(
    'quantity',
    'Change the quantity (seats, hostings): an increase is charged at once, prorated to the end of the period, with its invoice; a decrease takes effect at the next renewal',
    z.object({ quantity: z.number().int().min(1).max(MAX_QUANTITY) }).strict(),
    (id, b) => startQuantityChange(deps, id, b.quantity),
  );
  command('deletion', 'Ask for immediate deletion: a one-time code is e-mailed (SUB-10)', empty, (id) => handle(id).startUpdate(requestDeletionUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED }));
  command(
    'deletion/confirm',
    `Confirm immediate deletion with the e-mailed code (SUB-10); ${MAX_CODE_ATTEMPTS} wrong codes and it must be requested again`,
    z.object({ code: z.string().trim().length(DELETION_CODE_LENGTH).describe(`the ${DELETION_CODE_LENGTH}-character code of the e-mail; spaces around it are ignored`) }).strict(),
    (id, b) => startDeletionConfirmation(deps, id, b.code),
  );

  routes.add({
    method: 'post',
    path: '/orders/:orderId/withdraw',
    tag: 'subscriptions',
    summary: 'Withdraw from an order within 14 days (individual) / 7 days (business): full refund, services end (SUB-11)',
    allow: allow.customer,
    params: z.object({ orderId: z.string().regex(/^ord_[A-Za-z0-9_-]{1,80}$/, 'must be a ord_… id') }),
    body: empty,
    responses: {
      200: { description: 'Per-line outcomes: undecided lines cancelled, running subscriptions withdrawn, ended ones refunded, all in full', schema: withdrawalAnswer },
      409: { description: 'The order was never paid' },
      422: { description: 'Refused after the window, with the reason' },
    },
    handler: async ({ principal, params }) => {
      const order = await deps.db.order.findUnique({ where: { id: params.orderId } });
      if (!order) throw Problem.notFound(`no order ${params.orderId}`);
      if (principal.kind !== 'customer' || principal.customerId !== order.customerId) throw Problem.forbidden('this order is not yours');
      // Driven from the order's lines by OrderWithdrawal:<orderId>; a repeat gets the same result.
      const result = await withdrawOrder(deps, order);
      return { status: 200, body: result };
    },
  });

  // The documents (INV-1): api/routes/documents.ts and api/routes/document-lists.ts.
}

