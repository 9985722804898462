// ACC-3: closing a customer account. The obstacles are read from the read models (subscriptions,
// lines, orders, tickets, support invoices); the closure itself is three idempotent steps the
// AccountClosure workflow drives, each retried until done:
//  1. close: in one transaction, obstacles checked again, closedAt set, keys revoked, sign-in links
//     spent — or nothing, and the obstacles returned;
//  2. erase: in one transaction, every personal datum of the account replaced by a tombstone, then
//     its e-mail address swept out of every text column of every table (a store added later is
//     covered too) — except the issued invoices and credit notes, kept as the law requires;
//  3. withdraw its open calls for tenders (TND-1: no partner reads or answers them any more);
//  4. end its partnerships (rows ended at once, each partnership workflow signalled).
// Nothing personal travels in or out of these activities: ids and counts only (ACC-3, X-7).
import type { Prisma } from '@prisma/client';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { addressPattern, closureObstacles, ERASED, ERASED_TEXT, erasedEmail, TICKET_ENDED, type ClosureFacts, type ClosureObstacle } from '../domain/account-closure';
import type { Db } from '../infra/db';
import { TENDER_CLOSED_ACCOUNT, tenderWorkflowId, withdrawTenderUpdate } from '../workflows/tender';
import { writeAudit } from './audit';
import type { ActivityDeps } from './deps';
import { invalid } from './errors';

type Reader = Prisma.TransactionClient | Db;

/** The rows ACC-3 decides on, for one customer. */
export async function closureFacts(db: Reader, customerId: string): Promise<ClosureFacts> {
  const [subscriptions, lines, pendingOrders, openTickets, unpaidInvoices] = await Promise.all([
    db.$queryRaw<ClosureFacts['subscriptions']>`
      SELECT s."id", s."status", l."name" FROM "Subscription" s JOIN "OrderLine" l ON l."id" = s."id"
      WHERE s."customerId" = ${customerId} AND s."status" <> 'terminated' ORDER BY s."id"`,
    db.$queryRaw<ClosureFacts['lines']>`
      SELECT l."id", l."status", l."name", o."number" AS "orderNumber" FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
      WHERE o."customerId" = ${customerId} AND o."status" = 'paid'
        AND NOT EXISTS (SELECT 1 FROM "Subscription" s WHERE s."id" = l."id") ORDER BY o."number", l."position"`,
    db.order.findMany({ where: { customerId, status: 'payment_pending' }, select: { number: true }, orderBy: { number: 'asc' } }),
    db.ticket.findMany({ where: { customerId, status: { notIn: TICKET_ENDED } }, select: { id: true, status: true }, orderBy: { openedAt: 'asc' } }),
    db.$queryRaw<{ number: string; dueAt: Date | null; totalCents: number; currency: string }[]>`
      SELECT i."number", i."dueAt", i."totalCents", i."currency" FROM "Invoice" i
      WHERE i."customerId" = ${customerId} AND i."kind" = 'invoice' AND i."ticketId" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "SupportPayment" p WHERE p."invoiceId" = i."id" AND p."status" = 'captured')
        AND NOT EXISTS (SELECT 1 FROM "Invoice" c WHERE c."creditedInvoiceId" = i."id")
      ORDER BY i."number"`,
  ]);
  return { subscriptions, lines, pendingOrders, openTickets, unpaidInvoices: unpaidInvoices.map((i) => ({ ...i, dueAt: i.dueAt?.toISOString() ?? null })) };
}

export async function findClosureObstacles(db: Reader, customerId: string): Promise<ClosureObstacle[]> {
  return closureObstacles(await closureFacts(db, customerId));
}

/** Tables never edited: issued invoices and credit notes with their files (a trigger refuses it), and the ledger. */
const KEPT_AS_ISSUED = new Set(['Invoice', 'DocumentFile', 'LedgerTransfer', '_prisma_migrations']);

/** Partnership statuses still in force or awaiting an answer (PRT-2). */
const LIVE_PARTNERSHIP = ['pending', 'active'];

export interface CloseResult {
  closed: boolean;
  /** Set when an obstacle appeared after the request: nothing was changed. */
  obstacles: ClosureObstacle[];
}

export interface ErasureResult {
  /** Rows changed per table (tombstones and the sweep); nothing personal. */
  rows: Record<string, number>;
}

export function createAccountClosureActivities(deps: ActivityDeps) {
  const { db } = deps;

  /**
   * The e-mail address swept out of every text and JSON column but the issued documents': one
   * UPDATE per table that holds it, case-insensitively, the address as a whole (another account's
   * longer address that contains it stays as it is). Reads the columns from the catalog, so a
   * table another feature adds later is covered without a change here.
   */
  async function sweep(tx: Prisma.TransactionClient, email: string, tombstone: string, rows: Record<string, number>): Promise<void> {
    const columns = await tx.$queryRaw<{ table: string; column: string; type: string }[]>`
      SELECT c."table_name" AS "table", c."column_name" AS "column", c."data_type" AS "type"
      FROM information_schema.columns c JOIN information_schema.tables t ON t."table_schema" = c."table_schema" AND t."table_name" = c."table_name"
      WHERE c."table_schema" = current_schema() AND t."table_type" = 'BASE TABLE' AND c."data_type" IN ('text', 'character varying', 'json', 'jsonb')
      ORDER BY c."table_name", c."ordinal_position"`;
    const byTable = new Map<string, { column: string; type: string }[]>();
    for (const c of columns) if (!KEPT_AS_ISSUED.has(c.table)) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    for (const [table, cols] of byTable) {
      const text = (c: { column: string; type: string }) => (c.type.startsWith('json') ? `${quote(c.column)}::text` : quote(c.column));
      const value = (c: { column: string; type: string }) => {
        const replaced = `regexp_replace(${text(c)}, $1, $2, 'gi')`;
        return `CASE WHEN ${text(c)} ~* $1 THEN ${c.type.startsWith('json') ? `(${replaced})::${c.type}` : replaced} ELSE ${quote(c.column)} END`;
      };
      const changed = await tx.$executeRawUnsafe(
        `UPDATE ${quote(table)} SET ${cols.map((c) => `${quote(c.column)} = ${value(c)}`).join(', ')} WHERE ${cols.map((c) => `${text(c)} ~* $1`).join(' OR ')}`,
        addressPattern(email),
        tombstone,
      );
      if (changed > 0) rows[`sweep:${table}`] = changed;
    }
  }

  return {
    /**
     * ACC-3 step 1: the account closes if nothing is in the way now (an order may have been placed
     * since the request): closedAt, its keys revoked and its sign-in links spent, in one
     * transaction. Already closed: the same answer again.
     */
    async closeCustomerAccount(input: { customerId: string; confirmationId: string; at: string; workflowId: string }): Promise<CloseResult> {
      return db.$transaction(async (tx) => {
        // Two closures at once (or a checkout's capture creating lines) wait for each other here.
        await tx.$queryRaw`SELECT "id" FROM "Customer" WHERE "id" = ${input.customerId} FOR UPDATE`;
        const customer = await tx.customer.findUniqueOrThrow({ where: { id: input.customerId } });
        if (customer.closedAt) return { closed: true, obstacles: [] };
        const confirmation = await tx.confirmationCode.findUnique({ where: { id: input.confirmationId } });
        if (confirmation?.purpose !== 'account-closure' || confirmation.subjectId !== input.customerId || !confirmation.usedAt) {
          invalid(`confirmation ${input.confirmationId} does not confirm the closure of ${input.customerId}`);
        }
        const obstacles = await findClosureObstacles(tx, input.customerId);
        if (obstacles.length > 0) return { closed: false, obstacles };
        const at = new Date(input.at);
        await tx.customer.update({ where: { id: input.customerId }, data: { closedAt: at } });
        await tx.apiKey.updateMany({ where: { customerId: input.customerId, revokedAt: null }, data: { revokedAt: at } });
        await tx.signInToken.updateMany({ where: { customerId: input.customerId, usedAt: null }, data: { usedAt: at } });
        await writeAudit(tx, {
          key: `customer:${input.customerId}:closed`,
          at: input.at,
          actor: confirmation.actor,
          action: 'customer.closed',
          entityType: 'customer',
          entityId: input.customerId,
          workflowId: input.workflowId,
          data: { confirmationId: input.confirmationId },
        });
        return { closed: true, obstacles: [] };
      });
    },

    /**
     * ACC-3 step 2: every personal datum of the closed account replaced by a tombstone, in one
     * transaction: a retry after a failure starts again from nothing done; after success it finds
     * the tombstones and changes nothing more (the address is gone, the sweep has nothing to find).
     */
    async eraseCustomerData(input: { customerId: string; workflowId: string }): Promise<ErasureResult> {
      return db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT "id" FROM "Customer" WHERE "id" = ${input.customerId} FOR UPDATE`;
          const customer = await tx.customer.findUniqueOrThrow({ where: { id: input.customerId } });
          if (!customer.closedAt) invalid(`customer ${input.customerId} is not closed: nothing is erased`);
          const tombstone = erasedEmail(customer.id);
          const rows: Record<string, number> = {};
          const count = (table: string, n: { count: number } | number) => {
            const k = typeof n === 'number' ? n : n.count;
            if (k > 0) rows[table] = (rows[table] ?? 0) + k;
          };
          if (customer.email === tombstone) return { rows };
          const email = customer.email;
          const sameAddress = { equals: email, mode: 'insensitive' as const };

          const orders = await tx.order.findMany({ where: { OR: [{ customerId: customer.id }, { customerEmail: sameAddress }] }, select: { id: true, cardId: true } });
          const orderIds = orders.map((o) => o.id);
          count('Order', await tx.order.updateMany({
            where: { id: { in: orderIds } },
            data: { customerEmail: tombstone, customerName: ERASED, customerAddress: null, customerCountry: null, customerVatNumber: null, customerRegistrationNumber: null },
          }));
          const lineIds = (await tx.orderLine.findMany({ where: { orderId: { in: orderIds } }, select: { id: true } })).map((l) => l.id);
          // Access instructions are written for the buyer, often with its login.
          count('OrderLine', await tx.orderLine.updateMany({ where: { id: { in: lineIds }, accessInstructions: { not: null } }, data: { accessInstructions: ERASED } }));
          count('AccessInstructions', await tx.accessInstructions.updateMany({ where: { lineId: { in: lineIds } }, data: { text: ERASED } }));
          // No card of a closed account may be charged again: the gateway token goes.
          const cards = { OR: [{ customerId: customer.id }, { id: { in: orders.map((o) => o.cardId) } }] };
          for (const card of await tx.paymentCard.findMany({ where: cards, select: { id: true } })) {
            count('PaymentCard', await tx.paymentCard.updateMany({ where: { id: card.id }, data: { token: `erased:${card.id}` } }));
          }

          const emails = await tx.email.findMany({ where: { OR: [{ customerId: customer.id }, { toAddress: sameAddress }] }, select: { messageId: true } });
          // Not sent yet (held for business hours, POL-5, or the mail server down): never sent now,
          // its address is erased (its EmailDelivery workflow finds it cancelled and stops).
          await tx.email.updateMany({ where: { OR: [{ customerId: customer.id }, { toAddress: sameAddress }], status: 'queued' }, data: { status: 'cancelled' } });
          count('Email', await tx.email.updateMany({
            where: { OR: [{ customerId: customer.id }, { toAddress: sameAddress }] },
            data: { toAddress: tombstone, subject: ERASED, text: ERASED_TEXT, maskedText: null },
          }));
          // The development mailbox's copies of those e-mails (infra/smtp-inbox.ts).
          count('MailboxMessage', await tx.mailboxMessage.updateMany({
            where: { OR: [{ messageId: { in: emails.map((e) => e.messageId) } }, { toAddrs: sameAddress }] },
            data: { toAddrs: tombstone, subject: ERASED, text: ERASED_TEXT },
          }));

          for (const contact of await tx.supportContact.findMany({ where: { customerId: customer.id }, select: { id: true } })) {
            count('SupportContact', await tx.supportContact.updateMany({ where: { id: contact.id }, data: { name: ERASED, email: erasedEmail(contact.id) } }));
          }
          const ticketIds = (await tx.ticket.findMany({ where: { customerId: customer.id }, select: { id: true } })).map((t) => t.id);
          count('Ticket', await tx.ticket.updateMany({ where: { id: { in: ticketIds } }, data: { subject: ERASED } }));
          count('TicketMessage', await tx.ticketMessage.updateMany({ where: { ticketId: { in: ticketIds } }, data: { text: ERASED_TEXT } }));
          count('CustomerVerification', await tx.customerVerification.updateMany({ where: { customerId: customer.id }, data: { evidenceRef: ERASED } }));
          count('Tender', await tx.tender.updateMany({
            where: { OR: [{ customerId: customer.id }, { contactEmail: sameAddress }] },
            data: { contactName: ERASED, contactEmail: tombstone, contactPhone: null },
          }));
          // A partner company's legal representatives are people (PRT-1).
          count('Partner', await tx.partner.updateMany({ where: { customerId: customer.id }, data: { legalRepresentatives: [] } }));
          count('ApiKey', await tx.apiKey.updateMany({ where: { customerId: customer.id }, data: { label: ERASED } }));
          count('Customer', await tx.customer.updateMany({
            where: { id: customer.id },
            data: { email: tombstone, name: ERASED, address: null, country: null, vatNumber: null, registrationNumber: null },
          }));

          await sweep(tx, email, tombstone, rows);
          await writeAudit(tx, {
            key: `customer:${customer.id}:erased`,
            at: new Date().toISOString(),
            actor: 'system:account-closure',
            action: 'customer.erased',
            entityType: 'customer',
            entityId: customer.id,
            workflowId: input.workflowId,
            data: { rows },
          });
          return { rows };
        },
        // The sweep reads every table once: more than Prisma's 5-second default on a large database.
        { timeout: 5 * 60_000, maxWait: 30_000 },
      );
    },

    /**
     * TND-1 with ACC-3: each open call of the account is withdrawn through its workflow, as its
     * contact would (no read or proposal after it); nothing is e-mailed, the address is erased. A
     * call that ended meanwhile (its 30 days ran out) is left as it ended.
     */
    async withdrawCustomerTenders(input: { customerId: string }): Promise<{ withdrawn: number }> {
      const open = await db.tender.findMany({ where: { customerId: input.customerId, status: 'open' }, select: { id: true }, orderBy: { id: 'asc' } });
      let withdrawn = 0;
      for (const t of open) {
        try {
          await Context.current().client.workflow.getHandle(tenderWorkflowId(t.id)).executeUpdate(withdrawTenderUpdate, { args: [{ by: TENDER_CLOSED_ACCOUNT }] });
          withdrawn++;
        } catch (err) {
          const ended = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'TenderEnded';
          if (!ended && !(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return { withdrawn };
    },

    /**
     * ACC-3, PRT-7: the closed account's live partnerships (as customer, or as the partner company)
     * end at once: the rows first (access is read from them, X-6), then each partnership workflow
     * is told (`accountClosed`); one already gone is nothing to tell.
     */
    async endCustomerPartnerships(input: { customerId: string; at: string; workflowId: string }): Promise<{ ended: number }> {
      const partner = await db.partner.findUnique({ where: { customerId: input.customerId }, select: { id: true } });
      const live = await db.partnership.findMany({
        where: { status: { in: LIVE_PARTNERSHIP }, OR: [{ customerId: input.customerId }, ...(partner ? [{ partnerId: partner.id }] : [])] },
        select: { id: true, customerId: true, partnerId: true },
      });
      for (const p of live) {
        await db.$transaction(async (tx) => {
          const ended = await tx.partnership.updateMany({ where: { id: p.id, status: { in: LIVE_PARTNERSHIP } }, data: { status: 'ended', endedAt: new Date(input.at), endedBy: 'account_closed' } });
          if (ended.count > 0) {
            await writeAudit(tx, {
              key: `partnership:${p.id}:ended:account-closed`,
              at: input.at,
              actor: 'system:account-closure',
              action: 'partnership.ended',
              entityType: 'partnership',
              entityId: p.id,
              workflowId: input.workflowId,
              data: { customerId: p.customerId, partnerId: p.partnerId, endedBy: 'account_closed' },
            });
          }
        });
      }
      // Rows ended by an earlier attempt of this step are told again: a signal is harmless twice.
      const told = await db.partnership.findMany({
        where: { endedBy: 'account_closed', OR: [{ customerId: input.customerId }, ...(partner ? [{ partnerId: partner.id }] : [])] },
        select: { customerId: true, partnerId: true },
      });
      for (const p of told) {
        try {
          await Context.current().client.workflow.getHandle(`Partnership:${p.customerId}:${p.partnerId}`).signal('accountClosed');
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return { ended: live.length };
    },
  };
}
