// Subscription:<lineId> — one accepted line, renewed for as long as it lives (SUB-1..SUB-13,
// POL-1..POL-3, quantities). Reads top to bottom: on the first run load the terms (period 1 was
// paid at checkout, ORD-8, and its checkout invoice is issued; a POL-1 trial paid nothing and
// runs `trialing` until its end, the anchor); then, per period, wait until the next thing due
// (due date, retry, reminder, the POL-2 price check 30 days before the due date) or a customer
// command; at the due date end the service (termination, manual mode unpaid) or charge the next
// period on the card saved at that moment, at the price of the product capped and announced
// (POL-2) with the discount the customer has then (POL-3), invoice it and e-mail it; a failed
// charge makes it past_due with retries. After each renewal the workflow continues as new
// carrying its state (SUB-12). Customer commands are Updates queued to the main loop, so every
// state change happens in one place, one at a time.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  makeContinueAsNewFunc,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { dueDate, periodIndexAt, type BillingPeriod } from '../domain/calendar';
import { MAX_QUANTITY, TRIAL_REMINDER_DAYS, lineCharge, noticeInstant, twelveMonthsBefore } from '../domain/commercial-policy';
import {
  DELETION_CODE_TTL_MS,
  PRICE_CHECK_LEAD_MS,
  REMINDER_DAYS,
  RETRY_DAYS,
  commitmentEnd as commitmentEndOf,
  plusDays,
  priceAppliesFrom,
  proratedLines,
  renewalUnitPrice,
  terminationEffectiveAt,
  unitPriceAt,
  withdrawalDeadline,
  type EndReason,
  type PriceSince,
  type RenewalMode,
  type SubscriptionStatus,
} from '../domain/subscription';
import { formatDateTime, withArticle } from '../domain/time-format';
import type { RenewalChargeResult, SubscriptionEmailKind } from '../activities/subscriptions';
import { GATEWAY_UNAVAILABLE, db, gatewayGaveUp, payments, refunds } from './activity-options';
import { currentDetails, localTime, timerSummary, type Deadline } from './current-details';
import { sendEmail } from './email-delivery';
import { BusinessStatusKey, NextDueAtKey, retiredSearchAttributes } from './search-attributes';

export interface SubscriptionInput {
  subscriptionId: string;
  orderId: string;
  /** The order number (O-2026-000042), for what staff read in the Temporal UI; the order id stands in without it. */
  orderNumber?: string;
  customerId: string;
  sellerId: string;
  /** Payment time of the order (ISO): the renewal anchor (ORD-8), unless a trial moves it to its end (POL-1). */
  anchor: string;
  /** Set by continue-as-new (SUB-12). */
  carried?: SubscriptionCarried;
}

export interface PaidPeriod {
  n: number;
  start: string;
  end: string;
  paymentId: string;
  amountCents: number;
  invoiceNumber: string;
}

export interface PastDue {
  period: number;
  dueAt: string;
  retryAt: string[];
  nextRetryAt: string | null;
  endsAt: string;
  hardDeclined: boolean;
  attempts: { at: string; trigger: string; code: string; message: string; hard: boolean }[];
}

/** A quantity increase, charged prorated for the rest of its period. */
export interface QuantityCharge {
  n: number;
  at: string;
  from: number;
  to: number;
  paymentId: string;
  amountCents: number;
  invoiceNumber: string;
}

export interface SubscriptionState {
  subscriptionId: string;
  orderId: string;
  customerId: string;
  sellerId: string;
  offerId: string;
  name: string;
  customerType: string;
  status: SubscriptionStatus;
  renewalMode: RenewalMode;
  billingPeriod: BillingPeriod;
  timeZone: string;
  anchor: string;
  /** One period excl. VAT at the quantity and discount in force (lineCharge); recomputed at each renewal (SUB-3). */
  priceCents: number;
  /** Seats or hostings in force, and the unit price of one period (POL-2: capped at each renewal). */
  quantity: number;
  unitPriceCents: number;
  /** POL-3: the discount of the latest period charged, decided again at each renewal. */
  discount: { bp: number; kind: string } | null;
  /** POL-1: the end of the free trial (the anchor), or null. */
  trialEndsAt: string | null;
  /** POL-2: an announced rise: the unit price, the due date from which it applies and when it was e-mailed. */
  nextPrice: { unitPriceCents: number; from: string; announcedAt: string } | null;
  /** A decrease of the quantity, taking effect at the next renewal. */
  pendingQuantity: { quantity: number; requestedAt: string; effectiveAt: string } | null;
  quantityCharges: QuantityCharge[];
  vatRateBp: number;
  currency: string;
  card: { last4: string };
  commitmentEnd: string | null;
  pendingTermination: { requestedAt: string; effectiveAt: string } | null;
  paidPeriods: number;
  periods: PaidPeriod[];
  /** End of the last paid period: the next renewal's due date (null once ended). */
  nextDueAt: string | null;
  pastDue: PastDue | null;
  withdrawalDeadline: string;
  deletionRequest: { requestedAt: string; expiresAt: string } | null;
  /** MED-5: the seller's account was closed: no renewal; the service ends at `endsAt`. */
  sellerClosure: { caseId: string; closedAt: string; endsAt: string } | null;
  endedAt: string | null;
  endReason: EndReason | null;
  /** SUB-12: continue-as-new bookkeeping. */
  run: { number: number; maxHistoryLength: number };
}

interface Internal {
  /** The card renewals are charged on, by id: its gateway token stays in the database (X-7). */
  cardId: string;
  /** SUB-10: the current request n; its code exists only hashed in the database (X-7). */
  deletion: { expiresAt: string; count: number } | null;
  /** Gateway attempts for the period being charged: each attempt has its own gateway key (X-3). */
  chargeAttempts: number;
  /** Manual-mode reminders of the current period: only those at or after this instant. */
  remindersFrom: string;
  remindersSent: number[];
  failureEmails: number;
  /** POL-2: the period whose price check (30 days before its start) was done. */
  priceCheckedFor: number;
  /** POL-2: the unit prices of the last 13 months at least, for the monthly cap's base. */
  unitPrices: PriceSince[];
  /** Quantity increases charged, and the gateway attempts of the next one (X-3). */
  quantityCharges: number;
  quantityAttempts: number;
}

export interface SubscriptionCarried {
  state: SubscriptionState;
  internal: Internal;
}

export type SubscriptionView = SubscriptionState & { historyLength: number };

/** A card the API saved with the gateway (PaymentCard row). */
export interface CardUpdate { cardId: string; last4: string }
/** The API checked the e-mailed code of deletion request n (SUB-10) and marked it confirmed. */
export interface DeletionConfirmed { request: number }
/** SUB-11: carried out as of the time the customer's withdrawal was accepted (ISO). */
export interface WithdrawCommand { acceptedAt?: string }
/** Seats or hostings wanted from now (an increase) or from the next renewal (a decrease). */
export interface QuantityCommand { quantity: number }
/** MED-5: the seller's account was closed by this case at this time. */
export interface SellerClosedCommand { caseId: string; closedAt: string }
export interface EffectiveAnswer { state: SubscriptionView; effectiveAt?: string | null; message: string }

export const subscriptionStateQuery = defineQuery<SubscriptionView>('subscriptionState');
export const setRenewalModeUpdate = defineUpdate<EffectiveAnswer, [{ mode: RenewalMode }]>('setRenewalMode');
export const terminateUpdate = defineUpdate<EffectiveAnswer, []>('terminate');
export const withdrawTerminationUpdate = defineUpdate<EffectiveAnswer, []>('withdrawTermination');
export const payNextPeriodUpdate = defineUpdate<EffectiveAnswer, []>('payNextPeriod');
export const updateCardUpdate = defineUpdate<EffectiveAnswer, [CardUpdate]>('updateCard');
export const requestDeletionUpdate = defineUpdate<EffectiveAnswer, []>('requestDeletion');
export const confirmDeletionUpdate = defineUpdate<EffectiveAnswer, [DeletionConfirmed]>('confirmDeletion');
export const withdrawUpdate = defineUpdate<EffectiveAnswer, [WithdrawCommand]>('withdraw');
export const changeQuantityUpdate = defineUpdate<EffectiveAnswer, [QuantityCommand]>('changeQuantity');
/** MED-5, sent by the seller's closure (SellerClosure:<sellerId>): answers when the service ends; sent again, the same answer. */
export const sellerClosedUpdate = defineUpdate<EffectiveAnswer, [SellerClosedCommand]>('sellerClosed');

export function subscriptionWorkflowId(subscriptionId: string): string {
  return `Subscription:${subscriptionId}`;
}

type Command =
  | { kind: 'mode'; mode: RenewalMode }
  | { kind: 'terminate' }
  | { kind: 'withdrawTermination' }
  | { kind: 'payNext' }
  | { kind: 'card'; card: CardUpdate }
  | { kind: 'requestDeletion' }
  | { kind: 'confirmDeletion'; request: number }
  | { kind: 'withdraw'; acceptedAt?: string }
  | { kind: 'quantity'; quantity: number }
  | { kind: 'sellerClosed'; caseId: string; closedAt: string };

interface Queued {
  cmd: Command;
  /** Workflow time at which the command was accepted: it is carried out as of then. */
  at: number;
  done: boolean;
  result?: EffectiveAnswer;
  error?: unknown;
}

/** The rule behind each end (SUB-5, SUB-6, SUB-7, SUB-10, SUB-11), as staff read it. */
const END_RULE: Record<EndReason, string> = { non_payment: 'SUB-5', not_renewed: 'SUB-6', terminated: 'SUB-7', deleted: 'SUB-10', withdrawn: 'SUB-11', seller_closed: 'MED-5' };

/** The rule that sends each e-mail, for its summary in the Temporal UI. */
const EMAIL_RULE: Record<SubscriptionEmailKind, string> = {
  renewed: 'SUB-3',
  payment_failed: 'SUB-5',
  ended_non_payment_customer: 'SUB-5',
  ended_non_payment_seller: 'SUB-5',
  ended_seller: 'SUB-7',
  renewal_reminder: 'SUB-6',
  not_renewed: 'SUB-6',
  termination_confirmed: 'SUB-7',
  termination_withdrawn: 'SUB-9',
  terminated: 'SUB-7',
  deleted: 'SUB-10',
  withdrawn_customer: 'SUB-11',
  withdrawn_seller: 'SUB-11',
  trial_reminder: 'POL-1',
  price_change: 'POL-2',
  quantity_increased: 'INV-1',
};

const refuse = (message: string, type: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
const nowIso = () => new Date().toISOString();

export async function subscriptionWorkflow(input: SubscriptionInput): Promise<SubscriptionView> {
  const workflowId = workflowInfo().workflowId;
  const id = input.subscriptionId;
  let state!: SubscriptionState;
  let internal!: Internal;
  /** A date in a message the customer reads: in the subscription's time zone, in words (never raw ISO). */
  const when = (iso: string | null): string => (iso ? formatDateTime(iso, state.timeZone) : 'a date to be set');
  const ended = (): boolean => state.status === 'terminated';
  const queue: Queued[] = [];
  let periodAdvanced = false;
  const orderNumber = input.orderNumber ?? input.orderId;

  // A continued run has its state before any handler is registered: setHandler delivers the
  // commands that arrived with the run's first task at once, to validators that need the state.
  if (input.carried) {
    state = input.carried.state;
    internal = input.carried.internal;
    internal.chargeAttempts ??= 0; // runs continued before per-attempt keys
    state.run.number += 1;
  }

  // --- setup: commands and state (registered before any await: nothing arriving is lost) -----
  const view = (): SubscriptionView => {
    if (!state) throw ApplicationFailure.nonRetryable('the subscription is starting', 'NotReady');
    return { ...state, historyLength: workflowInfo().historyLength };
  };
  setHandler(subscriptionStateQuery, view);

  /** MED-5: once the seller's account is closed nothing renews: renewal commands are refused. */
  const refuseIfSellerClosed = (): void => {
    if (state.sellerClosure) refuse(`the seller's account is closed: the subscription ends on ${when(state.sellerClosure.endsAt)} and cannot renew (MED-5)`, 'SellerClosed');
  };
  /** POL-1: a trial converts by itself at its end; until then there is nothing to pay or renew by hand. */
  const refuseIfTrialing = (what: string): void => {
    if (state.status === 'trialing') refuse(`the free trial runs until ${when(state.trialEndsAt)}: ${what} after it converts (POL-1)`, 'Trialing');
  };
  const validators: { [K in Command['kind']]: (cmd: Extract<Command, { kind: K }>) => void } = {
    mode: (c) => {
      refuseIfSellerClosed();
      refuseIfTrialing('choose the renewal mode');
      if (c.mode !== 'auto' && c.mode !== 'manual') refuse('mode must be auto or manual', 'InvalidArgument');
      if (c.mode === state.renewalMode) refuse(`renewal is already ${c.mode}`, 'NothingToChange');
    },
    terminate: () => {
      refuseIfSellerClosed();
      if (state.pendingTermination) refuse(`a termination is already pending, effective ${when(state.pendingTermination.effectiveAt)}`, 'TerminationPending');
    },
    withdrawTermination: () => {
      refuseIfSellerClosed();
      if (!state.pendingTermination) refuse('no termination is pending', 'NoPendingTermination');
      if (Date.now() >= Date.parse(state.pendingTermination!.effectiveAt)) {
        refuse(`the termination took effect on ${when(state.pendingTermination!.effectiveAt)}`, 'SubscriptionEnded');
      }
    },
    payNext: () => {
      refuseIfSellerClosed();
      refuseIfTrialing('periods are paid');
      if (state.pastDue) return; // pays the overdue period
      const current = periodIndexAt(state.anchor, state.billingPeriod, nowIso(), state.timeZone) + 1;
      if (state.paidPeriods > current) refuse(`the next period is already paid (until ${when(state.nextDueAt)})`, 'AlreadyPaid');
      if (state.pendingTermination && Date.parse(state.pendingTermination.effectiveAt) <= Date.parse(state.nextDueAt!)) {
        refuse(`the subscription ends on ${when(state.pendingTermination.effectiveAt)} (termination pending)`, 'TerminationPending');
      }
    },
    card: (c) => {
      if (!c.card.cardId || !c.card.last4) refuse('card missing', 'InvalidArgument');
    },
    requestDeletion: () => undefined,
    confirmDeletion: (c) => {
      if (!internal.deletion) refuse('no deletion was requested', 'NoDeletionRequested');
      if (c.request !== internal.deletion!.count) refuse('a newer confirmation code was sent: use the latest one', 'CodeExpired');
      if (Date.now() > Date.parse(internal.deletion!.expiresAt)) refuse('the confirmation code has expired: request a new one', 'CodeExpired');
    },
    withdraw: (c) => {
      // A withdrawal accepted in time counts, however late it is carried out (an outage, a queue).
      const acceptedAt = c.acceptedAt ? Date.parse(c.acceptedAt) : Date.now();
      if (acceptedAt >= Date.parse(state.withdrawalDeadline)) {
        refuse(
          `the withdrawal period (${state.customerType === 'business' ? 7 : 14} days for ${withArticle(state.customerType)} customer) ended on ${when(state.withdrawalDeadline)}; the seller's refund policy may still apply`,
          'WithdrawalPeriodOver',
        );
      }
    },
    quantity: (c) => {
      refuseIfSellerClosed();
      if (!Number.isInteger(c.quantity) || c.quantity < 1 || c.quantity > MAX_QUANTITY) refuse(`quantity must be an integer from 1 to ${MAX_QUANTITY}`, 'InvalidArgument');
      if (state.status === 'past_due') refuse(`period ${state.pastDue!.period} is unpaid: pay it or replace the card first (SUB-5)`, 'PastDue');
      const wanted = state.pendingQuantity?.quantity ?? state.quantity;
      if (c.quantity === wanted) refuse(`the quantity is already ${wanted}${state.pendingQuantity ? ` from ${when(state.pendingQuantity.effectiveAt)}` : ''}`, 'NothingToChange');
      // An increase is prorated over the period running now; one paid ahead would need two prices.
      const last = state.periods[state.periods.length - 1];
      if (c.quantity > state.quantity && last && Date.parse(last.start) > Date.now()) refuse(`period ${last.n} is paid in advance: increase the quantity once it starts (${when(last.start)})`, 'PaidAhead');
    },
    sellerClosed: (c) => {
      if (!c.caseId || Number.isNaN(Date.parse(c.closedAt))) refuse('caseId and closedAt are required', 'InvalidArgument');
    },
  };
  const validate = (cmd: Command): void => {
    if (!state) refuse('the subscription is starting: retry in a moment', 'NotReady');
    if (state.status === 'terminated') refuse(`the subscription has ended (${state.endReason}) on ${when(state.endedAt)}`, 'SubscriptionEnded');
    (validators[cmd.kind] as (c: Command) => void)(cmd);
  };

  async function enqueue(cmd: Command): Promise<EffectiveAnswer> {
    const item: Queued = { cmd, at: Date.now(), done: false };
    queue.push(item);
    await condition(() => item.done);
    if (item.error) throw item.error;
    return item.result!;
  }
  const on = <A extends unknown[]>(def: ReturnType<typeof defineUpdate<EffectiveAnswer, A>>, toCmd: (...args: A) => Command) =>
    setHandler(def, (...args: A) => enqueue(toCmd(...args)), { validator: (...args: A) => validate(toCmd(...args)) });

  on(setRenewalModeUpdate, (c) => ({ kind: 'mode', mode: c.mode }));
  on(terminateUpdate, () => ({ kind: 'terminate' }));
  on(withdrawTerminationUpdate, () => ({ kind: 'withdrawTermination' }));
  on(payNextPeriodUpdate, () => ({ kind: 'payNext' }));
  on(updateCardUpdate, (card) => ({ kind: 'card', card }));
  on(requestDeletionUpdate, () => ({ kind: 'requestDeletion' }));
  on(confirmDeletionUpdate, (c) => ({ kind: 'confirmDeletion', request: c.request }));
  on(withdrawUpdate, (c) => ({ kind: 'withdraw', acceptedAt: c.acceptedAt }));
  on(changeQuantityUpdate, (c) => ({ kind: 'quantity', quantity: c.quantity }));
  on(sellerClosedUpdate, (c) => ({ kind: 'sellerClosed', caseId: c.caseId, closedAt: c.closedAt }));

  // --- run -----------------------------------------------------------------------------------
  if (!input.carried) {
    setCurrentDetails(currentDetails({ title: `Subscription ${id} of ${orderNumber}`, state: 'starting: loading its terms and issuing the checkout invoice (SUB-1, INV-1)' }));
    await start();
  }
  publish();

  while (!ended() && !periodAdvanced && !workflowInfo().continueAsNewSuggested) {
    const wake = nextWake();
    const waitMs = wake.at - Date.now();
    showDetails();
    if (waitMs > 0 && queue.length === 0) await condition(() => queue.length > 0, waitMs, { summary: timerSummary(wake.deadline) });
    // Commands accepted before the deadline are carried out before it; those accepted after it
    // (e.g. delivered together with the timer after a worker outage) wait until it is handled.
    await drainQueue(wake.at);
    // A command that paid the next period (a new card, a payment in advance) closes this run: the
    // next run takes up what is due then (e.g. the POL-2 check), so the history closes at once.
    if (ended() || periodAdvanced) break;
    await onTime();
  }

  // Handlers finish first (their commands are carried out), then the history is closed.
  for (;;) {
    await condition(() => queue.length > 0 || allHandlersFinished());
    if (queue.length === 0) break;
    await drainQueue();
  }
  showDetails();
  if (ended()) return view();
  state.run.maxHistoryLength = Math.max(state.run.maxHistoryLength, workflowInfo().historyLength);
  // SDK 1.24's ContinueAsNewOptions has no staticSummary: the list's summary is the first run's;
  // every run shows its title in its current details.
  // A run started before a rename carries the retired attribute (`Status`): passed on, the server
  // would refuse the continue-as-new once the attribute is removed, so only current ones go on.
  const carriedAttributes = workflowInfo()
    .typedSearchAttributes.getAll()
    .filter((pair) => !retiredSearchAttributes.includes(pair.key.name));
  const next = makeContinueAsNewFunc<typeof subscriptionWorkflow>({ typedSearchAttributes: carriedAttributes });
  return next({ ...input, carried: { state, internal } });

  // --- steps ---------------------------------------------------------------------------------
  async function start(): Promise<void> {
    const t = await db(`SUB-1: load the terms of subscription ${id} (${orderNumber})`).loadSubscriptionTerms({ lineId: id });
    // POL-1: a trial paid nothing and has no checkout invoice; its end is the anchor (house rule).
    const anchor = t.trialEndsAt ?? input.anchor;
    const firstDue = t.trialEndsAt ?? dueDate(anchor, t.billingPeriod, 1, t.timeZone);
    const invoice = t.trialEndsAt ? null : await db(`INV-1: the checkout invoice of ${t.name} (${orderNumber})`).issueCheckoutInvoice({ orderId: input.orderId, sellerId: input.sellerId });
    state = {
      subscriptionId: id,
      orderId: input.orderId,
      customerId: input.customerId,
      sellerId: input.sellerId,
      offerId: t.offerId,
      name: t.name,
      customerType: t.customerType,
      status: t.trialEndsAt ? 'trialing' : 'active',
      renewalMode: 'auto', // SUB-1
      billingPeriod: t.billingPeriod,
      timeZone: t.timeZone,
      anchor,
      priceCents: t.priceCents,
      quantity: t.quantity,
      unitPriceCents: t.unitPriceCents,
      discount: t.discountBp > 0 ? { bp: t.discountBp, kind: t.discountKind ?? 'verified' } : null,
      trialEndsAt: t.trialEndsAt,
      nextPrice: null,
      pendingQuantity: null,
      quantityCharges: [],
      vatRateBp: t.vatRateBp,
      currency: t.currency,
      card: { last4: t.cardLast4 },
      commitmentEnd: commitmentEndOf(anchor, t.commitmentMonths, t.timeZone),
      pendingTermination: null,
      paidPeriods: invoice ? 1 : 0,
      periods: invoice ? [{ n: 1, start: anchor, end: firstDue, paymentId: `order:${input.orderId}:checkout`, amountCents: t.totalCents, invoiceNumber: invoice.number }] : [],
      nextDueAt: firstDue,
      pastDue: null,
      // SUB-11: counted from the order, trial or not: the contract was made then.
      withdrawalDeadline: withdrawalDeadline(input.anchor, t.customerType, t.timeZone),
      deletionRequest: null,
      sellerClosure: null,
      endedAt: null,
      endReason: null,
      run: { number: 1, maxHistoryLength: 0 },
    };
    internal = {
      cardId: t.cardId,
      deletion: null,
      chargeAttempts: 0,
      remindersFrom: input.anchor,
      remindersSent: [],
      failureEmails: 0,
      priceCheckedFor: 0,
      unitPrices: [{ from: anchor, unitPriceCents: t.unitPriceCents }],
      quantityCharges: 0,
      quantityAttempts: 0,
    };
    await recordChange('started', 'subscription.started', 'system', { nextDueAt: firstDue, ...(t.trialEndsAt ? { trialEndsAt: t.trialEndsAt } : {}) });
  }

  /** What one period costs at these terms (quantity × unit, the discount as its own line). */
  function chargeOf(terms: { unitPriceCents?: number; quantity?: number; discount?: SubscriptionState['discount']; vatRateBp?: number } = {}) {
    const discount = terms.discount === undefined ? state.discount : terms.discount;
    return lineCharge({
      name: state.name,
      unitPriceCents: terms.unitPriceCents ?? state.unitPriceCents,
      quantity: terms.quantity ?? state.quantity,
      discountBp: discount?.bp ?? 0,
      discountKind: discount?.kind ?? null,
      vatRateBp: terms.vatRateBp ?? state.vatRateBp,
    });
  }

  /** POL-1: the trial's reminders 7 and 1 day(s) before its end, unless it was terminated (nothing is charged then). */
  function trialReminderTimes(): { days: number; at: string }[] {
    if (state.status !== 'trialing' || state.pendingTermination || state.sellerClosure) return [];
    return TRIAL_REMINDER_DAYS.map((days) => ({ days, at: plusDays(state.trialEndsAt!, -days, state.timeZone) })).filter(
      (r) => !internal.remindersSent.includes(r.days) && Date.parse(r.at) >= Date.parse(internal.remindersFrom),
    );
  }

  /** POL-2: when the price of the next period is checked and announced (null: checked, or nothing renews). */
  function priceCheckAt(): string | null {
    const due = state.nextDueAt;
    if (!due || internal.priceCheckedFor === state.paidPeriods + 1 || state.sellerClosure || state.status === 'past_due') return null;
    if (state.pendingTermination && Date.parse(state.pendingTermination.effectiveAt) <= Date.parse(due)) return null;
    return new Date(Date.parse(noticeInstant(due, state.timeZone)) - PRICE_CHECK_LEAD_MS).toISOString();
  }

  /**
   * POL-2: the unit price the period starting at `start` may have when the product costs
   * `proposedCents`: yearly, capped over the previous period's; monthly, over the price in force
   * 12 months before `start` (before the subscription existed: the price it was bought at).
   */
  function cappedUnit(proposedCents: number, start: string): number {
    const base = state.billingPeriod === 'monthly' ? unitPriceAt(internal.unitPrices, twelveMonthsBefore(start, state.timeZone)) : state.unitPriceCents;
    return renewalUnitPrice({ currentCents: state.unitPriceCents, proposedCents, baseCents: base, period: state.billingPeriod });
  }

  /** POL-2: reads the product's price and announces a rise, 30 days (and an hour) before the next due date. */
  async function checkPrice(): Promise<void> {
    const n = state.paidPeriods + 1;
    internal.priceCheckedFor = n;
    const at = nowIso();
    const price = await db(`POL-2: the product's price for period ${n}`).priceInForce({ offerId: state.offerId, customerId: state.customerId, period: state.billingPeriod, at, quantity: state.pendingQuantity?.quantity ?? state.quantity });
    const unit = cappedUnit(price.unitPriceCents, state.nextDueAt!);
    if (unit > state.unitPriceCents) await announce(unit, at);
    else if (state.nextPrice) state.nextPrice = null; // the seller took the rise back
  }

  /** POL-2: e-mails a rise; it applies from the first renewal at least 30 days after this e-mail. */
  async function announce(unitPriceCents: number, at: string): Promise<void> {
    const pending = state.nextPrice;
    const from = priceAppliesFrom({ anchor: state.anchor, period: state.billingPeriod, zone: state.timeZone, paidPeriods: state.paidPeriods, nextDueAt: state.nextDueAt!, announcedAt: at });
    // Told already: a lower price than announced is charged anyway (the renewal takes the lower);
    // a higher one than a rise applying earlier is announced after that renewal.
    if (pending && (unitPriceCents <= pending.unitPriceCents || Date.parse(pending.from) < Date.parse(from))) return;
    state.nextPrice = { unitPriceCents, from, announcedAt: at };
    showDetails();
    await recordChange(`price:${unitPriceCents}:${at}`, 'subscription.price_announced', 'system', { unitPriceCents, from });
    await email('customer', 'price_change', `sub:${id}:price-change:${at}`, { fromUnitCents: state.unitPriceCents, toUnitCents: unitPriceCents, from });
  }

  function reminderTimes(): { days: number; at: string }[] {
    if (state.renewalMode !== 'manual' || state.status !== 'active' || !state.nextDueAt || state.sellerClosure) return [];
    return REMINDER_DAYS.map((days) => ({ days, at: plusDays(state.nextDueAt!, -days, state.timeZone) })).filter(
      (r) => !internal.remindersSent.includes(r.days) && Date.parse(r.at) >= Date.parse(internal.remindersFrom),
    );
  }

  /** The next thing due (due date, reminder, retry, end of the retries) and what it is, for the timer's summary and staff. */
  function nextWake(): { at: number; deadline: Deadline } {
    const zone = state.timeZone;
    if (state.status === 'active' || state.status === 'trialing') {
      const due = state.nextDueAt!;
      let wake = { at: Date.parse(due), deadline: dueDeadline(due) };
      for (const r of reminderTimes()) {
        if (Date.parse(r.at) < wake.at) wake = { at: Date.parse(r.at), deadline: { rule: 'SUB-6', what: `remind the customer to pay period ${state.paidPeriods + 1} (due in ${r.days} day(s))`, word: 'on', at: r.at, zone } };
      }
      for (const r of trialReminderTimes()) {
        if (Date.parse(r.at) < wake.at) wake = { at: Date.parse(r.at), deadline: { rule: 'POL-1', what: `remind the customer that the free trial ends in ${r.days} day(s)`, word: 'on', at: r.at, zone } };
      }
      const check = priceCheckAt();
      if (check && Date.parse(check) < wake.at) wake = { at: Date.parse(check), deadline: { rule: 'POL-2', what: `check the price of period ${state.paidPeriods + 1} and announce a rise (30 days' notice)`, word: 'on', at: check, zone } };
      return wake;
    }
    const pd = state.pastDue!;
    const retry = pd.nextRetryAt && state.renewalMode === 'auto' && !pd.hardDeclined ? Date.parse(pd.nextRetryAt) : Infinity;
    return retry < Date.parse(pd.endsAt)
      ? { at: retry, deadline: { rule: 'SUB-5', what: `retry the charge of period ${pd.period}`, word: 'on', at: pd.nextRetryAt!, zone } }
      : { at: Date.parse(pd.endsAt), deadline: { rule: 'SUB-5', what: `period ${pd.period} must be paid or the service ends (non-payment)`, at: pd.endsAt, zone } };
  }

  /** What the due date of the period after the paid ones brings (SUB-3, SUB-6, SUB-7, SUB-8), as dueDateReached decides it. */
  function dueDeadline(due: string): Deadline {
    const n = state.paidPeriods + 1;
    const zone = state.timeZone;
    if (state.pendingTermination && Date.parse(state.pendingTermination.effectiveAt) <= Date.parse(due)) {
      return { rule: 'SUB-7', what: 'the termination takes effect: the service ends', word: 'on', at: due, zone };
    }
    if (state.sellerClosure) return { rule: 'MED-5', what: "the service ends: the seller's account is closed", word: 'on', at: due, zone };
    if (state.renewalMode === 'manual' && !withinCommitment(due)) return { rule: 'SUB-6', what: `period ${n} must be paid or the service ends`, at: due, zone };
    if (state.renewalMode === 'manual') return { rule: 'SUB-8', what: `charge period ${n} on the saved card unless paid (commitment)`, word: 'on', at: due, zone };
    if (state.status === 'trialing') return { rule: 'POL-1', what: 'the free trial ends: charge period 1 (conversion)', word: 'on', at: due, zone };
    return { rule: 'SUB-3', what: `charge renewal of period ${n}`, word: 'on', at: due, zone };
  }

  /** What staff read in the Temporal UI: state, next deadline in the business time zone, who must act. */
  function showDetails(): void {
    const title = `Subscription ${state.name} · ${state.billingPeriod} · ${orderNumber}`;
    const zone = state.timeZone;
    const facts = [`${state.paidPeriods} period(s) paid; anchor ${localTime(state.anchor, zone)} (ORD-8)`, `run ${state.run.number} (SUB-12: continues as new after each renewal)`];
    if (state.commitmentEnd) facts.push(`commitment until ${localTime(state.commitmentEnd, zone)} (SUB-8)`);
    if (state.sellerClosure) facts.push(`the seller's account was closed ${localTime(state.sellerClosure.closedAt, zone)} (case ${state.sellerClosure.caseId}): no renewal, the service ends ${localTime(state.sellerClosure.endsAt, zone)} (MED-5)`);
    facts.push(`${state.quantity} × ${state.unitPriceCents} ${state.currency} cents${state.discount ? `, ${state.discount.kind} discount ${state.discount.bp / 100} % (POL-3)` : ''}`);
    if (state.nextPrice) facts.push(`new unit price ${state.nextPrice.unitPriceCents} from ${localTime(state.nextPrice.from, zone)}, announced ${localTime(state.nextPrice.announcedAt, zone)} (POL-2)`);
    if (state.pendingQuantity) facts.push(`quantity ${state.pendingQuantity.quantity} from ${localTime(state.pendingQuantity.effectiveAt, zone)}`);
    if (state.pendingTermination) facts.push(`termination requested ${localTime(state.pendingTermination.requestedAt, zone)}, effective ${localTime(state.pendingTermination.effectiveAt, zone)} (SUB-7); the customer may withdraw it until then (SUB-9)`);
    if (!ended() && Date.now() < Date.parse(state.withdrawalDeadline)) facts.push(`withdrawal possible until ${localTime(state.withdrawalDeadline, zone)} (SUB-11)`);
    if (ended()) {
      setCurrentDetails(currentDetails({ title, state: `ended (${state.endReason}, ${END_RULE[state.endReason!]}) on ${localTime(state.endedAt!, zone)}`, facts }));
      return;
    }
    const customer = `customer ${state.customerId}`;
    let stateText: string;
    let awaiting: string | null;
    if (state.sellerClosure) {
      stateText = `ending (MED-5): the seller's account is closed; paid until ${localTime(state.nextDueAt!, zone)}, no renewal`;
      awaiting = null;
    } else if (state.status === 'trialing') {
      stateText = state.pendingTermination
        ? `free trial (POL-1), terminated: ends ${localTime(state.nextDueAt!, zone)} with nothing charged`
        : `free trial (POL-1) until ${localTime(state.nextDueAt!, zone)}: then period 1 is charged`;
      awaiting = null;
    } else if (state.status === 'past_due') {
      const pd = state.pastDue!;
      stateText = `past due (SUB-5): the charge of period ${pd.period} failed ${pd.attempts.length} time(s)${pd.hardDeclined ? ', hard decline: no retry until the card is replaced' : ''}`;
      awaiting = `a new card (SUB-4) or payment of period ${pd.period}, from ${customer}`;
    } else if (state.renewalMode === 'manual') {
      stateText = `active, manual renewal (SUB-6): paid until ${localTime(state.nextDueAt!, zone)}`;
      awaiting = `payment of the next period, from ${customer} (reminders 30, 7 and 1 day(s) before)`;
    } else {
      stateText = `active, automatic renewal (SUB-1): paid until ${localTime(state.nextDueAt!, zone)}`;
      awaiting = null;
    }
    if (state.deletionRequest) {
      awaiting = `${awaiting ? `${awaiting}; ` : ''}the e-mailed deletion code, from ${customer}, until ${localTime(state.deletionRequest.expiresAt, zone)} (SUB-10)`;
    }
    setCurrentDetails(currentDetails({ title, state: stateText, deadline: nextWake().deadline, awaiting, facts }));
  }

  async function onTime(): Promise<void> {
    const now = Date.now();
    if (state.status === 'active' || state.status === 'trialing') {
      for (const r of reminderTimes()) {
        if (Date.parse(r.at) > now) continue;
        internal.remindersSent.push(r.days);
        await email('customer', 'renewal_reminder', `${periodKey(state.paidPeriods + 1)}:reminder:${r.days}`, { dueAt: state.nextDueAt, days: r.days });
      }
      for (const r of trialReminderTimes()) {
        if (Date.parse(r.at) > now) continue;
        internal.remindersSent.push(r.days);
        await email('customer', 'trial_reminder', `sub:${id}:trial-reminder:${r.days}`, { trialEndsAt: state.trialEndsAt, days: r.days, amountCents: chargeOf().amounts.totalCents, cardLast4: state.card.last4 });
      }
      const check = priceCheckAt();
      if (check && Date.parse(check) <= now) await checkPrice();
      // A payment in advance accepted while a reminder was being delivered counts (SUB-6).
      if (queue.some((q) => q.at < Date.parse(state.nextDueAt!))) return;
      if (now >= Date.parse(state.nextDueAt!)) await dueDateReached();
      return;
    }
    if (state.status === 'past_due') {
      const pd = state.pastDue!;
      if (pd.nextRetryAt && now >= Date.parse(pd.nextRetryAt) && state.renewalMode === 'auto' && !pd.hardDeclined) {
        await attemptRenewal('scheduled_retry');
      } else if (now >= Date.parse(pd.endsAt)) {
        await end('non_payment', pd.endsAt);
      }
    }
  }

  async function dueDateReached(): Promise<void> {
    const due = state.nextDueAt!;
    if (state.pendingTermination && Date.parse(state.pendingTermination.effectiveAt) <= Date.parse(due)) {
      await end('terminated', due); // SUB-7, SUB-8
    } else if (state.sellerClosure) {
      await end('seller_closed', due); // MED-5: the paid period runs out; nothing is charged
    } else if (state.renewalMode === 'manual' && !withinCommitment(due)) {
      await end('not_renewed', due); // SUB-6
    } else {
      // Automatic renewal (SUB-1, SUB-3), the trial's conversion (POL-1), or manual mode unpaid
      // within a commitment (SUB-8).
      await attemptRenewal(state.status === 'trialing' ? 'trial_end' : 'due_date');
    }
  }

  /** SUB-8: the period starting at `due` is still within the commitment. */
  function withinCommitment(due: string): boolean {
    return state.commitmentEnd !== null && Date.parse(due) < Date.parse(state.commitmentEnd);
  }

  function periodKey(n: number): string {
    return `sub:${id}:period:${n}`;
  }

  /**
   * Charges period paidPeriods+1 on the card saved now (SUB-3, SUB-4): the product's price at its
   * start, a decrease as is and a rise only as announced in time and capped (POL-2); the quantity
   * in force then (a decrease pending applies); the discount the customer has then (POL-3).
   */
  async function attemptRenewal(trigger: string): Promise<'captured' | 'declined'> {
    const n = state.paidPeriods + 1;
    const at = nowIso();
    const start = state.nextDueAt!;
    const price = await db(`SUB-3, POL-2, POL-3: the price in force for period ${n}`).priceInForce({ offerId: state.offerId, customerId: state.customerId, period: state.billingPeriod, at: start, quantity: state.pendingQuantity?.quantity ?? state.quantity });
    const capped = cappedUnit(price.unitPriceCents, start);
    const announced = state.nextPrice && Date.parse(state.nextPrice.from) <= Date.parse(start) ? state.nextPrice.unitPriceCents : state.unitPriceCents;
    const unitPriceCents = capped < state.unitPriceCents ? capped : Math.min(announced, capped);
    const quantity = state.pendingQuantity?.quantity ?? state.quantity;
    const charge = chargeOf({ unitPriceCents, quantity, discount: price.discount, vatRateBp: price.vatRateBp });
    internal.chargeAttempts += 1;
    const res: RenewalChargeResult = await payments(`SUB-3: charge renewal of period ${n} (${trigger.replace(/_/g, ' ')}, attempt ${internal.chargeAttempts})`).chargeRenewal({
      subscriptionId: id,
      orderId: state.orderId,
      period: n,
      attempt: internal.chargeAttempts,
      cardId: internal.cardId,
      priceCents: charge.amounts.exclVatCents,
      vatRateBp: price.vatRateBp,
      amountCents: charge.amounts.totalCents,
      currency: price.currency,
      at,
      workflowId,
    }).catch((err: unknown): RenewalChargeResult => {
      // The gateway was unreachable for the whole retry limit: a failed attempt like a soft
      // decline (SUB-5 retries); the next attempt takes a new gateway key.
      if (!gatewayGaveUp(err)) throw err;
      // Its outcome is unknown: the next attempt replays this attempt's key instead of taking a
      // new one, so a capture the gateway made meanwhile is found rather than charged again.
      internal.chargeAttempts -= 1;
      return { status: 'declined', paymentId: periodKey(n), ...GATEWAY_UNAVAILABLE, hard: false };
    });
    if (res.status === 'captured') {
      if (unitPriceCents !== state.unitPriceCents) {
        internal.unitPrices.push({ from: start, unitPriceCents });
        // The monthly cap looks 12 months back: older prices are no longer needed.
        const horizon = Date.parse(twelveMonthsBefore(start, state.timeZone));
        while (internal.unitPrices.length > 1 && Date.parse(internal.unitPrices[1].from) <= horizon) internal.unitPrices.shift();
      }
      state.unitPriceCents = unitPriceCents;
      state.quantity = quantity;
      state.pendingQuantity = null;
      state.discount = price.discount;
      state.priceCents = charge.amounts.exclVatCents;
      state.vatRateBp = price.vatRateBp;
      state.currency = price.currency;
      if (state.nextPrice && Date.parse(state.nextPrice.from) <= Date.parse(start)) state.nextPrice = null;
      const endAt = dueDate(state.anchor, state.billingPeriod, n, state.timeZone);
      const invoice = await db(`INV-1: invoice period ${n}`).issueRenewalInvoice({ subscriptionId: id, period: n, periodStart: start, periodEnd: endAt, priceCents: charge.amounts.exclVatCents, vatRateBp: price.vatRateBp, lines: charge.lines, at });
      state.paidPeriods = n;
      state.periods.push({ n, start, end: endAt, paymentId: res.paymentId, amountCents: res.amountCents, invoiceNumber: invoice.number });
      if (state.periods.length > 24) state.periods.splice(0, state.periods.length - 24);
      state.nextDueAt = endAt;
      state.status = 'active';
      state.pastDue = null;
      internal.remindersSent = [];
      internal.remindersFrom = at;
      internal.chargeAttempts = 0;
      periodAdvanced = true;
      publish();
      await recordChange(`period:${n}:renewed`, 'subscription.renewed', 'system', { period: n, trigger, invoice: invoice.number });
      await email('customer', 'renewed', `${periodKey(n)}:invoice`, {
        period: n,
        periodStart: start,
        periodEnd: endAt,
        amountCents: res.amountCents,
        cardLast4: state.card.last4,
        invoiceNumber: invoice.number,
        invoiceId: invoice.invoiceId,
      });
      // POL-2: a rise this renewal could not take (too late or over the cap) is announced now, for
      // the first renewal 30 days or more away.
      const later = cappedUnit(price.unitPriceCents, endAt);
      if (later > state.unitPriceCents) await announce(later, nowIso());
      return 'captured';
    }

    if (trigger === 'paid_by_customer' && !state.pastDue) {
      // Paying ahead with a declined card changes nothing: the due date still comes.
      await recordChange(`period:${n}:advance-declined:${at}`, 'subscription.advance_payment_declined', `customer:${state.customerId}`, { code: res.code });
      return 'declined';
    }
    // SUB-5: past due, retries 1, 3, 7 days after the due date; a hard decline waits for a new card.
    const first = !state.pastDue;
    if (first) {
      const dueAt = state.nextDueAt!;
      const retryAt = RETRY_DAYS.map((d) => plusDays(dueAt, d, state.timeZone));
      state.pastDue = { period: n, dueAt, retryAt, nextRetryAt: null, endsAt: retryAt[retryAt.length - 1], hardDeclined: false, attempts: [] };
      state.status = 'past_due';
    }
    const pd = state.pastDue!;
    pd.attempts.push({ at, trigger, code: res.code, message: res.message, hard: res.hard });
    pd.hardDeclined = res.hard;
    pd.nextRetryAt = pd.retryAt.find((r) => Date.parse(r) > Date.parse(at)) ?? null;
    publish();
    await recordChange(`period:${n}:declined:${pd.attempts.length}`, 'subscription.payment_failed', 'system', { period: n, trigger, code: res.code });
    if (!pd.nextRetryAt && Date.parse(at) >= Date.parse(pd.endsAt)) {
      await end('non_payment', at);
      return 'declined';
    }
    internal.failureEmails += 1;
    await email('customer', 'payment_failed', `${periodKey(n)}:payment-failed:${pd.attempts.length}`, {
      message: res.message,
      nextRetryAt: pd.hardDeclined ? null : pd.nextRetryAt,
      endsAt: pd.endsAt,
    });
    return 'declined';
  }

  async function end(reason: EndReason, at: string): Promise<void> {
    state.status = 'terminated';
    state.endReason = reason;
    state.endedAt = at;
    state.nextDueAt = null;
    state.pendingTermination = null;
    internal.deletion = null;
    state.deletionRequest = null;
    publish();
    await recordChange('ended', `subscription.ended.${reason}`, 'system', { reason });
    const data = { endedAt: at };
    switch (reason) {
      case 'non_payment':
        await email('customer', 'ended_non_payment_customer', `sub:${id}:ended:customer`, data);
        await email('seller', 'ended_non_payment_seller', `sub:${id}:ended:seller`, data);
        break;
      case 'not_renewed':
      case 'terminated':
      case 'deleted':
        await email('customer', reason, `sub:${id}:ended:customer`, data);
        // The seller deletes the service: it is told of every end, not only non-payment.
        await email('seller', 'ended_seller', `sub:${id}:ended:seller`, { ...data, reason });
        break;
      case 'withdrawn':
        break; // the withdrawal command e-mails both sides with the refund
      case 'seller_closed':
        // The customer was told once, by the closure (MED-5); the seller still deletes the service.
        await email('seller', 'ended_seller', `sub:${id}:ended:seller`, { ...data, reason });
        break;
    }
  }

  async function drainQueue(acceptedBefore = Infinity): Promise<void> {
    while (queue.length > 0 && queue[0].at < acceptedBefore) {
      const item = queue.shift()!;
      try {
        validate(item.cmd); // two commands accepted in one task: re-checked in order
        item.result = await carryOut(item.cmd, item.at);
      } catch (err) {
        item.error = err;
      }
      item.done = true;
      showDetails();
    }
  }

  async function carryOut(cmd: Command, acceptedAt: number): Promise<EffectiveAnswer> {
    // A command queued behind a slow one (an e-mail retried through an SMTP outage) keeps the
    // time it was accepted: a termination's 24-hour notice counts from then (SUB-7).
    const at = new Date(acceptedAt).toISOString();
    const actor = `customer:${state.customerId}`;
    switch (cmd.kind) {
      case 'mode': {
        state.renewalMode = cmd.mode;
        internal.remindersFrom = at;
        internal.remindersSent = [];
        await recordChange(`mode:${at}`, 'subscription.renewal_mode', actor, { mode: cmd.mode });
        return answer(state.nextDueAt, cmd.mode === 'manual' ? `manual renewal: pay before ${when(state.nextDueAt)}` : `automatic renewal on ${when(state.nextDueAt)}`);
      }
      case 'terminate': {
        // POL-1: a trial terminated ends at its end, with nothing charged (no notice, no commitment yet).
        const effectiveAt = state.status === 'trialing' ? state.trialEndsAt! : terminationEffectiveAt({
          anchor: state.anchor,
          period: state.billingPeriod,
          zone: state.timeZone,
          paidPeriods: state.paidPeriods,
          commitmentEnd: state.commitmentEnd,
          at,
        });
        state.pendingTermination = { requestedAt: at, effectiveAt };
        await recordChange(`terminate:${at}`, 'subscription.termination_requested', actor, { effectiveAt });
        await email('customer', 'termination_confirmed', `sub:${id}:termination:${at}`, { effectiveAt });
        return answer(effectiveAt, `the subscription ends on ${when(effectiveAt)}`);
      }
      case 'withdrawTermination': {
        state.pendingTermination = null;
        await recordChange(`termination-withdrawn:${at}`, 'subscription.termination_withdrawn', actor);
        await email('customer', 'termination_withdrawn', `sub:${id}:termination-withdrawn:${at}`, { nextDueAt: state.nextDueAt });
        return answer(state.nextDueAt, `termination withdrawn: next renewal on ${when(state.nextDueAt)}`);
      }
      case 'payNext': {
        const outcome = await attemptRenewal('paid_by_customer');
        if (outcome === 'declined') {
          refuse(`the card was declined: ${state.pastDue?.attempts.at(-1)?.message ?? ''}`, 'PaymentDeclined');
        }
        return answer(state.nextDueAt, `paid until ${when(state.nextDueAt)}`);
      }
      case 'card': {
        internal.cardId = cmd.card.cardId;
        state.card = { last4: cmd.card.last4 };
        await recordChange(`card:${at}`, 'subscription.card_replaced', actor, { last4: cmd.card.last4 });
        if (state.status === 'past_due') {
          state.pastDue!.hardDeclined = false;
          if (state.renewalMode === 'auto') await attemptRenewal('card_update'); // SUB-4, SUB-5
        }
        return answer(state.nextDueAt, `card ending ${cmd.card.last4} is used from now on`);
      }
      case 'requestDeletion': {
        const count = (internal.deletion?.count ?? 0) + 1;
        const expiresAt = new Date(Date.now() + DELETION_CODE_TTL_MS).toISOString();
        internal.deletion = { expiresAt, count };
        state.deletionRequest = { requestedAt: at, expiresAt };
        await recordChange(`deletion-requested:${count}`, 'subscription.deletion_requested', actor, { expiresAt });
        // The code is drawn, stored hashed and e-mailed by the activity: it never reaches this history.
        await sendEmail({ rule: 'SUB-10', what: `deletion code (request ${count}) for ${state.name}, to the customer` }, (a) => a.issueDeletionCode({ subscriptionId: id, request: count, expiresAt }));
        return answer(null, `a confirmation code was e-mailed; valid until ${when(expiresAt)}`);
      }
      case 'confirmDeletion': {
        await db(`SUB-10: check deletion request ${cmd.request} was confirmed with its code`).checkDeletionConfirmed({ subscriptionId: id, request: cmd.request });
        await end('deleted', at); // SUB-10: at once, no refund
        return answer(at, `deleted on ${at}`);
      }
      case 'quantity':
        return changeQuantity(cmd.quantity, at);
      case 'sellerClosed': {
        // Sent again (a retried page of the closure), it changes nothing and answers the same.
        if (state.sellerClosure) return answer(state.sellerClosure.endsAt, `ends on ${when(state.sellerClosure.endsAt)} (the seller's account is closed)`);
        const pastDue = state.status === 'past_due';
        // Active: the paid period runs out (or an earlier pending termination takes effect).
        // Past due: the unpaid period is not owed to a closed seller: the service ends now.
        const endsAt = pastDue ? at : state.pendingTermination && Date.parse(state.pendingTermination.effectiveAt) <= Date.parse(state.nextDueAt!) ? state.pendingTermination.effectiveAt : state.nextDueAt!;
        state.sellerClosure = { caseId: cmd.caseId, closedAt: cmd.closedAt, endsAt };
        await recordChange('seller-closed', 'subscription.seller_closed', `case:${cmd.caseId}`, { endsAt });
        if (pastDue) await end('seller_closed', at);
        return answer(endsAt, `ends on ${when(endsAt)} (the seller's account is closed)`);
      }
      case 'withdraw': {
        const refund = await refunds(`SUB-11: refund every payment of ${state.name} (withdrawal)`).refundLineWithdrawal({ lineId: id, at }); // SUB-11
        await end('withdrawn', at);
        const data = { endedAt: at, amountCents: refund.amountCents };
        await email('customer', 'withdrawn_customer', `sub:${id}:withdrawn:customer`, data);
        await email('seller', 'withdrawn_seller', `sub:${id}:withdrawn:seller`, data);
        return answer(at, `withdrawn on ${at}; refunded ${refund.amountCents} cents`);
      }
    }
  }

  /**
   * Quantities (house rules): during a trial a change applies at once (nothing was paid); an
   * increase is charged at once for the rest of the period, prorated to the millisecond, on its own
   * invoice; a decrease takes effect at the next renewal (the period paid keeps its units).
   */
  async function changeQuantity(quantity: number, at: string): Promise<EffectiveAnswer> {
    const actor = `customer:${state.customerId}`;
    const previous = state.quantity;
    if (state.status === 'trialing' || quantity === previous) {
      // A trial's quantity, or a pending decrease cancelled by asking for the current quantity.
      state.quantity = quantity;
      state.pendingQuantity = null;
      state.priceCents = chargeOf().amounts.exclVatCents;
      await recordChange(`quantity:${at}`, 'subscription.quantity_changed', actor, { from: previous, to: quantity });
      return answer(at, `quantity ${quantity} from now`);
    }
    if (quantity < previous) {
      state.pendingQuantity = { quantity, requestedAt: at, effectiveAt: state.nextDueAt! };
      await recordChange(`quantity:${at}`, 'subscription.quantity_decrease_scheduled', actor, { from: previous, to: quantity, effectiveAt: state.nextDueAt });
      return answer(state.nextDueAt, `quantity ${quantity} from the renewal of ${when(state.nextDueAt)}; ${previous} until then`);
    }
    const period = state.periods[state.periods.length - 1];
    const extra = proratedLines(chargeOf({ quantity: quantity - previous }).lines, Date.parse(period.end) - Date.parse(at), Date.parse(period.end) - Date.parse(period.start));
    const n = internal.quantityCharges + 1;
    internal.quantityAttempts += 1;
    const res: RenewalChargeResult = await payments(`charge quantity increase ${n} (${previous} to ${quantity}), prorated to the end of period ${period.n}`).chargeQuantityIncrease({
      subscriptionId: id,
      orderId: state.orderId,
      change: n,
      period: period.n,
      attempt: internal.quantityAttempts,
      cardId: internal.cardId,
      amountCents: extra.amounts.totalCents,
      currency: state.currency,
      at,
      workflowId,
    }).catch((err: unknown): RenewalChargeResult => {
      if (!gatewayGaveUp(err)) throw err;
      internal.quantityAttempts -= 1; // outcome unknown: the next request replays this attempt's key
      return { status: 'declined', paymentId: `sub:${id}:quantity:${n}`, ...GATEWAY_UNAVAILABLE, hard: false };
    });
    if (res.status === 'declined') return refuse(`the card was declined: ${res.message}; the quantity stays ${previous}`, 'PaymentDeclined');
    internal.quantityCharges = n;
    internal.quantityAttempts = 0;
    state.quantity = quantity;
    state.pendingQuantity = null;
    state.priceCents = chargeOf().amounts.exclVatCents;
    const invoice = await db(`INV-1: invoice quantity increase ${n}`).issueQuantityInvoice({ subscriptionId: id, change: n, lines: extra.lines, periodStart: at, periodEnd: period.end, at });
    state.quantityCharges.push({ n, at, from: previous, to: quantity, paymentId: res.paymentId, amountCents: res.amountCents, invoiceNumber: invoice.number });
    if (state.quantityCharges.length > 24) state.quantityCharges.splice(0, state.quantityCharges.length - 24);
    await recordChange(`quantity:${n}:charged`, 'subscription.quantity_increased', actor, { from: previous, to: quantity, amountCents: res.amountCents, invoice: invoice.number });
    await email('customer', 'quantity_increased', `sub:${id}:quantity:${n}:invoice`, {
      previous,
      quantity,
      periodEnd: period.end,
      amountCents: res.amountCents,
      cardLast4: state.card.last4,
      invoiceNumber: invoice.number,
      invoiceId: invoice.invoiceId,
    });
    return answer(at, `quantity ${quantity} from now; ${res.amountCents} cents charged for the rest of the period`);
  }

  function answer(effectiveAt: string | null, message: string): EffectiveAnswer {
    return { state: view(), effectiveAt, message };
  }

  function publish(): void {
    upsertSearchAttributes([
      { key: BusinessStatusKey, value: state.status },
      { key: NextDueAtKey, value: state.nextDueAt ? new Date(state.nextDueAt) : new Date(state.endedAt ?? Date.now()) },
    ]);
    showDetails();
  }

  async function recordChange(key: string, action: string, actor: string, data?: Record<string, unknown>): Promise<void> {
    await db(`X-4: record ${action}`).recordSubscription({
      snapshot: {
        subscriptionId: id,
        orderId: state.orderId,
        customerId: state.customerId,
        sellerId: state.sellerId,
        offerId: state.offerId,
        status: state.status,
        renewalMode: state.renewalMode,
        nextDueAt: state.nextDueAt,
        cardLast4: state.card.last4,
        paidPeriods: state.paidPeriods,
        endedAt: state.endedAt,
        endReason: state.endReason,
        startedAt: state.anchor,
      },
      change: { key: `sub:${id}:${key}`, at: nowIso(), actor, action, data },
      workflowId,
    });
  }

  async function email(to: 'customer' | 'seller', kind: SubscriptionEmailKind, key: string, data: Record<string, string | number | null>): Promise<void> {
    const rule = kind === 'ended_seller' && state.endReason ? END_RULE[state.endReason] : EMAIL_RULE[kind];
    await sendEmail({ rule, what: `${kind.replace(/_/g, ' ')}: ${state.name} (${orderNumber}), to the ${to}` }, (a) =>
      a.composeSubscriptionEmail({ key, subscriptionId: id, to, kind, data }),
    );
  }
}
