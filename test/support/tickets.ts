// Helpers for the ticket tests: a running subscription with a named support contact, tickets
// opened and commanded over the API as the customer and support staff would.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { ticketStateQuery, ticketWorkflowId, type TicketState } from '../../workflows/ticket';
import { http, type HttpResponse } from './http';
import { seedPaidLine, startSubscription, waitQuery, type SeededLine } from './subscriptions';
import type { TestSystem } from './system';

export interface SupportedService extends SeededLine {
  contactId: string;
}

/** A paid line of `offerId` (DEMO offers: acmeMail basic, acmeCrm standard, globexBackup premium), its subscription running, one named contact. */
export async function supportedService(client: Client, sys: TestSystem, opts: { paidAt: string; offerId?: string }): Promise<SupportedService> {
  const line = await seedPaidLine(sys, { paidAt: opts.paidAt, offerId: opts.offerId ?? DEMO.offers.acmeMail.id });
  await startSubscription(client, sys, line);
  const res = await http(sys.apiUrl, 'POST', `/subscriptions/${line.lineId}/support-contacts`, { key: line.customerKey, body: { name: 'Named Contact', email: `contact-${line.lineId}@example.test` } });
  if (res.status !== 201) throw new Error(`contact not named: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...line, contactId: res.body.contactId };
}

export function openTicketBody(s: SupportedService, kind: 'incident' | 'support', extra: Record<string, unknown> = {}) {
  return { requestId: `req-${randomUUID()}`, subscriptionId: s.lineId, contactId: s.contactId, kind, subject: `${kind} on ${s.lineId}`, message: 'It does not work.', ...extra };
}

/** Opens a ticket as the customer; throws unless 201. */
export async function openTicketAs(sys: TestSystem, s: SupportedService, kind: 'incident' | 'support', extra: Record<string, unknown> = {}): Promise<any> {
  const res = await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body: openTicketBody(s, kind, extra) });
  if (res.status !== 201) throw new Error(`ticket not opened: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A command on a ticket: the customer's key, or support staff's by default. */
export function ticketCommand(sys: TestSystem, ticketId: string, path: string, body: unknown, key: string = DEMO_KEYS.support): Promise<HttpResponse> {
  return http(sys.apiUrl, 'POST', `/tickets/${ticketId}/${path}`, { key, body });
}

/** Polls the ticket's workflow until `check` holds. */
export function waitTicket(client: Client, ticketId: string, check: (s: TicketState) => boolean, label = 'ticket state', timeoutMs = 30_000): Promise<TicketState> {
  return waitQuery(client.workflow.getHandle(ticketWorkflowId(ticketId)), ticketStateQuery, check, label, timeoutMs);
}
