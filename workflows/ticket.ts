// Ticket:<ticketId> — one support ticket on a customer's subscription (DIA-1..DIA-8, POL-5).
// Reads top to bottom: the ticket is opened (the API counted the quota and checked the bar);
// an incident waits for the customer's consent to the diagnostic's price (DIA-1), then support
// records the diagnosis (DIA-2); a quote waits 14 days for the customer's answer (DIA-3); what is
// billed is invoiced in the marketplace's name, due in 30 days with a reminder 7 days before
// (DIA-4); the customer pays, or contests (DIA-5) — unpaid at 30 days counts as contested
// (DIA-6) — and a contest bars the customer from support. A `support` ticket is a conversation
// under the offer's tier. Meanwhile the first-response clock (POL-5) runs in the tier's hours and
// ops are alerted before its target is missed. Commands are Updates queued to the main loop, each
// carried out as of its acceptance; e-mails to a business-hours customer wait for business hours.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { ALWAYS, BUSINESS_HOURS, addWorkingMs, nextWorkingInstant, workingMsBetween, type BusinessSchedule } from '../domain/business-hours';
import { formatMoney } from '../domain/money';
import {
  PAYMENT_DAYS,
  PAYMENT_REMINDER_DAYS_BEFORE,
  QUOTE_DAYS,
  diagnosticPriceAt,
  isClosed,
  plusDaysIn,
  type DiagnosisOutcome,
  type DiagnosticTerms,
  type TicketKind,
  type TicketStatus,
  type TierPolicy,
} from '../domain/support';
import type { SupportInvoiceLine, TicketEmailKind } from '../activities/tickets';
import { GATEWAY_UNAVAILABLE, db, gatewayGaveUp, payments } from './activity-options';
import { BUSINESS_TIME_ZONE, currentDetails, localTime, timerSummary, type Deadline } from './current-details';
import { sendEmail } from './email-delivery';
import { BusinessStatusKey, DueAtKey } from './search-attributes';

/** No subject: it is the customer's text, kept in the database only (erased by ACC-3), never in a history. */
export interface TicketInput {
  ticketId: string;
  customerId: string;
  subscriptionId: string;
  sellerId: string;
  /** The offer's name, for what staff read (the customer by its id: no name, no address, ACC-3). */
  offerName: string;
  kind: TicketKind;
  /** The named contact who opened it (POL-5). */
  contactId: string;
  /** The tier's terms when the ticket was opened (POL-5): a later change of tier does not move them. */
  policy: TierPolicy;
  /** DIA-1: the diagnostic's terms announced at opening (incident tickets). */
  diagnostic: DiagnosticTerms;
}

/** POL-5: support's first answer, measured in the tier's hours; paused while the customer is awaited. */
export interface FirstResponseClock {
  hours: TierPolicy['hours'];
  targetMs: number;
  alertAtMs: number;
  /** Working time counted so far (ms), up to `runningSince`. */
  elapsedMs: number;
  /** Running since this instant (ISO); null: paused or stopped. */
  runningSince: string | null;
  /** Why it is paused, while it is (the customer is awaited). */
  pausedFor: string | null;
  /** When the target falls if nothing changes (ISO); null unless running. */
  dueAt: string | null;
  respondedAt: string | null;
  /** Whether the first response came within the target (null until it came). */
  met: boolean | null;
  alertedAt: string | null;
  missedAt: string | null;
}

export interface TicketInvoice {
  invoiceId: string;
  number: string;
  exclVatCents: number;
  vatCents: number;
  totalCents: number;
  currency: string;
  issuedAt: string;
  dueAt: string;
  reminderAt: string;
  remindedAt: string | null;
}

export interface TicketState {
  ticketId: string;
  customerId: string;
  subscriptionId: string;
  sellerId: string;
  kind: TicketKind;
  tier: TierPolicy['tier'];
  status: TicketStatus;
  openedAt: string;
  /** DIA-1: the price announced (excl. VAT) and the promotion's end; the consent decides which applies. */
  diagnostic: DiagnosticTerms & { priceNowCents: number; freeNow: boolean };
  consent: { priceCents: number; promotion: boolean; at: string; by: string } | null;
  diagnosis: { outcome: DiagnosisOutcome; at: string; by: string } | null;
  quote: { amountCents: number; description: string; at: string; expiresAt: string; answer: 'accepted' | 'declined' | 'expired' | null; answeredAt: string | null } | null;
  workDoneAt: string | null;
  /** What was billed (DIA-2, DIA-3), excl. VAT. */
  billed: SupportInvoiceLine[];
  invoice: TicketInvoice | null;
  payment: { paymentId: string; amountCents: number; paidAt: string } | null;
  paymentAttempts: { at: string; code: string; message: string }[];
  contest: { cause: 'contested' | 'unpaid'; at: string; creditNoteId: string; creditNoteNumber: string } | null;
  firstResponse: FirstResponseClock;
  messages: { messageId: string; author: string; at: string }[];
  /** The next thing due, with its rule (DIA-8). */
  nextDeadline: { rule: string; what: string; at: string } | null;
  closedAt: string | null;
  closeReason: string | null;
}

export interface Consent { customerId: string; acceptedPriceCents: number }
export interface StaffReply { staff: string; messageId: string; awaitCustomer: boolean }
export interface CustomerReply { customerId: string; messageId: string }
export interface Diagnosis { staff: string; outcome: DiagnosisOutcome; quote?: { amountCents: number; description: string } }
export interface QuoteAnswer { customerId: string; accept: boolean }
export interface WorkDone { staff: string }
/** A card the API saved with the gateway (PaymentCard row): only its id enters the workflow (X-7). */
export interface PayInvoice { customerId: string; cardId: string }
export interface Contest { customerId: string; reason: string }
export interface CloseTicket { by: string; reason: string }
/** DIA-5: another ticket's invoice was contested: this customer has no support any more. */
export interface SupportBarred { invoiceNumber: string; ticketId: string }

export const ticketStateQuery = defineQuery<TicketState>('ticketState');
export const openTicketUpdate = defineUpdate<TicketState, []>('openTicket');
export const consentUpdate = defineUpdate<TicketState, [Consent]>('consentToDiagnostic');
export const staffReplyUpdate = defineUpdate<TicketState, [StaffReply]>('staffReply');
export const customerReplyUpdate = defineUpdate<TicketState, [CustomerReply]>('customerReply');
export const diagnosisUpdate = defineUpdate<TicketState, [Diagnosis]>('recordDiagnosis');
export const quoteAnswerUpdate = defineUpdate<TicketState, [QuoteAnswer]>('answerQuote');
export const workDoneUpdate = defineUpdate<TicketState, [WorkDone]>('markWorkDone');
export const payInvoiceUpdate = defineUpdate<TicketState, [PayInvoice]>('payInvoice');
export const contestUpdate = defineUpdate<TicketState, [Contest]>('contestInvoice');
export const closeTicketUpdate = defineUpdate<TicketState, [CloseTicket]>('closeTicket');
export const supportBarredSignal = defineSignal<[SupportBarred]>('supportBarred');

export function ticketWorkflowId(ticketId: string): string {
  return `Ticket:${ticketId}`;
}

type Command =
  | { kind: 'consent'; c: Consent }
  | { kind: 'staffReply'; c: StaffReply }
  | { kind: 'customerReply'; c: CustomerReply }
  | { kind: 'diagnosis'; c: Diagnosis }
  | { kind: 'quoteAnswer'; c: QuoteAnswer }
  | { kind: 'workDone'; c: WorkDone }
  | { kind: 'pay'; c: PayInvoice }
  | { kind: 'contest'; c: Contest }
  | { kind: 'close'; c: CloseTicket };

interface Queued {
  cmd: Command;
  /** Workflow time of its acceptance: it is carried out as of then. */
  at: string;
  done: boolean;
  error?: unknown;
}

type Wake = { at: string; deadline: Deadline; run: () => Promise<void> };

const refuse = (message: string, type: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
const nowIso = () => new Date().toISOString();
const HOUR_MS = 3_600_000;

export async function ticketWorkflow(input: TicketInput): Promise<TicketState> {
  const workflowId = workflowInfo().workflowId;
  const zone = BUSINESS_TIME_ZONE;
  const schedule: BusinessSchedule = input.policy.hours === 'always' ? ALWAYS : BUSINESS_HOURS;
  const openedAt = nowIso();
  const ticket = `ticket ${input.ticketId}`;
  const customer = `customer ${input.customerId}`;
  const state: TicketState = {
    ticketId: input.ticketId,
    customerId: input.customerId,
    subscriptionId: input.subscriptionId,
    sellerId: input.sellerId,
    kind: input.kind,
    tier: input.policy.tier,
    status: input.kind === 'incident' ? 'awaiting_consent' : 'awaiting_support',
    openedAt,
    diagnostic: { ...input.diagnostic, priceNowCents: 0, freeNow: false },
    consent: null,
    diagnosis: null,
    quote: null,
    workDoneAt: null,
    billed: [],
    invoice: null,
    payment: null,
    paymentAttempts: [],
    contest: null,
    firstResponse: {
      hours: input.policy.hours,
      targetMs: input.policy.firstResponseHours * HOUR_MS,
      alertAtMs: Math.round((input.policy.firstResponseHours * HOUR_MS * input.policy.alertAtPercent) / 100),
      elapsedMs: 0,
      runningSince: null,
      pausedFor: null,
      dueAt: null,
      respondedAt: null,
      met: null,
      alertedAt: null,
      missedAt: null,
    },
    messages: [],
    nextDeadline: null,
    closedAt: null,
    closeReason: null,
  };
  const queue: Queued[] = [];
  let barred: SupportBarred | null = null;
  let ready = false;
  /** DIA-5: a bar closes the ticket, unless its invoice awaits payment (the support was given: still payable or contestable). */
  const closesForBar = (): boolean => barred !== null && state.status !== 'awaiting_payment';

  // --- setup: commands and state (registered before any await: nothing arriving is lost) -----
  const view = (): TicketState => {
    const price = diagnosticPriceAt(input.diagnostic, nowIso());
    state.diagnostic.priceNowCents = price.priceCents;
    state.diagnostic.freeNow = price.promotion;
    // An Update that closed the ticket answers before the loop's last publish.
    if (isClosed(state.status)) state.nextDeadline = null;
    return state;
  };
  setHandler(ticketStateQuery, view);
  setHandler(supportBarredSignal, (s) => {
    barred ??= s;
  });
  setHandler(openTicketUpdate, async () => {
    await condition(() => ready);
    return view();
  });

  const customerOnly = (customerId: string) => {
    if (customerId !== state.customerId) refuse('only the customer who opened this ticket may do this', 'NotYourTicket');
  };
  const inStatus = (...allowed: TicketStatus[]) => {
    if (!allowed.includes(state.status)) refuse(`${ticket} is ${state.status.replace(/_/g, ' ')}: this command needs it ${allowed.map((s) => s.replace(/_/g, ' ')).join(' or ')}`, 'WrongTicketState');
  };
  /** A deadline is over at its instant (the timer decides what then happens). */
  const passed = (deadline: string, asOf: string, what: string) => {
    if (Date.parse(asOf) >= Date.parse(deadline)) refuse(`${what} ended on ${localTime(deadline)}`, 'DeadlinePassed');
  };
  // Each validator runs when the command arrives (asOf: now) and again when the loop carries it
  // out (asOf: its acceptance), so two commands accepted together cannot both apply.
  const validators: { [K in Command['kind']]: (cmd: Extract<Command, { kind: K }>['c'], asOf: string) => void } = {
    consent: (c, asOf) => {
      customerOnly(c.customerId);
      inStatus('awaiting_consent');
      const { priceCents } = diagnosticPriceAt(input.diagnostic, asOf);
      if (c.acceptedPriceCents !== priceCents) {
        refuse(`the diagnostic's price is now ${formatMoney(priceCents, input.diagnostic.currency)} excl. VAT: consent to that price (DIA-1)`, 'PriceChanged');
      }
    },
    staffReply: (c) => {
      if (!c.messageId) refuse('messageId missing', 'InvalidArgument');
      if (state.kind === 'support') inStatus('awaiting_support', 'awaiting_customer');
      // An incident: support answers the customer's messages in any open state.
    },
    customerReply: (c) => {
      customerOnly(c.customerId);
      if (state.kind === 'support') inStatus('awaiting_support', 'awaiting_customer');
      else inStatus('awaiting_consent', 'diagnosing', 'quote_pending', 'work_in_progress', 'awaiting_payment');
    },
    diagnosis: (c) => {
      if (state.kind !== 'incident') refuse('a diagnosis is recorded on incident tickets only (DIA-2)', 'WrongTicketState');
      inStatus('diagnosing');
      if (c.outcome === 'quote') {
        if (!c.quote || !Number.isInteger(c.quote.amountCents) || c.quote.amountCents <= 0 || !c.quote.description.trim()) {
          refuse('a quote needs a positive amount excl. VAT and a description (DIA-2)', 'InvalidArgument');
        }
      } else if (c.quote) refuse(`a ${c.outcome} diagnosis has no quote (DIA-2)`, 'InvalidArgument');
    },
    quoteAnswer: (c, asOf) => {
      customerOnly(c.customerId);
      if (state.quote?.answer) refuse(`the quote was already ${state.quote.answer} (DIA-3)`, 'QuoteAnswered');
      inStatus('quote_pending');
      passed(state.quote!.expiresAt, asOf, `the ${QUOTE_DAYS} days to answer the quote (DIA-3)`);
    },
    workDone: () => inStatus('work_in_progress'),
    pay: (c, asOf) => {
      customerOnly(c.customerId);
      if (state.payment) refuse(`invoice ${state.invoice!.number} is already paid`, 'AlreadyPaid');
      inStatus('awaiting_payment');
      passed(state.invoice!.dueAt, asOf, `the ${PAYMENT_DAYS} days to pay invoice ${state.invoice!.number} (DIA-6)`);
      if (!c.cardId) refuse('card missing', 'InvalidArgument');
    },
    contest: (c, asOf) => {
      customerOnly(c.customerId);
      if (state.payment) refuse(`invoice ${state.invoice!.number} is paid: a paid invoice cannot be contested (DIA-5)`, 'AlreadyPaid');
      inStatus('awaiting_payment');
      passed(state.invoice!.dueAt, asOf, `the ${PAYMENT_DAYS} days to pay or contest invoice ${state.invoice!.number} (DIA-6)`);
    },
    close: () => {
      if (state.kind === 'support') inStatus('awaiting_support', 'awaiting_customer');
      else inStatus('awaiting_consent');
    },
  };
  const validate = (cmd: Command, asOf = nowIso()): void => {
    if (!ready) refuse('the ticket is opening: retry in a moment', 'NotReady');
    if ((cmd.kind === 'pay' || cmd.kind === 'contest') && state.payment) validators[cmd.kind](cmd.c as never, asOf);
    if (isClosed(state.status)) refuse(`${ticket} is closed (${state.closeReason ?? state.status})`, 'TicketClosed');
    // DIA-5: a barred customer's ticket takes only what settles its invoice.
    if (closesForBar() || (barred && !['pay', 'contest', 'customerReply'].includes(cmd.kind))) {
      refuse(`the customer has no support any more: invoice ${barred!.invoiceNumber} was contested (DIA-5)`, 'TicketClosed');
    }
    (validators[cmd.kind] as (c: unknown, asOf: string) => void)(cmd.c, asOf);
  };
  async function enqueue(cmd: Command): Promise<TicketState> {
    const item: Queued = { cmd, at: nowIso(), done: false };
    queue.push(item);
    await condition(() => item.done);
    if (item.error) throw item.error;
    return view();
  }
  const on = <A>(def: ReturnType<typeof defineUpdate<TicketState, [A]>>, toCmd: (a: A) => Command) =>
    setHandler(def, (a: A) => enqueue(toCmd(a)), { validator: (a: A) => validate(toCmd(a)) });
  on(consentUpdate, (c) => ({ kind: 'consent', c }));
  on(staffReplyUpdate, (c) => ({ kind: 'staffReply', c }));
  on(customerReplyUpdate, (c) => ({ kind: 'customerReply', c }));
  on(diagnosisUpdate, (c) => ({ kind: 'diagnosis', c }));
  on(quoteAnswerUpdate, (c) => ({ kind: 'quoteAnswer', c }));
  on(workDoneUpdate, (c) => ({ kind: 'workDone', c }));
  on(payInvoiceUpdate, (c) => ({ kind: 'pay', c }));
  on(contestUpdate, (c) => ({ kind: 'contest', c }));
  on(closeTicketUpdate, (c) => ({ kind: 'close', c }));

  // What each command does, carried out by the main loop one at a time (functions below are hoisted).
  const handlers: { [K in Command['kind']]: (c: Extract<Command, { kind: K }>['c'], at: string) => Promise<void> } = {
    async consent(c, at) {
      const price = diagnosticPriceAt(input.diagnostic, at);
      state.consent = { priceCents: price.priceCents, promotion: price.promotion, at, by: `customer:${c.customerId}` };
      state.status = 'diagnosing';
      startClock(at);
      await record('consented', { by: state.consent.by, priceCents: price.priceCents, promotion: price.promotion });
      await tellCustomer('consented', 'DIA-1');
    },
    async staffReply(c, at) {
      state.messages.push({ messageId: c.messageId, author: c.staff, at });
      firstResponseGiven(at);
      if (state.kind === 'support') state.status = c.awaitCustomer ? 'awaiting_customer' : 'awaiting_support';
      await record('support_replied', { messageId: c.messageId, by: c.staff });
      await tellCustomer('support_replied', 'DIA-8');
    },
    async customerReply(c, at) {
      state.messages.push({ messageId: c.messageId, author: `customer:${c.customerId}`, at });
      if (state.kind === 'support') state.status = 'awaiting_support';
      await record('customer_replied', { by: `customer:${c.customerId}`, messageId: c.messageId });
    },
    async diagnosis(c, at) {
      state.diagnosis = { outcome: c.outcome, at, by: c.staff };
      firstResponseGiven(at);
      if (c.outcome === 'quote') {
        state.quote = { amountCents: c.quote!.amountCents, description: c.quote!.description, at, expiresAt: plusDaysIn(at, QUOTE_DAYS, zone), answer: null, answeredAt: null };
        state.status = 'quote_pending';
      }
      // The row is written with the state it leaves the ticket in (lists filter on it).
      await record('diagnosed', { outcome: c.outcome, by: c.staff, ...(c.quote ? { quoteCents: c.quote.amountCents } : {}) });
      switch (c.outcome) {
        case 'provider_fault':
          await tellCustomer('diagnosed', 'DIA-2');
          return close(at, "the provider's fault: fixed under warranty, nothing billed (DIA-2)");
        case 'no_quote':
          await tellCustomer('diagnosed', 'DIA-2');
          return close(at, 'no quote: the provider will not quote, nothing billed (DIA-2)');
        case 'fixed':
          await tellCustomer('diagnosed', 'DIA-2');
          return bill(at, [diagnosticLine()], 'fixed during the diagnostic: only the diagnostic is billed (DIA-2)');
        case 'quote':
          await tellCustomer('quote', 'DIA-3');
      }
    },
    async quoteAnswer(c, at) {
      state.quote!.answer = c.accept ? 'accepted' : 'declined';
      state.quote!.answeredAt = at;
      // DIA-3: accepted, work starts at once, with no payment first.
      if (c.accept) state.status = 'work_in_progress';
      await record(c.accept ? 'quote_accepted' : 'quote_declined', { by: `customer:${c.customerId}` });
      if (c.accept) {
        await tellCustomer('quote_accepted', 'DIA-3');
      } else {
        await bill(at, [diagnosticLine()], 'quote declined: only the diagnostic is billed (DIA-3)');
      }
    },
    async workDone(c, at) {
      state.workDoneAt = at;
      await record('work_done', { by: c.staff });
      await bill(at, [diagnosticLine(), { description: `Work as quoted: ${state.quote!.description}`, exclVatCents: state.quote!.amountCents }], 'work done: diagnostic and work invoiced together (DIA-3)');
    },
    async pay(c, at) {
      const attempt = state.paymentAttempts.length + 1;
      let result;
      try {
        result = await payments(`DIA-4: charge invoice ${state.invoice!.number} (attempt ${attempt})`).chargeSupportInvoice({
          ticketId: state.ticketId,
          invoiceId: state.invoice!.invoiceId,
          customerId: state.customerId,
          attempt,
          cardId: c.cardId,
          amountCents: state.invoice!.totalCents,
          currency: state.invoice!.currency,
          at,
        });
      } catch (err) {
        if (!gatewayGaveUp(err)) throw err;
        result = { status: 'declined' as const, ...GATEWAY_UNAVAILABLE };
      }
      if (result.status === 'declined') {
        state.paymentAttempts.push({ at, code: result.code, message: result.message });
        return refuse(`the payment was declined (${result.message}); invoice ${state.invoice!.number} is still due ${localTime(state.invoice!.dueAt)}`, 'PaymentDeclined');
      }
      state.payment = { paymentId: result.paymentId, amountCents: state.invoice!.totalCents, paidAt: at };
      state.status = 'paid';
      state.closedAt = at;
      state.closeReason = `invoice ${state.invoice!.number} paid (DIA-4)`;
      await record('paid', { by: `customer:${c.customerId}`, paymentId: result.paymentId });
      await tellCustomer('paid', 'DIA-4');
    },
    async contest(c, at) {
      await cancelAndBar(at, 'contested', c.reason, `customer:${c.customerId}`);
    },
    async close(c, at) {
      await close(at, `closed by ${c.by}: ${c.reason}`, c.by);
      await tellCustomer('closed', 'DIA-8');
    },
  };

  // --- run: the process ----------------------------------------------------------------------
  const opened = await db(`DIA-8: record ${ticket} as opened (${input.kind})`).recordTicketOpened({ ticketId: input.ticketId, workflowId, at: openedAt });
  if (state.kind === 'support') startClock(openedAt);
  else state.firstResponse.pausedFor = "the customer's consent to the diagnostic's price (DIA-1)";
  ready = true;
  if (opened.barredBy) {
    // Barred between the API's check and this start (DIA-5): closed at once, with the reason.
    barred = opened.barredBy;
  } else {
    await record('opened', { kind: input.kind });
    await tellCustomer('opened', input.kind === 'incident' ? 'DIA-1' : 'POL-5');
  }

  while (!isClosed(state.status)) {
    if (closesForBar()) {
      await closeForBar(barred!);
      break;
    }
    const wake = nextWake();
    publish(wake);
    if (queue.length === 0) {
      const waitMs = wake ? Date.parse(wake.at) - Date.now() : undefined;
      if (waitMs === undefined) await condition(() => queue.length > 0 || closesForBar());
      else if (waitMs > 0) await condition(() => queue.length > 0 || closesForBar(), waitMs, { summary: timerSummary(wake!.deadline) });
    }
    if (closesForBar()) continue;
    if (queue.length > 0) {
      // A command accepted before the deadline is carried out before it.
      const item = queue.shift()!;
      if (!wake || Date.parse(item.at) < Date.parse(wake.at) || Date.now() < Date.parse(wake.at)) {
        await carryOut(item);
        continue;
      }
      queue.unshift(item);
    }
    if (closesForBar()) continue;
    if (wake && Date.now() >= Date.parse(wake.at)) await wake.run();
  }
  // Commands that arrived as it closed are refused (closed), then the history ends.
  for (;;) {
    await condition(() => queue.length > 0 || allHandlersFinished());
    if (queue.length === 0) break;
    const item = queue.shift()!;
    item.error = ApplicationFailure.nonRetryable(`${ticket} is closed (${state.closeReason ?? state.status})`, 'TicketClosed');
    item.done = true;
  }
  publish(null);
  return view();

  // --- steps ---------------------------------------------------------------------------------
  async function carryOut(item: Queued): Promise<void> {
    try {
      validate(item.cmd, item.at);
      await handlers[item.cmd.kind](item.cmd.c as never, item.at);
    } catch (err) {
      item.error = err;
    } finally {
      item.done = true;
    }
  }

  function diagnosticLine(): SupportInvoiceLine {
    // Not the subject: an invoice outlives an account's erasure (ACC-3), the customer's text must not be on it.
    return { description: `Diagnostic of incident ${state.ticketId}${state.consent?.promotion ? ' (free: promotion)' : ''}`, exclVatCents: state.consent!.priceCents };
  }

  /** DIA-2/DIA-3 → DIA-4: invoices what is billed in the marketplace's name, due in 30 days; nothing to bill closes the ticket. */
  async function bill(at: string, lines: SupportInvoiceLine[], why: string): Promise<void> {
    const billed = lines.filter((l) => l.exclVatCents > 0);
    state.billed = billed;
    if (billed.length === 0) {
      await close(at, `${why}; nothing to pay (the diagnostic was free)`);
      return tellCustomer('closed', 'DIA-4');
    }
    const inv = await db(`DIA-4: issue the support invoice of ${ticket}`).issueSupportInvoice({
      ticketId: state.ticketId,
      customerId: state.customerId,
      lines: billed,
      vatRateBp: input.diagnostic.vatRateBp,
      currency: input.diagnostic.currency,
      at,
      dueAt: plusDaysIn(at, PAYMENT_DAYS, zone),
    });
    state.invoice = { ...inv, reminderAt: plusDaysIn(inv.dueAt, -PAYMENT_REMINDER_DAYS_BEFORE, zone), remindedAt: null };
    state.status = 'awaiting_payment';
    await record('invoiced', { invoiceId: inv.invoiceId, number: inv.number, totalCents: inv.totalCents });
    await tellCustomer('invoiced', 'DIA-4');
  }

  /** DIA-5 (contested) or DIA-6 (unpaid at 30 days): the invoice cancelled by a credit note, the customer barred for good. */
  async function cancelAndBar(at: string, cause: 'contested' | 'unpaid', reason: string, by = 'system'): Promise<void> {
    const rule = cause === 'contested' ? 'DIA-5' : 'DIA-6';
    const done = await db(`${rule}: cancel invoice ${state.invoice!.number} by a credit note and bar the customer from support`).barCustomerFromSupport({
      ticketId: state.ticketId,
      customerId: state.customerId,
      invoiceId: state.invoice!.invoiceId,
      cause,
      reason,
      at,
    });
    state.contest = { cause, at, creditNoteId: done.creditNoteId, creditNoteNumber: done.creditNoteNumber };
    state.status = 'contested';
    state.closedAt = at;
    state.closeReason = `${cause === 'contested' ? 'invoice contested by the customer' : 'invoice unpaid after 30 days, counted as contested'}: cancelled by credit note ${done.creditNoteNumber}; the customer has no support any more (${rule})`;
    await record('contested', { by, cause, creditNoteId: done.creditNoteId });
    await tellCustomer('contested', rule);
    // The customer's other open tickets close with the reason (DIA-5).
    await db(`DIA-5: close the customer's other open tickets`).closeBarredCustomersTickets({ customerId: state.customerId, ticketId: state.ticketId, invoiceNumber: state.invoice!.number });
  }

  async function closeForBar(b: SupportBarred): Promise<void> {
    await close(nowIso(), `the customer has no support any more: invoice ${b.invoiceNumber} of ticket ${b.ticketId} was contested (DIA-5)`);
    await tellCustomer('closed', 'DIA-5');
  }

  async function close(at: string, reason: string, by = 'system'): Promise<void> {
    stopClock(at);
    state.status = 'closed';
    state.closedAt = at;
    state.closeReason = reason;
    await record('closed', { by, reason });
  }

  // --- the first-response clock (POL-5) -------------------------------------------------------
  function startClock(at: string): void {
    const clock = state.firstResponse;
    if (clock.respondedAt || clock.runningSince) return;
    clock.runningSince = at;
    clock.pausedFor = null;
    clock.dueAt = addWorkingMs(at, Math.max(0, clock.targetMs - clock.elapsedMs), schedule);
  }
  function stopClock(at: string): void {
    const clock = state.firstResponse;
    if (!clock.runningSince) return;
    clock.elapsedMs += workingMsBetween(clock.runningSince, at, schedule);
    clock.runningSince = null;
    clock.dueAt = null;
  }
  function firstResponseGiven(at: string): void {
    const clock = state.firstResponse;
    if (clock.respondedAt) return;
    stopClock(at);
    clock.respondedAt = at;
    clock.met = clock.elapsedMs <= clock.targetMs;
  }

  /** The next thing due: the clock's alert and target, the quote's expiry, the invoice's reminder and due date. */
  function nextWake(): Wake | null {
    const wakes: Wake[] = [];
    const clock = state.firstResponse;
    if (clock.runningSince) {
      if (!clock.alertedAt) {
        const at = addWorkingMs(clock.runningSince, Math.max(0, clock.alertAtMs - clock.elapsedMs), schedule);
        wakes.push({ at, deadline: { rule: 'POL-5', what: `alert ops: support's first answer due by ${localTime(clock.dueAt!)}`, word: 'on', at }, run: alertOps });
      } else if (!clock.missedAt) {
        wakes.push({ at: clock.dueAt!, deadline: { rule: 'POL-5', what: "support's first answer", at: clock.dueAt! }, run: markMissed });
      }
    }
    if (state.status === 'awaiting_consent' && input.diagnostic.freeUntil && Date.now() < Date.parse(input.diagnostic.freeUntil)) {
      // DIA-1: the price shown changes when the promotion ends (a Query reads the last task's time).
      const at = input.diagnostic.freeUntil;
      wakes.push({ at, deadline: { rule: 'DIA-1', what: `the free diagnostic ends; the price becomes ${formatMoney(input.diagnostic.priceCents, input.diagnostic.currency)} excl. VAT`, word: 'on', at }, run: async () => undefined });
    }
    if (state.status === 'quote_pending') {
      const at = state.quote!.expiresAt;
      wakes.push({ at, deadline: { rule: 'DIA-3', what: `${customer} must accept or decline the quote (else declined)`, at }, run: expireQuote });
    }
    if (state.status === 'awaiting_payment') {
      const inv = state.invoice!;
      if (!inv.remindedAt) wakes.push({ at: inv.reminderAt, deadline: { rule: 'DIA-4', what: `remind ${customer} of invoice ${inv.number}`, word: 'on', at: inv.reminderAt }, run: remindPayment });
      else wakes.push({ at: inv.dueAt, deadline: { rule: 'DIA-6', what: `${customer} must pay or contest invoice ${inv.number} (else contested)`, at: inv.dueAt }, run: unpaidAtDueDate });
    }
    wakes.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return wakes[0] ?? null;
  }

  async function alertOps(): Promise<void> {
    const at = nowIso();
    state.firstResponse.alertedAt = at;
    await record('first_response_alert', { dueAt: state.firstResponse.dueAt });
    await sendEmail({ rule: 'POL-5', what: `ops alert: first answer of ${ticket} due soon`, notBefore: workingInstant(at) }, (a) =>
      a.composeTicketEmail({ ticketId: state.ticketId, kind: 'ops_first_response_alert', key: `ticket:${state.ticketId}:ops-alert`, data: { dueAt: state.firstResponse.dueAt } }),
    );
  }

  async function markMissed(): Promise<void> {
    state.firstResponse.missedAt = nowIso();
    await record('first_response_missed', { dueAt: state.firstResponse.dueAt });
  }

  async function expireQuote(): Promise<void> {
    const at = state.quote!.expiresAt;
    state.quote!.answer = 'expired';
    state.quote!.answeredAt = at;
    await record('quote_expired', {});
    await bill(at, [diagnosticLine()], `quote unanswered for ${QUOTE_DAYS} days, counted as declined: only the diagnostic is billed (DIA-3)`);
  }

  async function remindPayment(): Promise<void> {
    state.invoice!.remindedAt = nowIso();
    await record('payment_reminder', {});
    await tellCustomer('payment_reminder', 'DIA-4');
  }

  async function unpaidAtDueDate(): Promise<void> {
    await cancelAndBar(state.invoice!.dueAt, 'unpaid', `unpaid ${PAYMENT_DAYS} days after issue`);
  }

  // --- what the customer, the read model and staff see ----------------------------------------
  /** Business-hours tiers: no e-mail to the customer nor alert outside business hours (POL-5). */
  function workingInstant(at: string): string | undefined {
    const next = nextWorkingInstant(at, schedule);
    return next === at ? undefined : next;
  }

  async function tellCustomer(kind: TicketEmailKind, rule: string): Promise<void> {
    const n = state.messages.length;
    const key = `ticket:${state.ticketId}:${kind}${kind === 'support_replied' ? `:${n}` : ''}`;
    await sendEmail({ rule, what: `${kind.replace(/_/g, ' ')} (${ticket})`, notBefore: workingInstant(nowIso()) }, (a) => a.composeTicketEmail({ ticketId: state.ticketId, kind, key, data: emailData() }));
  }

  function emailData(): Record<string, string | number | null> {
    return {
      priceCents: state.consent?.priceCents ?? diagnosticPriceAt(input.diagnostic, nowIso()).priceCents,
      promotion: state.consent ? String(state.consent.promotion) : null,
      outcome: state.diagnosis?.outcome ?? null,
      quoteCents: state.quote?.amountCents ?? null,
      quoteDescription: state.quote?.description ?? null,
      quoteExpiresAt: state.quote?.expiresAt ?? null,
      invoiceId: state.invoice?.invoiceId ?? null,
      dueAt: state.invoice?.dueAt ?? null,
      creditNoteId: state.contest?.creditNoteId ?? null,
      closeReason: state.closeReason,
    };
  }

  async function record(event: string, data: Record<string, unknown>): Promise<void> {
    await db(`DIA-8: record ${ticket}: ${event.replace(/_/g, ' ')}`).recordTicket({
      ticketId: state.ticketId,
      workflowId,
      event,
      at: nowIso(),
      status: state.status,
      closedAt: state.closedAt,
      closeReason: state.closeReason,
      invoiceId: state.invoice?.invoiceId ?? null,
      data,
    });
  }

  function publish(wake: Wake | null): void {
    state.nextDeadline = wake ? { rule: wake.deadline.rule, what: wake.deadline.what, at: wake.at } : null;
    const attributes: SearchAttributeUpdatePair[] = [
      { key: BusinessStatusKey, value: state.status },
      { key: DueAtKey, value: wake ? new Date(wake.at) : null },
    ];
    upsertSearchAttributes(attributes);
    showDetails(wake);
  }

  /** What staff read in the Temporal UI: state with its rule, next deadline in Paris time, who must act. */
  function showDetails(wake: Wake | null): void {
    const title = `Ticket ${state.ticketId} · ${state.kind} · ${input.offerName} · customer ${input.customerId}`;
    const clock = state.firstResponse;
    const facts = [`tier ${state.tier}: first answer within ${clock.targetMs / HOUR_MS} h (${clock.hours === 'always' ? '24/7' : 'business hours, Paris'}) (POL-5)`];
    if (clock.respondedAt) facts.push(`first answer ${localTime(clock.respondedAt)}, ${clock.met ? 'within' : 'past'} the target (POL-5)`);
    if (clock.missedAt) facts.push(`first-answer target missed ${localTime(clock.missedAt)} (POL-5)`);
    if (state.consent) facts.push(`diagnostic consented ${localTime(state.consent.at)} at ${formatMoney(state.consent.priceCents, input.diagnostic.currency)} excl. VAT${state.consent.promotion ? ' (promotion)' : ''} (DIA-1)`);
    if (state.invoice) facts.push(`invoice ${state.invoice.number}: ${formatMoney(state.invoice.totalCents, state.invoice.currency)} due ${localTime(state.invoice.dueAt)} (DIA-4)`);
    const states: Record<TicketStatus, [string, string | null]> = {
      awaiting_consent: [`awaiting the customer's consent to the diagnostic at ${formatMoney(diagnosticPriceAt(input.diagnostic, nowIso()).priceCents, input.diagnostic.currency)} excl. VAT (DIA-1)`, `consent from ${customer}`],
      diagnosing: ['diagnosing (DIA-2)', 'the diagnosis (provider fault, fixed, quote or no quote), from support'],
      quote_pending: [`quote of ${formatMoney(state.quote?.amountCents ?? 0, input.diagnostic.currency)} excl. VAT sent (DIA-3)`, `accept or decline, from ${customer}`],
      work_in_progress: ['quote accepted: work in progress, nothing paid first (DIA-3)', 'work done, from support'],
      awaiting_payment: [`invoice ${state.invoice?.number ?? ''} awaiting payment (DIA-4)`, `pay or contest, from ${customer}`],
      awaiting_support: ['awaiting support (POL-5)', 'an answer from support'],
      awaiting_customer: ["awaiting the customer's reply", `a reply from ${customer}`],
      paid: [state.closeReason ?? 'paid', null],
      contested: [state.closeReason ?? 'contested', null],
      closed: [`closed: ${state.closeReason ?? ''}`, null],
    };
    const [stateText, awaiting] = states[state.status];
    setCurrentDetails(currentDetails({ title, state: stateText, deadline: wake?.deadline ?? null, awaiting, facts }));
  }
}
