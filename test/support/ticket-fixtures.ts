// Tickets in known states for tests that only send input to the ticket routes: one service
// with its tier's only named contact (basic: 1), an incident awaiting consent, one awaiting payment
// of its invoice, and a closed support ticket (its row says so: commands are refused from it). And
// a snapshot of everything a ticket command or a support route could write, to show a refused
// request wrote nothing.
import type { Client } from '@temporalio/client';
import { DEMO } from '../../prisma/demo-data';
import { ticketStateQuery, ticketWorkflowId, type TicketState } from '../../workflows/ticket';
import { eventually } from './http';
import type { TestSystem } from './system';
import { openTicketAs, supportedService, ticketCommand, type SupportedService } from './tickets';

export interface TicketFixtures {
  service: SupportedService;
  /** An incident awaiting the customer's consent to the diagnostic's price (DIA-1). */
  consenting: string;
  /** An incident whose fixed diagnostic is invoiced and awaits payment (DIA-2, DIA-4). */
  due: string;
  /** A support ticket closed by its customer. */
  closed: string;
}

/** Waits until the ticket's row (what the API reads first) is in `status`. */
async function rowInStatus(sys: TestSystem, ticketId: string, status: string): Promise<void> {
  await eventually(async () => (await sys.db.ticket.findUnique({ where: { id: ticketId } }))?.status === status, 20_000, `ticket ${ticketId} row ${status}`);
}

function expectOk(res: { status: number; body: unknown }, what: string): void {
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function ticketFixtures(client: Client, sys: TestSystem): Promise<TicketFixtures> {
  const service = await supportedService(client, sys, { paidAt: new Date().toISOString(), offerId: DEMO.offers.acmeMail.id });
  const consenting = (await openTicketAs(sys, service, 'incident')).ticketId as string;
  await rowInStatus(sys, consenting, 'awaiting_consent');

  const billed = await openTicketAs(sys, service, 'incident');
  expectOk(await ticketCommand(sys, billed.ticketId, 'consent', { acceptedPriceCents: billed.diagnostic.priceNowCents }, service.customerKey), 'consent');
  expectOk(await ticketCommand(sys, billed.ticketId, 'diagnosis', { outcome: 'fixed' }), 'diagnosis');
  await rowInStatus(sys, billed.ticketId, 'awaiting_payment');
  await eventually(async () => (await sys.db.ticket.findUnique({ where: { id: billed.ticketId } }))?.invoiceId != null, 20_000, 'the invoice on the ticket row');

  const support = await openTicketAs(sys, service, 'support');
  expectOk(await ticketCommand(sys, support.ticketId, 'close', { reason: 'Solved on my own' }, service.customerKey), 'close');
  await rowInStatus(sys, support.ticketId, 'closed');

  return { service, consenting, due: billed.ticketId, closed: support.ticketId };
}

export interface TicketSnapshot {
  states: TicketState[];
  rows: unknown[];
  tickets: number;
  messages: number;
  supportPayments: number;
  cards: number;
  contacts: unknown[];
  invoices: number;
  emails: number;
  bars: number;
  audit: number;
}

/** The fixtures' tickets as their workflows answer them, and the rows ticket routes write for their customer. */
export async function ticketSnapshot(client: Client, sys: TestSystem, f: TicketFixtures): Promise<TicketSnapshot> {
  const db = sys.db;
  const ids = [f.consenting, f.due, f.closed];
  const customerId = f.service.customerId;
  return {
    states: await Promise.all(ids.map((id) => client.workflow.getHandle(ticketWorkflowId(id)).query(ticketStateQuery))),
    rows: await db.ticket.findMany({ where: { customerId }, orderBy: { id: 'asc' } }),
    tickets: await db.ticket.count(),
    messages: await db.ticketMessage.count(),
    supportPayments: await db.supportPayment.count(),
    cards: await db.paymentCard.count({ where: { customerId } }),
    contacts: await db.supportContact.findMany({ where: { customerId }, orderBy: { id: 'asc' } }),
    invoices: await db.invoice.count({ where: { id: { startsWith: 'ticket:' } } }),
    emails: await db.email.count({ where: { OR: ids.map((id) => ({ id: { startsWith: `ticket:${id}:` } })) } }),
    bars: await db.supportBar.count(),
    audit: await db.auditLog.count({ where: { entityId: { in: ids } } }),
  };
}

/** Waits for the writes that follow the fixtures' commands (e-mails, invoice, audit) to be over. */
export async function settledTicketSnapshot(client: Client, sys: TestSystem, f: TicketFixtures): Promise<TicketSnapshot> {
  let last = await ticketSnapshot(client, sys, f);
  return eventually(
    async () => {
      await new Promise((r) => setTimeout(r, 500));
      const now = await ticketSnapshot(client, sys, f);
      const settled = JSON.stringify(now) === JSON.stringify(last);
      last = now;
      return settled ? now : undefined;
    },
    20_000,
    'the fixtures\u2019 tickets to settle',
  );
}
