// The subscription commands that both the authenticated routes (api/routes/subscriptions.ts)
// and the signed e-mail links (api/routes/links.ts) carry out, one way: the card saved with the
// gateway and handed to the workflow by id, the e-mailed code checked with its 5-try counter
// (SUB-10), the withdrawal driven by OrderWithdrawal:<orderId> (SUB-11). Who may call is the
// caller's business (the route checks the owner, a link its signature).
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage, type WorkflowUpdateHandle } from '@temporalio/client';
import { orderWithdrawalResultUpdate, orderWithdrawalWorkflow, orderWithdrawalWorkflowId, type OrderWithdrawalResult } from '../workflows/order-withdrawal';
import { BusinessStatusKey, CustomerIdKey, OrderIdKey, OrderNumberKey } from '../workflows/search-attributes';
import { changeQuantityUpdate, confirmDeletionUpdate, payNextPeriodUpdate, subscriptionWorkflowId, updateCardUpdate, type EffectiveAnswer } from '../workflows/subscription';
import { withdrawalSummary } from '../workflows/summaries';
import { formatDate } from '../domain/time-format';
import { confirmDeletionCode } from './deletion-confirmation';
import type { ApiDeps } from './deps';
import { Problem } from './problem';
import { runUpdate, type UpdateOutcome } from './temporal-errors';
import { z } from './zod';

/** A card as a customer types it (a body field `card`): saved with the gateway at once, never kept. */
export const card = z
  .object({
    number: z.string().regex(/^[\d -]{12,23}$/, 'digits only'),
    expMonth: z.number().int().min(1).max(12),
    expYear: z.number().int().min(2000).max(2100),
    cvc: z.string().regex(/^\d{3,4}$/, '3 or 4 digits'),
  })
  .strict();
export type CardInput = z.infer<typeof card>;

const handle = (deps: ApiDeps, subscriptionId: string) => deps.temporal.workflow.getHandle(subscriptionWorkflowId(subscriptionId));

/** Where the card's fields are in the caller's body: a field error names them there. */
type CardField = 'body.card.number' | 'body.number';

/**
 * SUB-4, SUB-5: saves the card with the gateway and sends it to the workflow by id; a past-due
 * payment is then retried at once by the workflow. A card the workflow refuses is removed again.
 */
export async function startCardUpdate(deps: ApiDeps, subscriptionId: string, card: CardInput, field: CardField): Promise<WorkflowUpdateHandle<EffectiveAnswer>> {
  // An ended subscription takes no card: refused before the card reaches the gateway (the
  // workflow's validator still has the last word).
  const sub = await deps.db.subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
  if (sub.status === 'terminated') {
    const on = sub.endedAt ? ` on ${formatDate(sub.endedAt)}` : '';
    throw Problem.conflict(`the subscription has ended (${sub.endReason ?? 'ended'})${on}`, { reason: 'SubscriptionEnded' });
  }
  const saved = await deps.gateway.saveCard(card);
  if ('error' in saved) {
    throw Problem.unprocessable('invalid-card', 'Invalid card', saved.error, { errors: [{ field, message: saved.error }] });
  }
  // The token stays in the database; the workflow gets the card's id.
  const cardId = `card_${randomUUID()}`;
  await deps.db.paymentCard.create({ data: { id: cardId, customerId: sub.customerId, token: saved.token, last4: saved.last4, brand: saved.brand } });
  try {
    return await handle(deps, subscriptionId).startUpdate(updateCardUpdate, { args: [{ cardId, last4: saved.last4 }], waitForStage: WorkflowUpdateStage.ACCEPTED });
  } catch (err) {
    // Only a refusal (the validator) means the workflow will never use it; after a timeout the
    // Update may have been accepted, and the card stays.
    if (err instanceof WorkflowUpdateFailedError) {
      await deps.db.paymentCard.delete({ where: { id: cardId } });
      await deps.gateway.deleteCard(saved.token);
    }
    throw err;
  }
}

/** SUB-6 (and SUB-5's overdue period): pays the next period now on the saved card. */
export function startPayNextPeriod(deps: ApiDeps, subscriptionId: string): Promise<WorkflowUpdateHandle<EffectiveAnswer>> {
  return handle(deps, subscriptionId).startUpdate(payNextPeriodUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED });
}

/** Quantities: an increase charged at once, prorated; a decrease from the next renewal (the workflow's house rules). */
export function startQuantityChange(deps: ApiDeps, subscriptionId: string, quantity: number): Promise<WorkflowUpdateHandle<EffectiveAnswer>> {
  return handle(deps, subscriptionId).startUpdate(changeQuantityUpdate, { args: [{ quantity }], waitForStage: WorkflowUpdateStage.ACCEPTED });
}

/** SUB-10: the code checked against its hash (a wrong one is a counted try), then the workflow told. */
export async function startDeletionConfirmation(deps: ApiDeps, subscriptionId: string, code: string): Promise<WorkflowUpdateHandle<EffectiveAnswer>> {
  const request = await confirmDeletionCode(deps, subscriptionId, code);
  return handle(deps, subscriptionId).startUpdate(confirmDeletionUpdate, { args: [{ request }], waitForStage: WorkflowUpdateStage.ACCEPTED });
}

/** The link pages' forms: the same commands with runUpdate's bounded wait. */
export const replaceCard = (deps: ApiDeps, subscriptionId: string, card: CardInput): Promise<UpdateOutcome<EffectiveAnswer>> =>
  runUpdate(deps.temporal, () => startCardUpdate(deps, subscriptionId, card, 'body.number'));
export const payNextPeriod = (deps: ApiDeps, subscriptionId: string): Promise<UpdateOutcome<EffectiveAnswer>> => runUpdate(deps.temporal, () => startPayNextPeriod(deps, subscriptionId));
export const confirmDeletion = (deps: ApiDeps, subscriptionId: string, code: string): Promise<UpdateOutcome<EffectiveAnswer>> =>
  runUpdate(deps.temporal, () => startDeletionConfirmation(deps, subscriptionId, code));

/** SUB-11: withdraws from a paid order through OrderWithdrawal:<orderId>; a repeat gets the same result. */
export async function withdrawOrder(deps: ApiDeps, order: { id: string; number: string; customerId: string | null; paidAt: Date | null }): Promise<OrderWithdrawalResult> {
  if (!order.paidAt || !order.customerId) throw Problem.conflict('this order was never paid: there is nothing to withdraw from');
  const workflowId = orderWithdrawalWorkflowId(order.id);
  try {
    await deps.temporal.workflow.start(orderWithdrawalWorkflow, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [{ orderId: order.id, customerId: order.customerId, orderNumber: order.number }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
      // What staff see and filter on in the Temporal UI (docs/temporal-ui.md).
      staticSummary: withdrawalSummary(order.number),
      typedSearchAttributes: [
        { key: OrderIdKey, value: order.id },
        { key: OrderNumberKey, value: order.number },
        { key: CustomerIdKey, value: order.customerId },
        { key: BusinessStatusKey, value: 'withdrawing' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // done before: same result
  }
  const withdrawal = deps.temporal.workflow.getHandle<typeof orderWithdrawalWorkflow>(workflowId);
  let result: OrderWithdrawalResult;
  try {
    // Answers once the withdrawal is carried out; once the workflow has closed, its result.
    result = await withdrawal.executeUpdate(orderWithdrawalResultUpdate);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError) && !(err instanceof WorkflowUpdateFailedError) && !isClosedError(err)) throw err;
    result = await withdrawal.result();
  }
  if (result.status === 'refused') {
    throw Problem.unprocessable('command-refused', 'Command refused', result.reason, { reason: 'WithdrawalPeriodOver', deadline: result.deadline });
  }
  return result;
}

/** An Update sent to a workflow that has already completed is refused by the server this way. */
function isClosedError(err: unknown): boolean {
  return err instanceof Error && /already completed|workflow execution already completed|not found/i.test(err.message);
}
