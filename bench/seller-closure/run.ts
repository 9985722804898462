// MED-5 at size: a seller with thousands of running subscriptions closes. Seeds the subscriptions
// (paid lines, their Subscription workflows started as an accepted line starts them), closes the
// seller's account and starts its SellerClosure fan-out as the case does at closure (the case's
// 48 hours are not waited in real time), SIGKILLs a worker while the fan-out runs and starts it
// again, then checks: every subscription told exactly once and ending at its period end, each
// customer e-mailed exactly once, no workflow history over 10,000 events.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createSandboxGateway } from '../../infra/sandbox-gateway';
import { SellerIdKey } from '../../workflows/search-attributes';
import { sellerClosureWorkflow, sellerClosureWorkflowId } from '../../workflows/seller-closure';
import { subscriptionStateQuery, subscriptionWorkflowId } from '../../workflows/subscription';
import { sellerClosureSummary } from '../../workflows/summaries';
import { freshSeller } from '../../test/support/sellers';
import { seedPaidLine, type SeededLine } from '../../test/support/subscriptions';
import { startSeededSubscription } from '../crash/renewals';
import { startProcessSystem } from '../support/process-system';

export interface SellerClosureBenchOptions {
  subscriptions: number;
  /** Every k-th customer has a second subscription of the seller (0: none). */
  secondEvery: number;
  /** SIGKILL worker 1 once this share of the subscriptions has been told (0: no kill). */
  killAtShare: number;
  concurrency: number;
  log?: (line: string) => void;
}

export interface SellerClosureReport {
  subscriptions: number;
  customers: number;
  seedSeconds: number;
  fanOutSeconds: number;
  subscriptionsPerSecond: number;
  workerKills: number;
  told: { once: number; never: number; more: number };
  /** Subscriptions (all checked by Query) whose closure end is their paid period's end. */
  endsAtPeriodEnd: number;
  /** `received`: messages in the mailbox; `resent`: of them, transmitted again by a later attempt after the kill. */
  emails: { customers: number; recorded: number; sent: number; received: number; perCustomerMax: number; resent: number };
  closureRuns: number;
  maxHistoryLength: { sellerClosure: number; subscription: number };
  violations: string[];
}

async function inPool<T>(items: T[], concurrency: number, run: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await run(items[i], i);
    }
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSellerClosureBench(opts: SellerClosureBenchOptions): Promise<SellerClosureReport> {
  const log = opts.log ?? (() => undefined);
  const sys = await startProcessSystem({ topology: 'embedded', workers: 2, log });
  const connection = await Connection.connect({ address: sys.temporalAddress });
  const client = new Client({ connection, dataConverter: sys.dataConverter });
  const violations: string[] = [];
  try {
    const seller = await freshSeller(sys.db);
    const gateway = createSandboxGateway(sys.db);
    const seeding = Date.now();
    // Paid between 1 and 25 days ago: every period end is days away, past the benchmark.
    const paidAt = (i: number) => new Date(Date.now() - (1 + (i % 25)) * 86_400_000).toISOString();
    const lines: SeededLine[] = new Array(opts.subscriptions);
    const firsts = Array.from({ length: opts.subscriptions }, (_, i) => i).filter((i) => !(opts.secondEvery > 0 && i % opts.secondEvery === opts.secondEvery - 1));
    await inPool(firsts, opts.concurrency, async (i) => {
      lines[i] = await seedPaidLine({ db: sys.db, activityDeps: { gateway } }, { paidAt: paidAt(i), offerId: seller.offerId });
    });
    await inPool(Array.from({ length: opts.subscriptions }, (_, i) => i).filter((i) => lines[i] === undefined), opts.concurrency, async (i) => {
      lines[i] = await seedPaidLine({ db: sys.db, activityDeps: { gateway } }, { paidAt: paidAt(i), offerId: seller.offerId, sameCustomerAs: lines[i - 1] });
    });
    await inPool(lines, opts.concurrency, (line) => startSeededSubscription(sys.db, client, sys.taskQueue, line));
    for (;;) {
      const started = await sys.db.subscription.count({ where: { sellerId: seller.sellerId } });
      if (started === opts.subscriptions) break;
      await sleep(1000);
    }
    const seedSeconds = (Date.now() - seeding) / 1000;
    const customers = new Set(lines.map((l) => l.customerId)).size;
    log(`[seller-closure] ${opts.subscriptions} subscriptions of ${customers} customers running (${seedSeconds.toFixed(0)} s)`);

    // The account closes (as closeSellerAccount does) and the fan-out starts (as the case starts it).
    const caseId = `case_bench_${randomUUID().slice(0, 8)}`;
    const closedAt = new Date().toISOString();
    await sys.db.seller.update({ where: { id: seller.sellerId }, data: { status: 'closed', statusReason: `account closed (benchmark ${caseId})` } });
    const fanOut = Date.now();
    await client.workflow.start(sellerClosureWorkflow, {
      workflowId: sellerClosureWorkflowId(seller.sellerId),
      taskQueue: sys.taskQueue,
      args: [{ sellerId: seller.sellerId, sellerName: seller.legalName, caseId, closedAt }],
      staticSummary: sellerClosureSummary({ sellerName: seller.legalName, caseId }),
      typedSearchAttributes: [{ key: SellerIdKey, value: seller.sellerId }],
    });
    const toldCount = () => sys.db.auditLog.count({ where: { action: 'subscription.seller_closed', actor: `case:${caseId}` } });
    let workerKills = 0;
    if (opts.killAtShare > 0) {
      while ((await toldCount()) < opts.subscriptions * opts.killAtShare) await sleep(200);
      log(`[seller-closure] ${await toldCount()} told: SIGKILL worker 1`);
      await sys.killWorker(0);
      workerKills += 1;
      await sleep(5_000);
      await sys.startWorker(0);
    }
    const result = await client.workflow.getHandle(sellerClosureWorkflowId(seller.sellerId)).result();
    const fanOutSeconds = (Date.now() - fanOut) / 1000;
    log(`[seller-closure] fan-out done in ${fanOutSeconds.toFixed(1)} s: ${JSON.stringify(result)}`);

    // Told exactly once: one recorded change per subscription.
    const changes = await sys.db.auditLog.groupBy({ by: ['entityId'], where: { action: 'subscription.seller_closed', actor: `case:${caseId}` }, _count: { _all: true } });
    const counts = new Map(changes.map((c) => [c.entityId, c._count._all]));
    const told = { once: 0, never: 0, more: 0 };
    for (const l of lines) {
      const n = counts.get(l.lineId) ?? 0;
      if (n === 1) told.once += 1;
      else if (n === 0) told.never += 1;
      else told.more += 1;
    }
    if (told.once !== opts.subscriptions) violations.push(`told: ${JSON.stringify(told)}`);

    // Each ends at its paid period's end, by its own state (Query).
    let endsAtPeriodEnd = 0;
    let maxSubscription = 0;
    await inPool(lines, opts.concurrency, async (l) => {
      const handle = client.workflow.getHandle(subscriptionWorkflowId(l.lineId));
      const s = await handle.query(subscriptionStateQuery);
      // Visibility lists a running workflow's history length as 0: its description has it.
      maxSubscription = Math.max(maxSubscription, (await handle.describe()).historyLength);
      if (s.sellerClosure && s.status === 'active' && s.sellerClosure.endsAt === s.nextDueAt) endsAtPeriodEnd += 1;
      else violations.push(`${l.lineId}: ${s.status}, closure ${JSON.stringify(s.sellerClosure)}, next due ${s.nextDueAt}`);
    });

    // Each customer e-mailed exactly once (ids are per case and customer: a second is impossible
    // by key, so count what was recorded and sent against the customers).
    const prefix = `seller-closure:${caseId}:`;
    const deadline = Date.now() + 120_000;
    let sent = 0;
    while ((sent = await sys.db.email.count({ where: { id: { startsWith: prefix }, status: 'sent' } })) < customers && Date.now() < deadline) await sleep(1000);
    const recorded = await sys.db.email.count({ where: { id: { startsWith: prefix } } });
    const perCustomer = await sys.db.email.groupBy({ by: ['customerId'], where: { id: { startsWith: prefix } }, _count: { _all: true } });
    const perCustomerMax = Math.max(0, ...perCustomer.map((p) => p._count._all));
    if (recorded !== customers || sent !== customers || perCustomerMax !== 1) violations.push(`e-mails: ${recorded} recorded, ${sent} sent for ${customers} customers (max ${perCustomerMax} per customer)`);
    // And received by the mail server, each message once per attempt at most (X-2, as
    // bench/crash/check.ts): a second transmission, same Message-ID, is only a later attempt's
    // resend after the worker died between the server's acceptance and the outbox update.
    const outbox = await sys.db.email.findMany({ where: { id: { startsWith: prefix } }, select: { id: true, messageId: true, attempts: true } });
    const copiesOf = new Map((await sys.db.mailboxMessage.findMany({ where: { messageId: { in: outbox.map((e) => e.messageId) } }, select: { messageId: true, copies: true } })).map((m) => [m.messageId, m.copies]));
    let received = 0;
    let resent = 0;
    for (const e of outbox) {
      const copies = copiesOf.get(e.messageId) ?? 0;
      if (copies > 0) received += 1;
      if (copies > 1) resent += 1;
      if (copies > e.attempts) violations.push(`e-mail ${e.id} transmitted ${copies} times in ${e.attempts} attempts`);
    }
    if (received !== customers) violations.push(`mailbox: ${received} messages for ${customers} customers`);

    // No history over 10,000 events: every run of the fan-out, every subscription.
    let closureRuns = 0;
    let maxClosure = 0;
    for await (const w of client.workflow.list({ query: `WorkflowId = "${sellerClosureWorkflowId(seller.sellerId)}"` })) {
      closureRuns += 1;
      maxClosure = Math.max(maxClosure, w.historyLength);
    }
    if (maxClosure >= 10_000 || maxSubscription >= 10_000) violations.push(`history over 10,000 events: closure ${maxClosure}, subscription ${maxSubscription}`);

    return {
      subscriptions: opts.subscriptions,
      customers,
      seedSeconds: Math.round(seedSeconds),
      fanOutSeconds: Math.round(fanOutSeconds * 10) / 10,
      subscriptionsPerSecond: Math.round((opts.subscriptions / fanOutSeconds) * 10) / 10,
      workerKills,
      told,
      endsAtPeriodEnd,
      emails: { customers, recorded, sent, received, perCustomerMax, resent },
      closureRuns,
      maxHistoryLength: { sellerClosure: maxClosure, subscription: maxSubscription },
      violations,
    };
  } finally {
    await connection.close();
    await sys.stop(violations.length > 0);
  }
}
