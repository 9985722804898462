// DIA-4: paying a ticket's invoice by card, for the authenticated route and the e-mailed link:
// the card saved with the gateway and handed to the workflow by id. A payment the workflow
// refuses (nothing to pay, closed) or that the gateway declines leaves no card behind: that card
// is never used again.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateStage } from '@temporalio/client';
import { payInvoiceUpdate, ticketWorkflowId, type TicketState } from '../workflows/ticket';
import type { ApiDeps } from './deps';
import { Problem } from './problem';
import type { CardInput } from './subscription-commands';
import { runUpdateOrUndo, type UpdateOutcome } from './temporal-errors';

export async function payTicket(deps: ApiDeps, ticketId: string, customerId: string, card: CardInput, field: 'body.card.number' | 'body.number' = 'body.number'): Promise<UpdateOutcome<TicketState>> {
  const saved = await deps.gateway.saveCard(card);
  if ('error' in saved) throw Problem.unprocessable('invalid-card', 'Invalid card', saved.error, { errors: [{ field, message: saved.error }] });
  const cardId = `card_${randomUUID()}`;
  await deps.db.paymentCard.create({ data: { id: cardId, customerId, token: saved.token, last4: saved.last4, brand: saved.brand } });
  return runUpdateOrUndo(
    deps.temporal,
    () => deps.temporal.workflow.getHandle(ticketWorkflowId(ticketId)).startUpdate(payInvoiceUpdate, { args: [{ customerId, cardId }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
    async () => {
      await deps.db.paymentCard.delete({ where: { id: cardId } });
      await deps.gateway.deleteCard(saved.token);
    },
  );
}
