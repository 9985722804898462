// Scenarios of the support ticket (DIA-1..DIA-8, POL-5) whose histories the replay test keeps
// replaying: each path of the Ticket workflow once (the outcomes, the quote, the invoice paid,
// contested or left unpaid, the bar closing another ticket, the support conversation, the
// first-response alert) and an e-mail held until business hours. Run this file alone:
// `npx vitest run --config vitest.record.config.ts test/record/ticket-histories.record.ts`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { expect, it } from 'vitest';
import { isWorkingTime, BUSINESS_HOURS } from '../../domain/business-hours';
import { TEST_CARDS } from '../../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { emailDeliveryWorkflowId } from '../../workflows/email-delivery';
import { ticketWorkflowId } from '../../workflows/ticket';
import { useTestSystem } from '../support/environments';
import { saveHistory } from '../support/histories';
import { HOUR, MINUTE } from '../support/subscriptions';
import { openTicketAs, supportedService, ticketCommand, waitTicket, type SupportedService } from '../support/tickets';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const card = (number: string) => ({ card: { number, expMonth: 12, expYear: 2031, cvc: '123' } });

async function service(offerId: string): Promise<SupportedService> {
  return supportedService(env.client, sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId });
}

/** A command that must be carried out (200). */
async function done(ticketId: string, path: string, body: unknown, key: string = DEMO_KEYS.support) {
  const res = await ticketCommand(sys, ticketId, path, body, key);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

async function sleepUntil(iso: string, plusMs = MINUTE): Promise<void> {
  await env.sleep(Date.parse(iso) + plusMs - (await env.currentTimeMs()));
}

async function finished(ticketId: string) {
  return env.client.workflow.getHandle(ticketWorkflowId(ticketId)).result();
}

it('records an incident fixed, a declined payment then a paid invoice, and its opening e-mail held until business hours', async () => {
  // POL-5: the opening's e-mail of a business-hours tier is held only outside business hours.
  const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' });
  if (isWorkingTime(now.toUTC().toISO()!, BUSINESS_HOURS)) await sleepUntil(now.set({ hour: 19, minute: 0 }).toUTC().toISO()!, 0);

  const s = await service(DEMO.offers.acmeMail.id);
  const t = await openTicketAs(sys, s, 'incident');
  await done(t.ticketId, 'consent', { acceptedPriceCents: 2000 }, s.customerKey);
  expect((await done(t.ticketId, 'diagnosis', { outcome: 'fixed' })).status).toBe('awaiting_payment');
  const declined = await ticketCommand(sys, t.ticketId, 'pay', card(TEST_CARDS.declined), s.customerKey);
  expect(declined.status).toBe(422);
  expect((await done(t.ticketId, 'pay', card(TEST_CARDS.success), s.customerKey)).status).toBe('paid');
  const end = await finished(t.ticketId);
  expect(end.paymentAttempts).toHaveLength(1);
  await saveHistory(env.client, ticketWorkflowId(t.ticketId), 'ticket--incident-fixed-declined-then-paid');

  const held = env.client.workflow.getHandle(emailDeliveryWorkflowId(`ticket:${t.ticketId}:opened`));
  await held.result();
  const email = await sys.db.email.findUniqueOrThrow({ where: { id: `ticket:${t.ticketId}:opened` } });
  expect(email.status).toBe('sent');
  // Sent at the start of business hours, not when the ticket opened.
  expect(isWorkingTime(new Date(await env.currentTimeMs()).toISOString(), BUSINESS_HOURS)).toBe(true);
  await saveHistory(env.client, held.workflowId, 'email-delivery--ticket-held-until-business-hours');
});

it('records a quote accepted, the work done, the invoice contested, and the bar closing another open ticket', async () => {
  const s = await service(DEMO.offers.acmeCrm.id);
  const other = await openTicketAs(sys, s, 'support');
  const t = await openTicketAs(sys, s, 'incident');
  await done(t.ticketId, 'consent', { acceptedPriceCents: 2000 }, s.customerKey);
  await done(t.ticketId, 'diagnosis', { outcome: 'quote', quote: { amountCents: 15_000, description: 'Rebuild the mail index' } });
  expect((await done(t.ticketId, 'quote', { accept: true }, s.customerKey)).status).toBe('work_in_progress');
  await done(t.ticketId, 'messages', { text: 'The rebuild is under way.' });
  const invoiced = await done(t.ticketId, 'work-done', {});
  expect(invoiced.invoice.exclVatCents).toBe(17_000);
  expect((await done(t.ticketId, 'contest', { reason: 'Not what was agreed' }, s.customerKey)).status).toBe('contested');
  await finished(t.ticketId);
  const closed = await finished(other.ticketId);
  expect(closed.status).toBe('closed');
  expect(closed.closeReason).toContain('DIA-5');
  await saveHistory(env.client, ticketWorkflowId(t.ticketId), 'ticket--quote-accepted-work-done-contested');
  await saveHistory(env.client, ticketWorkflowId(other.ticketId), 'ticket--support-closed-by-bar');
});

it('records a support conversation: an answer awaiting the customer, its reply, another answer, then closed', async () => {
  const s = await service(DEMO.offers.acmeMail.id);
  const t = await openTicketAs(sys, s, 'support');
  expect((await done(t.ticketId, 'messages', { text: 'Which domain is it?', awaitCustomer: true })).status).toBe('awaiting_customer');
  expect((await done(t.ticketId, 'messages', { text: 'example.test' }, s.customerKey)).status).toBe('awaiting_support');
  await done(t.ticketId, 'messages', { text: 'Its MX record was wrong; fixed.' });
  expect((await done(t.ticketId, 'close', { reason: 'answered' }, s.customerKey)).status).toBe('closed');
  await finished(t.ticketId);
  await saveHistory(env.client, ticketWorkflowId(t.ticketId), 'ticket--support-replies-closed');
});

it('records incidents closed with nothing billed: the provider at fault, a free diagnostic fixed, a withdrawal before consent', async () => {
  const s = await service(DEMO.offers.globexBackup.id);
  const fault = await openTicketAs(sys, s, 'incident');
  await done(fault.ticketId, 'consent', { acceptedPriceCents: 2000 }, s.customerKey);
  expect((await done(fault.ticketId, 'diagnosis', { outcome: 'provider_fault' })).status).toBe('closed');
  await finished(fault.ticketId);
  await saveHistory(env.client, ticketWorkflowId(fault.ticketId), 'ticket--incident-provider-fault');

  const before = process.env.DIAGNOSTIC_FREE_UNTIL;
  process.env.DIAGNOSTIC_FREE_UNTIL = new Date((await env.currentTimeMs()) + 30 * 24 * HOUR).toISOString();
  let free;
  try {
    free = await openTicketAs(sys, s, 'incident');
  } finally {
    if (before === undefined) delete process.env.DIAGNOSTIC_FREE_UNTIL;
    else process.env.DIAGNOSTIC_FREE_UNTIL = before;
  }
  await done(free.ticketId, 'consent', { acceptedPriceCents: 0 }, s.customerKey);
  const freeEnd = await done(free.ticketId, 'diagnosis', { outcome: 'fixed' });
  expect(freeEnd.status).toBe('closed');
  expect(freeEnd.invoice).toBeNull();
  await finished(free.ticketId);
  await saveHistory(env.client, ticketWorkflowId(free.ticketId), 'ticket--incident-free-diagnostic-fixed');

  const withdrawn = await openTicketAs(sys, s, 'incident');
  expect((await done(withdrawn.ticketId, 'close', { reason: 'solved it myself' }, s.customerKey)).status).toBe('closed');
  await finished(withdrawn.ticketId);
  await saveHistory(env.client, ticketWorkflowId(withdrawn.ticketId), 'ticket--incident-withdrawn-before-consent');
});

it('records a support ticket whose first-response alert fires, then whose target is missed, then answered', async () => {
  // Premium: 24/7, first answer within 4 h, ops alerted at 75 % (3 h).
  const s = await service(DEMO.offers.globexBackup.id);
  const t = await openTicketAs(sys, s, 'support');
  await env.sleep(3 * HOUR + MINUTE);
  const alerted = await waitTicket(env.client, t.ticketId, (x) => x.firstResponse.alertedAt !== null, 'alert');
  await sleepUntil(alerted.firstResponse.dueAt!);
  await waitTicket(env.client, t.ticketId, (x) => x.firstResponse.missedAt !== null, 'missed');
  const answered = await done(t.ticketId, 'messages', { text: 'Restored from the last snapshot.' });
  expect(answered.firstResponse.met).toBe(false);
  await done(t.ticketId, 'close', { reason: 'answered' });
  await finished(t.ticketId);
  expect(await sys.db.email.count({ where: { id: `ticket:${t.ticketId}:ops-alert` } })).toBe(1);
  await saveHistory(env.client, ticketWorkflowId(t.ticketId), 'ticket--support-first-response-alert-missed');
});

it('records a quote left unanswered 14 days (declined), the reminder at day 23, and the invoice unpaid at day 30 (contested)', async () => {
  const s = await service(DEMO.offers.globexBackup.id);
  const t = await openTicketAs(sys, s, 'incident');
  await done(t.ticketId, 'consent', { acceptedPriceCents: 2000 }, s.customerKey);
  const quoted = await done(t.ticketId, 'diagnosis', { outcome: 'quote', quote: { amountCents: 9_000, description: 'Move the backups to a new volume' } });
  await sleepUntil(quoted.quote.expiresAt);
  const billed = await waitTicket(env.client, t.ticketId, (x) => x.status === 'awaiting_payment', 'billed');
  expect(billed.quote!.answer).toBe('expired');
  await sleepUntil(billed.invoice!.reminderAt);
  await waitTicket(env.client, t.ticketId, (x) => x.invoice?.remindedAt != null, 'reminded');
  await sleepUntil(billed.invoice!.dueAt);
  const end = await finished(t.ticketId);
  expect(end.status).toBe('contested');
  expect(end.contest!.cause).toBe('unpaid');
  await saveHistory(env.client, ticketWorkflowId(t.ticketId), 'ticket--quote-expired-reminded-unpaid');
});
