// Support tickets in the crash test (DIA-1..DIA-5, DIA-7, POL-5): tickets opened and worked over
// HTTP by their customers and support staff while the storm runs, on premium services (24/7: no
// e-mail is held until business hours, and the first-response alert, 3 h away, never falls due).
// Afterwards each ticket is in the state its scenario calls for, with at most one capture, an
// invoice for what was billed, one credit note and one bar for a contest, and its e-mails.
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { createSandboxGateway, TEST_CARDS } from '../../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { supportCreditNoteId, supportInvoiceId } from '../../activities/tickets';
import { seedPaidLine, type SeededLine } from '../../test/support/subscriptions';
import { ApiClient, type ApiResponse } from '../support/api-client';
import { startSeededSubscription } from './renewals';

export type TicketScenario =
  /** DIA-1, DIA-2, DIA-4: an incident, consented, fixed during the diagnostic, its invoice paid. */
  | 'fixed-paid'
  /** DIA-3, DIA-4: a quote accepted, the work done, diagnostic and work invoiced together and paid. */
  | 'quote-work-paid'
  /** DIA-4: the first card is declined, the second pays: one capture. */
  | 'declined-then-paid'
  /** POL-5: a support question answered, the customer's reply, closed by support. */
  | 'support-conversation'
  /** DIA-5, DIA-7: the invoice contested: a credit note, the bar, the customer's other open ticket closed, a new one refused. */
  | 'contested-bars-other';

export const TICKET_SCENARIOS: TicketScenario[] = ['fixed-paid', 'quote-work-paid', 'declined-then-paid', 'support-conversation', 'contested-bars-other'];

const QUOTE = { amountCents: 15_000, description: 'Restore the backup catalogue' };

/** Every scenario in turn, then shuffled with the run's seed. */
export function planTickets(count: number, random: () => number): TicketScenario[] {
  const plan = Array.from({ length: count }, (_, i) => TICKET_SCENARIOS[i % TICKET_SCENARIOS.length]);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  return plan;
}

/** One premium service per ticket scenario, its Subscription running (seeded before the storm, like the renewals). */
export async function seedTicketServices(db: Db, client: Client, taskQueue: string, count: number): Promise<SeededLine[]> {
  const gateway = createSandboxGateway(db);
  const lines: SeededLine[] = [];
  for (let i = 0; i < count; i++) lines.push(await seedPaidLine({ db, activityDeps: { gateway } }, { paidAt: new Date().toISOString(), offerId: DEMO.offers.globexBackup.id }));
  for (const line of lines) await startSeededSubscription(db, client, taskQueue, line);
  return lines;
}

export interface DrivenTicket {
  index: number;
  scenario: TicketScenario;
  customerId: string;
  lineId: string;
  ticketId: string;
  /** contested-bars-other: the support ticket the bar closes. */
  otherTicketId?: string;
  /** The diagnostic's price excl. VAT the customer consented to (DIA-1). */
  priceCents: number;
  /** A staff or customer reply was sent again after its answer was lost: it may be on the ticket twice. */
  repliesRetried: boolean;
  anomalies: string[];
  seconds: number;
}

/** The end state each scenario calls for, and what it bills excl. VAT (0: nothing). */
export function expectedTicket(t: Pick<DrivenTicket, 'scenario' | 'priceCents'>): { status: string; billedCents: number; paid: boolean } {
  switch (t.scenario) {
    case 'fixed-paid':
    case 'declined-then-paid':
      return { status: 'paid', billedCents: t.priceCents, paid: true };
    case 'quote-work-paid':
      return { status: 'paid', billedCents: t.priceCents + QUOTE.amountCents, paid: true };
    case 'support-conversation':
      return { status: 'closed', billedCents: 0, paid: false };
    case 'contested-bars-other':
      return { status: 'contested', billedCents: t.priceCents, paid: false };
  }
}

/** The e-mails (outbox keys) a scenario sends, beside its ticket id. */
function expectedEmails(t: DrivenTicket): string[] {
  const keys = (id: string, kinds: string[]) => kinds.map((k) => `ticket:${id}:${k}`);
  switch (t.scenario) {
    case 'fixed-paid':
    case 'declined-then-paid':
      return keys(t.ticketId, ['opened', 'consented', 'diagnosed', 'invoiced', 'paid']);
    case 'quote-work-paid':
      return keys(t.ticketId, ['opened', 'consented', 'quote', 'quote_accepted', 'invoiced', 'paid']);
    case 'support-conversation':
      return keys(t.ticketId, ['opened', 'support_replied:1', 'closed']);
    case 'contested-bars-other':
      return [...keys(t.ticketId, ['opened', 'consented', 'diagnosed', 'invoiced', 'contested']), ...keys(t.otherTicketId!, ['opened', 'closed'])];
  }
}

const card = (number: string) => ({ card: { number, expMonth: 12, expYear: 2031, cvc: '123' } });

/**
 * How long a ticket's command or read is retried through 5xx answers: outlasts a server restart,
 * yet a ticket whose reads fail for good is reported (with what it answered) within the reduced
 * test's time, where the orders' client would retry for 3 minutes.
 */
const TICKET_RETRY_MS = 45_000;

export async function driveTicket(api: ApiClient, runId: string, index: number, scenario: TicketScenario, line: SeededLine): Promise<DrivenTicket> {
  const started = Date.now();
  const anomalies: string[] = [];
  const key = line.customerKey;
  // The Subscription's first step writes its row: a contact is named on a running service.
  await api.waitFor(`/subscriptions/${line.lineId}/support`, key, (_b, status) => status === 200);
  const named = await api.call('POST', `/subscriptions/${line.lineId}/support-contacts`, { key, body: { name: 'Crash Contact', email: `crash-${runId}-t${index}@example.test` } });
  if (named.status !== 201) throw new Error(`ticket ${index}: contact not named: ${named.status} ${JSON.stringify(named.body)}`);
  const contactId: string = named.body.contactId;

  /** Opens a ticket; the request id makes a retry join the same ticket. */
  const open = async (kind: 'incident' | 'support', suffix: string): Promise<ApiResponse> =>
    api.call('POST', '/tickets', {
      key,
      body: { requestId: `crash-${runId}-t${index}-${suffix}`, subscriptionId: line.lineId, contactId, kind, subject: `Crash ${scenario} ${index}`, message: 'The backups stopped.' },
    });
  const opened = async (kind: 'incident' | 'support', suffix: string) => {
    const res = await open(kind, suffix);
    if (res.status !== 201) throw new Error(`ticket ${index} (${scenario}): opening answered ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const worked = new ApiClient(api.baseUrl, TICKET_RETRY_MS);
  /**
   * A command as its caller sends it: a 202 (Update accepted, not finished within the API's wait)
   * is followed at its statusUrl. Should the API refuse its own statusUrl, that is an anomaly, and
   * the ticket is watched until `carriedOut` holds, so the scenario goes on and the rest is checked.
   */
  const command = async (ticketId: string, path: string, body: unknown, who: string, carriedOut: (view: any) => boolean): Promise<ApiResponse> => {
    const res = await worked.call('POST', `/tickets/${ticketId}/${path}`, { key: who, body });
    if (res.status !== 202) return res;
    const outcome = await worked.waitFor(res.body.statusUrl, who, (_b, status) => status !== 202, TICKET_RETRY_MS);
    if (outcome.status === 200 || outcome.status === 409 || outcome.status === 422) return { ...outcome, retries: res.retries + outcome.retries };
    anomalies.push(`${path}: answered 202, then its statusUrl ${res.body.statusUrl} answered ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 160)}`);
    const seen = await worked.waitFor(`/tickets/${ticketId}`, DEMO_KEYS.support, (b) => carriedOut(b), TICKET_RETRY_MS);
    return { status: 200, body: seen.body, ms: seen.ms, retries: res.retries };
  };
  /** 200, or 409 when a retry meets its own earlier success (its answer was lost). */
  const expectDone = (what: string, res: ApiResponse) => {
    if (res.status === 200) return;
    if (res.status === 409 && res.retries > 0) return;
    anomalies.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)} after ${res.retries} retries`);
  };

  const kind = scenario === 'support-conversation' ? 'support' : 'incident';
  let otherTicketId: string | undefined;
  if (scenario === 'contested-bars-other') otherTicketId = (await opened('support', 'other')).ticketId;
  const ticket = await opened(kind, 'main');
  const ticketId: string = ticket.ticketId;
  const priceCents: number = kind === 'incident' ? ticket.diagnostic.priceNowCents : 0;
  // A free diagnostic (DIA-1's promotion) bills nothing: there would be nothing to pay or contest.
  if (kind === 'incident' && priceCents === 0) throw new Error(`ticket ${index}: the diagnostic is free (DIAGNOSTIC_FREE_UNTIL): the crash test needs a paid one`);
  let repliesRetried = false;
  const consent = async () => expectDone('consent', await command(ticketId, 'consent', { acceptedPriceCents: priceCents }, key, (v) => v.status !== 'awaiting_consent'));
  const diagnose = async (body: unknown) => expectDone('diagnosis', await command(ticketId, 'diagnosis', body, DEMO_KEYS.support, (v) => v.status !== 'diagnosing'));
  const pay = async () => expectDone('pay', await command(ticketId, 'pay', card(TEST_CARDS.success), key, (v) => v.status === 'paid'));

  try {
    switch (scenario) {
      case 'fixed-paid':
        await consent();
        await diagnose({ outcome: 'fixed' });
        await pay();
        break;
      case 'declined-then-paid': {
        await consent();
        await diagnose({ outcome: 'fixed' });
        const declined = await command(ticketId, 'pay', card(TEST_CARDS.declined), key, (v) => v.paymentAttempts?.length > 0);
        if (declined.status !== 422 || declined.body?.reason !== 'PaymentDeclined') anomalies.push(`declined card: ${declined.status} ${JSON.stringify(declined.body).slice(0, 200)}`);
        await pay();
        break;
      }
      case 'quote-work-paid':
        await consent();
        await diagnose({ outcome: 'quote', quote: QUOTE });
        expectDone('accept the quote', await command(ticketId, 'quote', { accept: true }, key, (v) => v.status === 'work_in_progress'));
        expectDone('work done', await command(ticketId, 'work-done', {}, DEMO_KEYS.support, (v) => v.status === 'awaiting_payment'));
        await pay();
        break;
      case 'support-conversation': {
        const answer = await command(ticketId, 'messages', { text: 'Which backup set?', awaitCustomer: true }, DEMO_KEYS.support, (v) => v.status === 'awaiting_customer');
        expectDone('support answers', answer);
        const reply = await command(ticketId, 'messages', { text: 'The nightly one.' }, key, (v) => v.status === 'awaiting_support');
        expectDone('customer replies', reply);
        repliesRetried = answer.retries + reply.retries > 0;
        expectDone('close', await command(ticketId, 'close', { reason: 'answered' }, DEMO_KEYS.support, (v) => v.status === 'closed'));
        break;
      }
      case 'contested-bars-other': {
        await consent();
        await diagnose({ outcome: 'fixed' });
        expectDone('contest', await command(ticketId, 'contest', { reason: 'Not what was agreed' }, key, (v) => v.status === 'contested'));
        break;
      }
    }

    const end = expectedTicket({ scenario, priceCents });
    await worked.waitFor(`/tickets/${ticketId}`, DEMO_KEYS.support, (b) => b?.status === end.status, TICKET_RETRY_MS);
    if (otherTicketId) {
      // DIA-5: the bar closes the customer's other open ticket; DIA-7: a new one is refused with the reason.
      await worked.waitFor(`/tickets/${otherTicketId}`, DEMO_KEYS.support, (b) => b?.status === 'closed', TICKET_RETRY_MS);
      const refused = await open('support', 'after-bar');
      if (refused.status !== 422 || refused.body?.reason !== 'SupportBarred' || refused.body?.bar?.ticketId !== ticketId) {
        anomalies.push(`a ticket opened after the bar: ${refused.status} ${JSON.stringify(refused.body).slice(0, 200)}`);
      }
    }
  } catch (err) {
    // A command or read that kept failing: reported, and the checks still run on what was done.
    anomalies.push(`stopped: ${(err as Error).message.slice(0, 400)}`);
  }
  api.failures += worked.failures;
  return { index, scenario, customerId: line.customerId, lineId: line.lineId, ticketId, otherTicketId, priceCents, repliesRetried, anomalies, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

export interface TicketCounts {
  tickets: number;
  ticketStatuses: Record<string, number>;
  supportInvoices: number;
  supportCaptures: number;
  supportDeclines: number;
  supportCreditNotes: number;
  supportBars: number;
  ticketEmails: number;
}

/** After the storm: every ticket as its scenario demands, money taken at most once, its e-mails recorded. */
export async function checkTickets(db: Db, tickets: DrivenTicket[]): Promise<{ counts: TicketCounts; violations: string[] }> {
  const violations: string[] = [];
  for (const t of tickets) {
    const fail = (what: string) => violations.push(`ticket ${t.index} ${t.ticketId} (${t.scenario}): ${what}`);
    for (const a of t.anomalies) fail(a);
    const end = expectedTicket(t);
    const row = await db.ticket.findUnique({ where: { id: t.ticketId } });
    if (row?.status !== end.status) fail(`status ${row?.status ?? 'missing'}, expected ${end.status}`);

    // DIA-4: an invoice in the marketplace's own series for what was billed, none otherwise.
    const invoices = await db.invoice.findMany({ where: { ticketId: t.ticketId, kind: 'invoice' } });
    const invoice = invoices[0];
    if (end.billedCents > 0) {
      if (invoices.length !== 1 || invoice.id !== supportInvoiceId(t.ticketId)) fail(`invoices ${JSON.stringify(invoices.map((i) => i.id))}`);
      else {
        if (invoice.sellerId !== 'marketplace' || !/^INV-marketplace-\d{4}-\d{6}$/.test(invoice.number)) fail(`invoice ${invoice.number} issued by ${invoice.sellerId}`);
        if (invoice.exclVatCents !== end.billedCents) fail(`invoice of ${invoice.exclVatCents} excl. VAT, expected ${end.billedCents}`);
        if (row?.invoiceId !== invoice.id) fail(`the ticket row names invoice ${row?.invoiceId}`);
      }
    } else if (invoices.length !== 0) fail(`${invoices.length} invoices for a ticket that bills nothing`);

    // at most one capture per ticket; a paid ticket exactly one, for the invoice's total,
    // and one charge in the gateway's ledger.
    const payments = await db.supportPayment.findMany({ where: { ticketId: t.ticketId } });
    const captured = payments.filter((p) => p.status === 'captured');
    const charges = await db.sandboxTransaction.findMany({ where: { kind: 'charge', idempotencyKey: { startsWith: `ticket:${t.ticketId}:payment` } } });
    if (captured.length > 1) fail(`${captured.length} captured payments`);
    if (end.paid) {
      if (captured.length !== 1 || captured[0].amountCents !== invoice?.totalCents) fail(`captures ${JSON.stringify(captured.map((p) => p.amountCents))} for an invoice of ${invoice?.totalCents}`);
      if (charges.length !== 1 || charges[0].amountCents !== invoice?.totalCents) fail(`gateway charges ${JSON.stringify(charges.map((c) => c.amountCents))}`);
      if ((await db.auditLog.count({ where: { entityId: t.ticketId, action: 'ticket.payment_captured' } })) !== 1) fail('no single audit entry ticket.payment_captured');
    } else if (captured.length + charges.length > 0) fail(`${captured.length} captures, ${charges.length} gateway charges on a ticket not paid`);
    if (t.scenario === 'declined-then-paid' && !payments.some((p) => p.status === 'declined')) fail('the declined attempt is not recorded');

    // DIA-5: a contest cancels the invoice by one credit note and bars the customer; its other open ticket closed with the reason.
    const notes = await db.invoice.findMany({ where: { ticketId: t.ticketId, kind: 'credit_note' } });
    if (t.scenario === 'contested-bars-other') {
      if (notes.length !== 1 || notes[0].id !== supportCreditNoteId(t.ticketId) || notes[0].creditedInvoiceId !== invoice?.id || notes[0].totalCents !== invoice?.totalCents) {
        fail(`credit notes ${JSON.stringify(notes.map((n) => [n.id, n.totalCents]))} for invoice ${invoice?.id} of ${invoice?.totalCents}`);
      }
      const bar = await db.supportBar.findUnique({ where: { customerId: t.customerId } });
      if (bar?.ticketId !== t.ticketId || bar.cause !== 'contested') fail(`bar ${JSON.stringify(bar)}`);
      const other = await db.ticket.findUnique({ where: { id: t.otherTicketId! } });
      if (other?.status !== 'closed' || !other.closeReason?.includes('DIA-5')) fail(`the other ticket is ${other?.status}: ${other?.closeReason}`);
      // The refused opening left no ticket behind (DIA-7).
      const all = await db.ticket.count({ where: { customerId: t.customerId } });
      if (all !== 2) fail(`${all} tickets for a customer who opened 2 before the bar`);
    } else {
      if (notes.length !== 0) fail(`${notes.length} credit notes`);
      if (await db.supportBar.findUnique({ where: { customerId: t.customerId } })) fail('the customer is barred');
    }

    // the scenario's e-mails, each recorded once (the outbox key); no other, but a reply sent
    // again after a lost answer (a second message, so a second e-mail); never an ops alert (due at 3 h).
    const expected = expectedEmails(t);
    const ids = [t.ticketId, t.otherTicketId].filter((x): x is string => !!x);
    const found = (await db.email.findMany({ where: { OR: ids.map((id) => ({ id: { startsWith: `ticket:${id}:` } })) }, select: { id: true } })).map((e) => e.id);
    for (const id of expected) if (!found.includes(id)) fail(`e-mail ${id} was never recorded`);
    for (const id of found) {
      if (expected.includes(id)) continue;
      if (t.repliesRetried && /:support_replied:\d+$/.test(id)) continue;
      fail(`unexpected e-mail ${id}`);
    }
  }

  // DIA-4: the marketplace's series stay gapless through the kills (a number is taken in the
  // invoice's own transaction).
  const series = await db.invoice.findMany({ where: { sellerId: 'marketplace' }, select: { number: true } });
  const byYear = new Map<string, number[]>();
  for (const { number } of series) {
    const [, prefix, year, n] = /^(INV|CN)-marketplace-(\d{4})-(\d{6})$/.exec(number) ?? [];
    if (!prefix) {
      violations.push(`marketplace document number ${number}`);
      continue;
    }
    byYear.set(`${prefix}-${year}`, [...(byYear.get(`${prefix}-${year}`) ?? []), Number(n)]);
  }
  for (const [seriesName, numbers] of byYear) {
    numbers.sort((a, b) => a - b);
    if (numbers.some((n, i) => n !== i + 1)) violations.push(`marketplace series ${seriesName} is not gapless: ${numbers.join(',')}`);
  }

  const ticketIds = tickets.flatMap((t) => [t.ticketId, ...(t.otherTicketId ? [t.otherTicketId] : [])]);
  const statuses = await db.ticket.groupBy({ by: ['status'], where: { id: { in: ticketIds } }, _count: { _all: true } });
  const counts: TicketCounts = {
    tickets: ticketIds.length,
    ticketStatuses: Object.fromEntries(statuses.map((s) => [s.status, s._count._all])),
    supportInvoices: await db.invoice.count({ where: { kind: 'invoice', ticketId: { in: ticketIds } } }),
    supportCaptures: await db.supportPayment.count({ where: { status: 'captured', ticketId: { in: ticketIds } } }),
    supportDeclines: await db.supportPayment.count({ where: { status: 'declined', ticketId: { in: ticketIds } } }),
    supportCreditNotes: await db.invoice.count({ where: { kind: 'credit_note', ticketId: { in: ticketIds } } }),
    supportBars: await db.supportBar.count({ where: { ticketId: { in: ticketIds } } }),
    ticketEmails: await db.email.count({ where: { OR: ticketIds.map((id) => ({ id: { startsWith: `ticket:${id}:` } })) } }),
  };
  return { counts, violations };
}
