// State changes of order lines (ORD-6, ORD-7), each written with its audit entry in one
// statement, so atomically. Audit keys are business keys, so a retried activity changes nothing twice.
import type { ActivityDeps } from './deps';
import { notFound } from './errors';

interface LineChangeBase {
  lineId: string;
  orderId: string;
  workflowId: string;
  /** Workflow time of the change. */
  at: string;
}

/** The columns a change sets (ISO times); the others keep their value. */
interface LineChange {
  status: string;
  validationDueAt?: string;
  accessInstructions?: string;
  decidedAt?: string;
  refusalReason?: string;
  cancelReason?: string;
}

export function createOrderActivities({ db }: ActivityDeps) {
  /**
   * The line's update and its audit entry in one statement (a data-modifying WITH runs whole or
   * not at all, like the transaction of two statements it replaces: four round trips and three
   * Prisma operations become one). The audit entry is written once (ON CONFLICT DO NOTHING on its
   * key), and only if the line exists; an unknown line is an error, as Prisma's update made it.
   * Times are written as Prisma writes them: UTC timestamps, whatever the session's time zone.
   */
  async function changeLine(
    base: LineChangeBase,
    set: LineChange,
    audit: { key: string; actor: string; action: string; data?: Record<string, unknown> },
  ): Promise<void> {
    const utc = (iso: string | undefined) => (iso === undefined ? null : new Date(iso).toISOString());
    const [{ changed }] = await db.$queryRaw<{ changed: number }[]>`
      WITH line AS (
        UPDATE "OrderLine" SET
          "status" = ${set.status},
          "validationDueAt" = COALESCE(${utc(set.validationDueAt)}::timestamptz AT TIME ZONE 'UTC', "validationDueAt"),
          "accessInstructions" = COALESCE(${set.accessInstructions ?? null}::text, "accessInstructions"),
          "decidedAt" = COALESCE(${utc(set.decidedAt)}::timestamptz AT TIME ZONE 'UTC', "decidedAt"),
          "refusalReason" = COALESCE(${set.refusalReason ?? null}::text, "refusalReason"),
          "cancelReason" = COALESCE(${set.cancelReason ?? null}::text, "cancelReason"),
          "updatedAt" = CURRENT_TIMESTAMP AT TIME ZONE 'UTC'
        WHERE "id" = ${base.lineId}
        RETURNING "id"
      ), entry AS (
        INSERT INTO "AuditLog" ("key", "at", "actor", "action", "entityType", "entityId", "orderId", "workflowId", "data")
        SELECT ${audit.key}, ${utc(base.at)}::timestamptz AT TIME ZONE 'UTC', ${audit.actor}, ${audit.action}, 'order_line', line."id",
               ${base.orderId}, ${base.workflowId}, ${JSON.stringify(audit.data ?? {})}
        FROM line
        ON CONFLICT DO NOTHING
      )
      SELECT count(*)::int AS changed FROM line`;
    if (changed !== 1) throw new Error(`no order line ${base.lineId}`);
  }

  return {
    async markLineAwaitingValidation(input: LineChangeBase & { validationDueAt: string }): Promise<void> {
      await changeLine(
        input,
        { status: 'awaiting_validation', validationDueAt: input.validationDueAt },
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
        { status: 'awaiting_validation', validationDueAt: input.newDueAt },
        {
          key: `line:${input.lineId}:extended:${input.extensionNumber}`,
          actor: input.actor,
          action: 'line.validation_extended',
          data: { hours: input.hours, newDueAt: input.newDueAt },
        },
      );
    },

    /** ORD-6: the instructions the API stored for this line and its seller, copied onto the line. */
    async activateLine(input: LineChangeBase & { actor: string; accessInstructionsId: string }): Promise<void> {
      const [stored] = await db.$queryRaw<{ text: string }[]>`
        SELECT a."text" FROM "AccessInstructions" a JOIN "OrderLine" l ON l."id" = a."lineId" AND l."sellerId" = a."sellerId"
        WHERE a."id" = ${input.accessInstructionsId} AND a."lineId" = ${input.lineId}`;
      if (!stored) notFound(`no access instructions ${input.accessInstructionsId} for line ${input.lineId}`);
      await changeLine(
        input,
        { status: 'active', accessInstructions: stored.text, decidedAt: input.at },
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
          decidedAt: input.at,
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
