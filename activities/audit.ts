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
  await tx.auditLog.upsert({
    where: { key: e.key },
    create: {
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
    update: {},
  });
}
