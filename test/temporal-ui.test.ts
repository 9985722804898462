// What staff see of the processes in the Temporal Web UI (docs/temporal-ui.md), on the dev server:
// the list filtered by the custom search attributes (OrderNumber, CustomerId, BusinessStatus, the
// latter apart from Temporal's own execution status), each process's static summary, and its
// current details (state, next deadline in Paris time with its rule id, who must act), read as the
// UI reads them: describe() and the built-in query `__temporal_workflow_metadata`, both decoded
// with the test keys (the test client has the codec, as the UI has the codec server).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { BusinessStatusKey, CustomerIdKey, DueAtKey, OrderNumberKey, TicketIdKey, TicketKindKey } from '../workflows/search-attributes';
import { ticketStateQuery, ticketWorkflowId } from '../workflows/ticket';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { linesAwaitingValidation, placeOrder, waitForLineStatus } from './support/orders';
import { openTicketAs, supportedService, ticketCommand } from './support/tickets';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

/**
 * The list as the UI shows it for a visibility query, once `count` entries are there (visibility
 * is eventually consistent). Scoped to this file's task queue: the dev server is shared by every
 * test file of a run, each with its own database, so order numbers repeat across files.
 */
async function list(query: string, count: number): Promise<WorkflowExecutionInfo[]> {
  return eventually(async () => {
    const found: WorkflowExecutionInfo[] = [];
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = "${sys.taskQueue}" AND ${query}` })) found.push(wf);
    return found.length === count ? found : undefined;
  }, 20_000, `${count} workflow(s) for ${query}`);
}

/** What the UI's "Current details" shows: the SDK's built-in metadata query, decoded. */
async function currentDetails(workflowId: string): Promise<string> {
  const metadata = await env.client.workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

/** An instant as a person in Paris reads it, computed apart from the workflow's own helper. */
function parisTime(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute} (Paris)`;
}

describe('what staff see in the Temporal Web UI', () => {
  it('ORD-7, X-4: staff find an order by OrderNumber; the list shows Temporal\'s execution status apart from BusinessStatus; the summary and current details name the ORD-7 deadline in Paris time and who must act', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);

    // The Order workflow by its number: Temporal's status (Running) and the business one apart.
    const [entry] = await list(`WorkflowType = "orderWorkflow" AND OrderNumber = "${order.number}"`, 1);
    expect(entry.workflowId).toBe(`Order:${order.orderId}`);
    expect(entry.status.name).toBe('RUNNING');
    expect(entry.typedSearchAttributes.get(BusinessStatusKey)).toBe('paid');
    expect(entry.typedSearchAttributes.get(OrderNumberKey)).toBe(order.number);
    expect(entry.typedSearchAttributes.get(CustomerIdKey)).toBe(order.customerId);

    // BusinessStatus needs no back-quotes (a bare `Status` was read as the execution status).
    const lines = await list(`OrderNumber = "${order.number}" AND BusinessStatus = "awaiting_validation"`, 2);
    expect(lines.map((l) => l.type).sort()).toEqual(['orderLineWorkflow', 'orderLineWorkflow']);
    expect(lines.every((l) => l.status.name === 'RUNNING')).toBe(true);

    // The summary, decoded (payloads, user metadata included, are encrypted by the codec).
    const description = await env.client.workflow.getHandle(entry.workflowId).describe();
    expect(await description.staticSummary()).toBe(`Order ${order.number} · 2 lines`);
    const acme = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
    const acmeLine = await env.client.workflow.getHandle(`OrderLine:${acme.lineId}`).describe();
    expect(await acmeLine.staticSummary()).toMatch(new RegExp(`^Line [12] of ${order.number} · Acme Mail Pro · Acme Cloud SAS$`));

    // Current details: the deadline (48 h after payment, ORD-7) in Paris time, and who must act.
    const dueAt = new Date(Date.parse(order.paidAt) + 48 * 3600_000).toISOString();
    const lineDetails = await currentDetails(`OrderLine:${acme.lineId}`);
    expect(lineDetails).toContain(`ORD-7: seller Acme Cloud SAS must answer by ${parisTime(dueAt)}`);
    expect(lineDetails).toContain("awaiting the seller's validation (ORD-6)");
    expect(lineDetails).toMatch(/\*\*Awaiting:\*\* accept .* or refuse .*, from seller Acme Cloud SAS/);
    const orderDetails = await currentDetails(entry.workflowId);
    expect(orderDetails).toContain(`**Order ${order.number}**`);
    expect(orderDetails).toMatch(new RegExp(`ORD-7: .*Acme Cloud SAS.* must answer by ${parisTime(dueAt).replace(/[()]/g, '\\$&')}`));

    // A decision changes the details: the accepted line is active, its subscription named.
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'IMAP: mail.acme.test' } });
    expect(accepted.status).toBe(200);
    const [done] = await list(`OrderNumber = "${order.number}" AND WorkflowType = "orderLineWorkflow" AND BusinessStatus = "active"`, 1);
    expect(done.status.name).toBe('COMPLETED');
    expect(await currentDetails(`OrderLine:${acme.lineId}`)).toContain(`active (ORD-6)`);
    expect(await currentDetails(`OrderLine:${acme.lineId}`)).toContain('**Next deadline:** none');
  });

  it('ORD-6, SUB-11, X-4: every process of a customer carries CustomerId and OrderNumber (order, lines, subscription, withdrawal), each with a summary and no e-mail address', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);
    const acme = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
    expect((await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'IMAP: mail.acme.test' } })).status).toBe(200);
    await waitForLineStatus(sys.db, acme.lineId, 'active');
    const withdrawn = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/withdraw`, { key: order.customerApiKey, body: {} });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);

    // By the customer's id: the order, its two lines, the subscription and the withdrawal.
    const processes = await list(`CustomerId = "${order.customerId}" AND WorkflowType != "emailDeliveryWorkflow"`, 5);
    expect(processes.map((p) => p.type).sort()).toEqual(['orderLineWorkflow', 'orderLineWorkflow', 'orderWithdrawalWorkflow', 'orderWorkflow', 'subscriptionWorkflow']);
    expect(processes.every((p) => p.typedSearchAttributes.get(OrderNumberKey) === order.number)).toBe(true);

    const summaries = Object.fromEntries(
      await Promise.all(processes.map(async (p) => [p.type, await (await env.client.workflow.getHandle(p.workflowId).describe()).staticSummary()] as const)),
    );
    expect(summaries).toMatchObject({
      orderWorkflow: `Order ${order.number} · 2 lines`,
      subscriptionWorkflow: `Subscription Acme Mail Pro · monthly · ${order.number}`,
      orderWithdrawalWorkflow: `Withdrawal from ${order.number}`,
    });
    for (const p of processes) {
      const summary = await (await env.client.workflow.getHandle(p.workflowId).describe()).staticSummary();
      expect(summary, p.workflowId).toBeTruthy();
      expect(summary, p.workflowId).not.toContain('@');
    }
    // The withdrawal's outcome, in its status and details.
    const withdrawal = processes.find((p) => p.type === 'orderWithdrawalWorkflow')!;
    const [closed] = await list(`WorkflowId = "${withdrawal.workflowId}" AND BusinessStatus = "withdrawn"`, 1);
    expect(closed.status.name).toBe('COMPLETED');
    expect(await currentDetails(withdrawal.workflowId)).toContain('withdrawn (SUB-11)');

    // The e-mails' deliveries read as what they are (X-9: started beside the processes).
    const po = await env.client.workflow.getHandle(`EmailDelivery:order:${order.orderId}:purchase-order`).describe();
    expect(await po.staticSummary()).toBe(`E-mail: purchase order ${order.number}`);
  });

  it('DIA-8, DIA-1, DIA-2, DIA-4, POL-5: staff find a ticket by TicketId, TicketKind and CustomerId; its summary names the offer and the customer; BusinessStatus and DueAt follow its state; the details name each step\'s rule and deadline in Paris time', async () => {
    // Premium (24/7): the first-response clock runs in plain hours, so its deadlines are simple sums.
    const s = await supportedService(env.client, sys, { paidAt: new Date().toISOString(), offerId: DEMO.offers.globexBackup.id });
    const offer = await sys.db.offer.findUniqueOrThrow({ where: { id: DEMO.offers.globexBackup.id } });
    const incident = await openTicketAs(sys, s, 'incident');
    const question = await openTicketAs(sys, s, 'support');
    const workflowId = ticketWorkflowId(incident.ticketId);

    const [entry] = await list(`TicketId = "${incident.ticketId}"`, 1);
    expect(entry.workflowId).toBe(workflowId);
    expect(entry.type).toBe('ticketWorkflow');
    expect(entry.status.name).toBe('RUNNING');
    expect(entry.typedSearchAttributes.get(TicketIdKey)).toBe(incident.ticketId);
    expect(entry.typedSearchAttributes.get(TicketKindKey)).toBe('incident');
    expect(entry.typedSearchAttributes.get(CustomerIdKey)).toBe(s.customerId);
    expect(entry.typedSearchAttributes.get(BusinessStatusKey)).toBe('awaiting_consent');
    // Nothing is due while the customer has not consented (DIA-1): no DueAt.
    expect(entry.typedSearchAttributes.get(DueAtKey)).toBeUndefined();

    // By customer and kind: both of its tickets, then the question alone.
    const both = await list(`CustomerId = "${s.customerId}" AND WorkflowType = "ticketWorkflow"`, 2);
    expect(both.map((w) => w.workflowId).sort()).toEqual([workflowId, ticketWorkflowId(question.ticketId)].sort());
    const [support] = await list(`CustomerId = "${s.customerId}" AND TicketKind = "support" AND BusinessStatus = "awaiting_support"`, 1);
    expect(support.workflowId).toBe(ticketWorkflowId(question.ticketId));

    // The summaries: kind, id, offer and customer's id; never the subject (the customer's text), a name nor an address (ACC-3).
    expect(await (await env.client.workflow.getHandle(workflowId).describe()).staticSummary()).toBe(`Incident ticket ${incident.ticketId} · ${offer.name} · customer ${s.customerId}`);
    const questionSummary = await (await env.client.workflow.getHandle(support.workflowId).describe()).staticSummary();
    expect(questionSummary).toBe(`Support ticket ${question.ticketId} · ${offer.name} · customer ${s.customerId}`);
    expect(questionSummary).not.toContain(question.subject);

    const escapedId = incident.ticketId.replace(/_/g, '\\_');
    const customer = `customer ${s.customerId.replace(/_/g, '\\_')}`;
    const opened = await currentDetails(workflowId);
    expect(opened).toContain(`**Ticket ${escapedId} · incident · ${offer.name} · ${customer}**`);
    expect(opened).toMatch(/\*\*State:\*\* awaiting the customer's consent to the diagnostic at .+ excl\. VAT \(DIA-1\)/);
    expect(opened).toContain('**Next deadline:** none');
    expect(opened).toContain(`**Awaiting:** consent from ${customer}`);
    expect(opened).toContain('tier premium: first answer within 4 h (24/7) (POL-5)');

    // Consent: diagnosing, and the first-response clock runs: ops are alerted at 3 h, the answer is due at 4 h (POL-5).
    expect((await ticketCommand(sys, incident.ticketId, 'consent', { acceptedPriceCents: incident.diagnostic.priceNowCents }, s.customerKey)).status).toBe(200);
    const consented = await env.client.workflow.getHandle(workflowId).query(ticketStateQuery);
    const alertAt = new Date(Date.parse(consented.consent!.at) + 3 * 3600_000).toISOString();
    const answerBy = new Date(Date.parse(consented.consent!.at) + 4 * 3600_000).toISOString();
    const [diagnosing] = await list(`TicketId = "${incident.ticketId}" AND BusinessStatus = "diagnosing"`, 1);
    expect(diagnosing.typedSearchAttributes.get(DueAtKey)?.toISOString()).toBe(alertAt);
    const diagnosingDetails = await currentDetails(workflowId);
    expect(diagnosingDetails).toContain('**State:** diagnosing (DIA-2)');
    expect(diagnosingDetails).toContain(`**Next deadline:** POL-5: alert ops: support's first answer due by ${parisTime(answerBy)} on ${parisTime(alertAt)}`);
    expect(diagnosingDetails).toMatch(/diagnostic consented .+ excl\. VAT \(DIA-1\)/);

    // Fixed: the diagnostic is invoiced (DIA-2, DIA-4); the next deadline is the reminder 7 days before the due date.
    const fixed = await ticketCommand(sys, incident.ticketId, 'diagnosis', { outcome: 'fixed' });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    const invoice = fixed.body.invoice;
    const [billed] = await list(`TicketId = "${incident.ticketId}" AND BusinessStatus = "awaiting_payment"`, 1);
    expect(billed.typedSearchAttributes.get(DueAtKey)?.toISOString()).toBe(invoice.reminderAt);
    // 7 calendar days in Paris before the due date, itself 30 days after the issue.
    const paris = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Paris' });
    expect(paris(invoice.dueAt).diff(paris(invoice.reminderAt), 'days').days).toBe(7);
    expect(paris(invoice.dueAt).diff(paris(invoice.issuedAt), 'days').days).toBe(30);
    const billedDetails = await currentDetails(workflowId);
    expect(billedDetails).toContain(`**State:** invoice ${invoice.number} awaiting payment (DIA-4)`);
    expect(billedDetails).toContain(`**Next deadline:** DIA-4: remind ${customer} of invoice ${invoice.number} on ${parisTime(invoice.reminderAt)}`);
    expect(billedDetails).toContain(`**Awaiting:** pay or contest, from ${customer}`);
    expect(billedDetails).toContain(`due ${parisTime(invoice.dueAt)} (DIA-4)`);
  });

  it('X-7: summaries are encrypted in the history; a client without the codec reads none of them', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const plain = new Client({ connection: env.connection, namespace: 'default' });
    const history = await plain.workflow.getHandle(`OrderLine:${order.lines[0].lineId}`).fetchHistory();
    const summaries = (history.events ?? []).map((e) => e.userMetadata?.summary).filter((s) => s != null);
    // The start, the activities and the ORD-7 timer each have one.
    expect(summaries.length).toBeGreaterThanOrEqual(5);
    for (const s of summaries) {
      expect(Buffer.from(s!.metadata!.encoding!).toString()).toBe('binary/encrypted');
      expect(Buffer.from(s!.data!).toString('latin1')).not.toContain(order.number);
    }
  });
});
