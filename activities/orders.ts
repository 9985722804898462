// State changes of order lines (ORD-6, ORD-7), each written with its audit entry in one
// transaction. Audit keys are business keys, so a retried activity changes nothing twice.
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';

interface LineChangeBase {
  lineId: string;
  orderId: string;
  workflowId: string;
  /** Workflow time of the change. */
  at: string;
}

export function createOrderActivities({ db }: ActivityDeps) {
  async function changeLine(
    base: LineChangeBase,
    data: Parameters<typeof db.orderLine.update>[0]['data'],
    audit: { key: string; actor: string; action: string; data?: Record<string, unknown> },
  ): Promise<void> {
    await db.$transaction(async (tx) => {
      await tx.orderLine.update({ where: { id: base.lineId }, data });
      await writeAudit(tx, {
        key: audit.key,
        at: base.at,
        actor: audit.actor,
        action: audit.action,
        entityType: 'order_line',
        entityId: base.lineId,
        orderId: base.orderId,
        workflowId: base.workflowId,
        data: audit.data,
      });
    });
  }

  return {
    async markLineAwaitingValidation(input: LineChangeBase & { validationDueAt: string }): Promise<void> {
      await changeLine(
        input,
        { status: 'awaiting_validation', validationDueAt: new Date(input.validationDueAt) },
        {
          key: `line:${input.lineId}:awaiting_validation`,
          actor: 'system',
          action: 'line.awaiting_validation',
          data: { validationDueAt: input.validationDueAt },
        },
      );
    },

    async markLineOverdue(input: LineChangeBase & { round: number }): Promise<void> {
      await changeLine(
        input,
        { status: 'overdue' },
        { key: `line:${input.lineId}:overdue:${input.round}`, actor: 'system', action: 'line.overdue', data: { round: input.round } },
      );
    },

    async recordValidationExtended(
      input: LineChangeBase & { actor: string; hours: number; newDueAt: string; extensionNumber: number },
    ): Promise<void> {
      await changeLine(
        input,
        { status: 'awaiting_validation', validationDueAt: new Date(input.newDueAt) },
        {
          key: `line:${input.lineId}:extended:${input.extensionNumber}`,
          actor: input.actor,
          action: 'line.validation_extended',
          data: { hours: input.hours, newDueAt: input.newDueAt },
        },
      );
    },

    async activateLine(input: LineChangeBase & { actor: string; accessInstructions: string }): Promise<void> {
      await changeLine(
        input,
        { status: 'active', accessInstructions: input.accessInstructions, decidedAt: new Date(input.at) },
        { key: `line:${input.lineId}:accepted`, actor: input.actor, action: 'line.accepted' },
      );
    },

    async closeLineUnfulfilled(
      input: LineChangeBase & { actor: string; status: string; reason: string; refundId: string },
    ): Promise<void> {
      const refused = input.status === 'refused';
      await changeLine(
        input,
        {
          status: input.status,
          decidedAt: new Date(input.at),
          ...(refused ? { refusalReason: input.reason } : { cancelReason: input.reason }),
        },
        {
          key: `line:${input.lineId}:${input.status}`,
          actor: input.actor,
          action: refused ? 'line.refused' : 'line.cancelled',
          data: { reason: input.reason, refundId: input.refundId },
        },
      );
    },
  };
}
