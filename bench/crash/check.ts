// After the storm: every order, line, payment and e-mail compared with what the rules demand
// (X-1 deadlines and state, X-2 e-mails once, X-3 money once). Returns counts and violations.
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import type { DrivenOrder } from './drive';
import { checkLedger } from './ledger-check';
import { expectedLines } from './plan';

export interface CrashCounts {
  orders: number;
  lines: Record<string, number>;
  chargesCaptured: number;
  chargesDeclined: number;
  refunds: number;
  invoices: number;
  creditNotes: number;
  subscriptionsRunning: number;
  emailsRecorded: number;
  emailsSent: number;
  /** Distinct e-mails in the mailbox (one copy per Message-ID). */
  emailsReceived: number;
  /** SMTP transmissions, resends included. */
  smtpTransmissions: number;
  /** E-mails transmitted again because the attempt that sent them died before recording it. */
  emailsResentAfterKill: number;
  emailsNeverReceived: number;
  auditEntries: number;
  /** PAY-1: ledger transfers, every one checked against its payment or refund (ledger-check.ts). */
  ledgerTransfers: number;
  workflowsFailed: number;
  workflowsOpen: number;
}

export async function checkOutcome(db: Db, temporal: Client, orders: DrivenOrder[]): Promise<{ counts: CrashCounts; violations: string[] }> {
  const violations: string[] = [];
  const fail = (o: DrivenOrder, what: string) => violations.push(`order ${o.index} ${o.orderId} (${o.scenario}): ${what}`);
  for (const o of orders) for (const a of o.anomalies) fail(o, a);

  for (const o of orders) {
    const order = await db.order.findUniqueOrThrow({ where: { id: o.orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
    const declined = o.scenario === 'declined';
    if (order.status !== (declined ? 'payment_failed' : 'paid')) fail(o, `order status ${order.status}`);
    const expected = expectedLines(o.scenario);
    order.lines.forEach((line, i) => {
      if (line.status !== expected[i]) fail(o, `line ${line.id} is ${line.status}, expected ${expected[i]}`);
    });

    // one charge for the order, for its total; one refund for each line that ends unfulfilled.
    const charges = await db.sandboxTransaction.findMany({ where: { idempotencyKey: { startsWith: `order:${o.orderId}:` }, kind: 'charge' } });
    const payments = await db.payment.findMany({ where: { orderId: o.orderId, kind: 'checkout' } });
    if (declined) {
      if (charges.length !== 0) fail(o, `${charges.length} charges captured on a declined card`);
      if (payments.length !== 1 || payments[0].status !== 'declined') fail(o, `checkout payments ${JSON.stringify(payments.map((p) => p.status))}`);
    } else {
      if (charges.length !== 1 || charges[0].amountCents !== order.totalCents) fail(o, `charges ${JSON.stringify(charges.map((c) => c.amountCents))} for a total of ${order.totalCents}`);
      if (payments.length !== 1 || payments[0].status !== 'captured') fail(o, `checkout payments ${JSON.stringify(payments.map((p) => p.status))}`);
    }
    for (const [i, line] of order.lines.entries()) {
      const refundable = expected[i] === 'refused' || expected[i] === 'cancelled';
      const refunds = await db.refund.findMany({ where: { lineId: line.id } });
      const ledger = await db.sandboxTransaction.count({ where: { kind: 'refund', chargeRef: charges[0]?.reference, idempotencyKey: { contains: line.id } } });
      if (refunds.length !== (refundable ? 1 : 0) || ledger !== refunds.length) fail(o, `line ${line.id}: ${refunds.length} refunds, ${ledger} in the gateway ledger`);
      if (refundable && refunds[0] && refunds[0].amountCents !== line.totalCents) fail(o, `line ${line.id}: refund ${refunds[0].amountCents} of ${line.totalCents}`);
      const creditNotes = await db.invoice.count({ where: { kind: 'credit_note', refundId: { in: refunds.map((r) => r.id) } } });
      if (creditNotes !== refunds.length) fail(o, `line ${line.id}: ${creditNotes} credit notes for ${refunds.length} refunds`);
      const subscription = await db.subscription.findUnique({ where: { id: line.id } });
      if (expected[i] === 'active') {
        if (subscription?.status !== 'active') fail(o, `line ${line.id}: subscription ${subscription?.status ?? 'missing'}`);
        const mode = o.scenario === 'retried-charge-then-manual' && i === 0 ? 'manual' : 'auto';
        if (subscription && subscription.renewalMode !== mode) fail(o, `line ${line.id}: renewal mode ${subscription.renewalMode}, expected ${mode}`);
      } else if (subscription) fail(o, `line ${line.id}: a subscription exists (${subscription.status})`);
      // the decision is in the audit log.
      const decision = { active: 'line.accepted', refused: 'line.refused', cancelled: 'line.cancelled' }[expected[i] as string];
      if (decision && (await db.auditLog.count({ where: { entityId: line.id, action: decision } })) !== 1) fail(o, `line ${line.id}: no audit entry ${decision}`);
    }
    if (!declined) {
      const invoices = await db.invoice.count({ where: { id: { startsWith: `order:${o.orderId}:checkout:` } } });
      if (invoices !== 2) fail(o, `${invoices} checkout invoices, expected one per seller (2)`);
    }

    // the e-mails each scenario calls for are there (each sent once is checked below).
    const expectedEmails = declined
      ? []
      : [
          `order:${o.orderId}:purchase-order`,
          ...order.lines.map((l) => `line:${l.id}:to-validate`),
          ...order.lines.flatMap((l, i) => (expected[i] === 'active' ? [`line:${l.id}:access`] : expected[i] === 'awaiting_validation' ? [] : [`line:${l.id}:refunded`])),
        ];
    const found = await db.email.findMany({ where: { id: { in: expectedEmails } } });
    for (const id of expectedEmails) if (!found.some((e) => e.id === id)) fail(o, `e-mail ${id} was never recorded`);
    const overdue = await db.email.count({ where: { id: { in: order.lines.flatMap((l) => [`line:${l.id}:overdue:1:ops`, `line:${l.id}:overdue:1:customer`]) } } });
    if (overdue !== 0) fail(o, `${overdue} overdue e-mails before the 48 hours`);
  }

  // X-2 over the whole outbox: every recorded e-mail sent and in the mailbox. A second SMTP
  // transmission (copies > 1) is allowed only as a resend by a later attempt, after an attempt
  // died between the server's acceptance and the outbox update: never two from one attempt.
  const emails = await db.email.findMany({ select: { id: true, status: true, messageId: true, attempts: true } });
  const mailbox = new Map((await db.mailboxMessage.findMany({ select: { messageId: true, copies: true } })).map((m) => [m.messageId, m.copies]));
  let resent = 0;
  let never = 0;
  let transmissions = 0;
  for (const e of emails) {
    const copies = mailbox.get(e.messageId) ?? 0;
    transmissions += copies;
    if (e.status !== 'sent') violations.push(`e-mail ${e.id} is still ${e.status}`);
    if (copies === 0) never++;
    if (copies > 1) resent++;
    if (copies > e.attempts) violations.push(`e-mail ${e.id} transmitted ${copies} times in ${e.attempts} attempts`);
    mailbox.delete(e.messageId);
  }
  for (const [messageId] of mailbox) violations.push(`received a message ${messageId} that is in no outbox row`);
  if (never > 0) violations.push(`${never} e-mails never received`);

  const workflowsFailed = (await temporal.workflow.count('ExecutionStatus = "Failed" OR ExecutionStatus = "TimedOut" OR ExecutionStatus = "Terminated"')).count;
  if (workflowsFailed > 0) violations.push(`${workflowsFailed} workflows failed, timed out or were terminated`);
  // Settled means idle: every open workflow waits on a timer or a command, with no workflow task
  // or activity pending (a task failing over and over would leave the workflow open but stuck).
  let workflowsOpen = 0;
  for await (const w of temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    workflowsOpen++;
    const raw = (await temporal.workflow.getHandle(w.workflowId, w.runId).describe()).raw;
    if (raw.pendingWorkflowTask) violations.push(`${w.workflowId}: a workflow task is pending (attempt ${raw.pendingWorkflowTask.attempt})`);
    for (const a of raw.pendingActivities ?? []) violations.push(`${w.workflowId}: activity ${a.activityType?.name} pending (attempt ${a.attempt}): ${a.lastFailure?.message ?? ''}`);
  }

  const ledger = await checkLedger(db);
  violations.push(...ledger.violations);

  const lines = await db.orderLine.groupBy({ by: ['status'], where: { orderId: { in: orders.map((o) => o.orderId) } }, _count: { _all: true } });
  const counts: CrashCounts = {
    orders: orders.length,
    lines: Object.fromEntries(lines.map((l) => [l.status, l._count._all])),
    // Every attempt of a checkout has its own gateway key (`order:<id>:checkout:attempt:<n>`).
    chargesCaptured: await db.sandboxTransaction.count({ where: { kind: 'charge', OR: orders.map((o) => ({ idempotencyKey: { startsWith: `order:${o.orderId}:checkout:` } })) } }),
    chargesDeclined: await db.payment.count({ where: { status: 'declined', orderId: { in: orders.map((o) => o.orderId) } } }),
    refunds: await db.refund.count(),
    invoices: await db.invoice.count({ where: { kind: 'invoice', orderId: { in: orders.map((o) => o.orderId) } } }),
    // The refunds' credit notes (a contested support invoice's are counted with the tickets).
    creditNotes: await db.invoice.count({ where: { kind: 'credit_note', refundId: { not: null } } }),
    subscriptionsRunning: await db.subscription.count({ where: { status: 'active', orderId: { in: orders.map((o) => o.orderId) } } }),
    emailsRecorded: emails.length,
    emailsSent: emails.filter((e) => e.status === 'sent').length,
    emailsReceived: await db.mailboxMessage.count(),
    smtpTransmissions: transmissions,
    emailsResentAfterKill: resent,
    emailsNeverReceived: never,
    auditEntries: await db.auditLog.count(),
    ledgerTransfers: ledger.transfers,
    workflowsFailed,
    workflowsOpen,
  };
  return { counts, violations };
}
