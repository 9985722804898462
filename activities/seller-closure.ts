// MED-5: when a seller's account is closed, every running subscription of its customers stops
// renewing and ends at the end of its current period, and each customer is e-mailed once. The
// SellerClosure workflow calls this a page of customers at a time (bounded work per call, bounded
// history); a page retried after a crash changes nothing already done: the subscription answers
// `sellerClosed` again with the same end, and the e-mail is keyed by the case and the customer.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { formatDate } from '../domain/time-format';
import { emailDeliveryWorkflow, emailDeliveryWorkflowId } from '../workflows/email-delivery';
import { sellerClosedUpdate, subscriptionWorkflowId } from '../workflows/subscription';
import { emailSummary } from '../workflows/summaries';
import type { ActivityDeps } from './deps';
import { recordEmail } from './emails';

export interface ClosurePageInput {
  sellerId: string;
  caseId: string;
  closedAt: string;
  /** Customers are taken in id order after this one (null: from the first). */
  afterCustomerId: string | null;
  /** Customers per page. */
  customers: number;
}

export interface ClosurePageResult {
  /** The last customer of this page; null once there are no more. */
  nextCursor: string | null;
  customers: number;
  /** Subscriptions told in this page (each ends at its period end, or ended at once if past due). */
  subscriptions: number;
  emails: number;
}

/** Customers handled at once within a page: each is a few Updates and one e-mail. */
const CONCURRENCY = 16;

interface Ending {
  name: string;
  endsAt: string;
  ended: boolean;
}

export function createSellerClosureActivities(deps: ActivityDeps) {
  const { db } = deps;

  /** Tells one subscription; null when it had ended for another reason (nothing to tell). */
  async function tell(subscriptionId: string, input: ClosurePageInput): Promise<Omit<Ending, 'name'> | null> {
    const row = await db.subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    if (row.status !== 'terminated') {
      try {
        const answer = await Context.current()
          .client.workflow.getHandle(subscriptionWorkflowId(subscriptionId))
          .executeUpdate(sellerClosedUpdate, { args: [{ caseId: input.caseId, closedAt: input.closedAt }] });
        return { endsAt: answer.effectiveAt!, ended: answer.state.status === 'terminated' };
      } catch (err) {
        const ended = err instanceof WorkflowNotFoundError || (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'SubscriptionEnded');
        if (!ended) throw err;
      }
    }
    // Ended: by this closure (a page retried after its end was recorded) or for its own reason.
    const now = await db.subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    return now.endReason === 'seller_closed' && now.endedAt ? { endsAt: now.endedAt.toISOString(), ended: true } : null;
  }

  async function closeForCustomer(customerId: string, input: ClosurePageInput, sellerName: string): Promise<{ subscriptions: number; email: boolean }> {
    const subs = await db.$queryRaw<{ id: string; name: string }[]>`
      SELECT s."id", l."name" FROM "Subscription" s JOIN "OrderLine" l ON l."id" = s."id"
      WHERE s."sellerId" = ${input.sellerId} AND s."customerId" = ${customerId}
        AND (s."status" <> 'terminated' OR s."endReason" = 'seller_closed')
      ORDER BY s."id"`;
    const endings: Ending[] = [];
    for (const s of subs) {
      const told = await tell(s.id, input);
      if (told) endings.push({ name: s.name, ...told });
    }
    if (endings.length === 0) return { subscriptions: 0, email: false };
    const customer = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
    const lines = endings.map((e) =>
      e.ended ? `- ${e.name}: ended on ${formatDate(e.endsAt)}; nothing more is charged.` : `- ${e.name}: paid until ${formatDate(e.endsAt)}; it ends then and does not renew.`,
    );
    const emailId = `seller-closure:${input.caseId}:${customerId}`;
    await recordEmail(db, {
      id: emailId,
      customerId,
      toAddress: customer.email,
      subject: `${sellerName} has closed: your subscriptions end`,
      text: `The seller ${sellerName} no longer sells on the marketplace (MED-5). Your subscriptions with it stop renewing:\n${lines.join('\n')}\nYour other subscriptions are not affected.`,
    });
    await Context.current().client.workflow.start(emailDeliveryWorkflow, {
      workflowId: emailDeliveryWorkflowId(emailId),
      taskQueue: Context.current().info.taskQueue,
      args: [emailId],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: emailSummary(`MED-5: seller ${input.sellerId} closed, to customer ${customerId}`),
    });
    return { subscriptions: endings.length, email: true };
  }

  return {
    /** MED-5: one page of the closed seller's customers, each subscription told and each customer e-mailed once. */
    async endSellerSubscriptionsPage(input: ClosurePageInput): Promise<ClosurePageResult> {
      const seller = await db.seller.findUniqueOrThrow({ where: { id: input.sellerId } });
      // Ended by this closure is still listed: a retried page must still e-mail that customer.
      const customers = await db.$queryRaw<{ customerId: string }[]>`
        SELECT DISTINCT "customerId" FROM "Subscription"
        WHERE "sellerId" = ${input.sellerId} AND ("status" <> 'terminated' OR "endReason" = 'seller_closed')
          AND (${input.afterCustomerId}::text IS NULL OR "customerId" > ${input.afterCustomerId})
        ORDER BY "customerId" LIMIT ${input.customers}`;
      let subscriptions = 0;
      let emails = 0;
      for (let i = 0; i < customers.length; i += CONCURRENCY) {
        const done = await Promise.all(customers.slice(i, i + CONCURRENCY).map((c) => closeForCustomer(c.customerId, input, seller.legalName)));
        for (const d of done) {
          subscriptions += d.subscriptions;
          if (d.email) emails += 1;
        }
        Context.current().heartbeat({ done: i + CONCURRENCY });
      }
      return { nextCursor: customers.length < input.customers ? null : customers[customers.length - 1].customerId, customers: customers.length, subscriptions, emails };
    },
  };
}
