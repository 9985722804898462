// the audit log. Each entry has a business key, so a retried activity writes it once.
import type { Prisma } from '@prisma/client';

export interface AuditEntry {
  key: string;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  orderId?: string;
  workflowId?: string;
  data?: Record<string, unknown>;
}

export async function writeAudit(tx: Prisma.TransactionClient, e: AuditEntry): Promise<void> {
  // INSERT … ON CONFLICT DO NOTHING: one statement, where an upsert with nothing to update took
  // three (look up the key, insert, read the row back). An entry already written stays as it is.
  await tx.auditLog.createMany({
    data: [
      {
        key: e.key,
        at: new Date(e.at),
        actor: e.actor,
        action: e.action,
        entityType: e.entityType,
        entityId: e.entityId,
        orderId: e.orderId,
        workflowId: e.workflowId,
        data: JSON.stringify(e.data ?? {}),
      },
    ],
    skipDuplicates: true,
  });
}
