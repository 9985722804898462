// X-1 on the dev server in real time: subscriptions whose first monthly renewal falls due in the
// middle of the storm (their anchor is set a month minus a few seconds ago). Each renewal timer
// must survive worker kills and the server restart, and fire once, not before its due time.
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { dueDate } from '../../domain/calendar';
import type { Db } from '../../infra/db';
import { createSandboxGateway } from '../../infra/sandbox-gateway';
import { BusinessStatusKey, CustomerIdKey, NextDueAtKey, OrderIdKey, OrderNumberKey, SellerIdKey } from '../../workflows/search-attributes';
import { subscriptionWorkflow, subscriptionWorkflowId } from '../../workflows/subscription';
import { subscriptionSummary } from '../../workflows/summaries';
import { seedPaidLine, type SeededLine } from '../../test/support/subscriptions';

export interface DueSubscription {
  lineId: string;
  dueAt: string;
}

const TIME_ZONE = process.env.BUSINESS_TZ ?? 'Europe/Paris';

export async function startSubscriptionsDueSoon(db: Db, client: Client, taskQueue: string, opts: { count: number; firstInMs: number; spreadMs: number }): Promise<DueSubscription[]> {
  const gateway = createSandboxGateway(db);
  // Every line seeded before any workflow starts, so the seeding never interleaves with the
  // renewals' own writes.
  const lines = [];
  for (let i = 0; i < opts.count; i++) {
    const target = DateTime.fromMillis(Date.now() + opts.firstInMs + (i * opts.spreadMs) / Math.max(1, opts.count - 1), { zone: TIME_ZONE });
    lines.push(await seedPaidLine({ db, activityDeps: { gateway } }, { paidAt: target.minus({ months: 1 }).toUTC().toISO()! }));
  }
  const due: DueSubscription[] = [];
  for (const line of lines) {
    await startSeededSubscription(db, client, taskQueue, line);
    due.push({ lineId: line.lineId, dueAt: dueDate(line.paidAt, 'monthly', 1, TIME_ZONE) });
  }
  return due;
}

/** Starts the Subscription workflow of a seeded line as the OrderLine workflow starts it: the summary and search attributes staff see (docs/temporal-ui.md). */
export async function startSeededSubscription(db: Db, client: Client, taskQueue: string, line: SeededLine): Promise<void> {
  const order = await db.order.findUniqueOrThrow({ where: { id: line.orderId }, include: { lines: true } });
  await client.workflow.start(subscriptionWorkflow, {
    taskQueue,
    workflowId: subscriptionWorkflowId(line.lineId),
    args: [{ subscriptionId: line.lineId, orderId: line.orderId, orderNumber: order.number, customerId: line.customerId, sellerId: line.sellerId, anchor: line.paidAt }],
    staticSummary: subscriptionSummary({ offerName: order.lines[0].name, billingPeriod: order.lines[0].billingPeriod, orderNumber: order.number }),
    typedSearchAttributes: [
      { key: OrderIdKey, value: line.orderId },
      { key: OrderNumberKey, value: order.number },
      { key: CustomerIdKey, value: line.customerId },
      { key: SellerIdKey, value: line.sellerId },
      { key: BusinessStatusKey, value: 'active' },
      { key: NextDueAtKey, value: new Date(line.paidAt) },
    ],
  });
}

/** Each renewal taken once, for period 2 only, not before its due time, invoiced once. */
export async function checkRenewals(db: Db, subs: DueSubscription[]): Promise<{ onTimeOnce: number; violations: string[] }> {
  const violations: string[] = [];
  let onTimeOnce = 0;
  for (const s of subs) {
    const fail = (what: string) => violations.push(`subscription ${s.lineId} due ${s.dueAt}: ${what}`);
    const before = violations.length;
    const renewals = await db.payment.findMany({ where: { lineId: s.lineId, kind: 'renewal' } });
    const charges = await db.sandboxTransaction.count({ where: { idempotencyKey: { startsWith: `sub:${s.lineId}:` }, kind: 'charge' } });
    if (renewals.length !== 1 || renewals[0].period !== 2 || renewals[0].status !== 'captured') fail(`renewals ${JSON.stringify(renewals.map((r) => [r.period, r.status]))}`);
    else if (renewals[0].createdAt.getTime() < Date.parse(s.dueAt)) fail(`renewed at ${renewals[0].createdAt.toISOString()}, before it was due`);
    if (charges !== 1) fail(`${charges} renewal charges in the gateway ledger`);
    const invoices = await db.invoice.count({ where: { id: { startsWith: `sub:${s.lineId}:period:` } } });
    if (invoices !== 1) fail(`${invoices} renewal invoices`);
    const sub = await db.subscription.findUnique({ where: { id: s.lineId } });
    if (sub?.paidPeriods !== 2 || sub.status !== 'active') fail(`read model ${sub?.status} with ${sub?.paidPeriods} paid periods`);
    if (violations.length === before) onTimeOnce++;
  }
  return { onTimeOnce, violations };
}
