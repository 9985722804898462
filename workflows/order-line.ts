// OrderLine:<lineId> — a seller validates one paid line within 48 hours (ORD-6, ORD-7).
// Reads top to bottom: wait for the seller until the deadline; past it, mark the line overdue
// (ops alerted, customer told) and keep waiting; then carry out the decision: activate, or
// refund in full on refusal or ops cancellation.
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  MAX_EXTENSION_HOURS,
  VALIDATION_WINDOW_HOURS,
  addHours,
  isUndecided,
  type LineStatus,
} from '../domain/order-line';
import { db, refunds } from './activity-options';
import { currentDetails, localTime, timerSummary, type Deadline } from './current-details';
import { sendEmail } from './email-delivery';
import { BusinessStatusKey, CustomerIdKey, DueAtKey, NextDueAtKey, OrderIdKey, OrderNumberKey, SellerIdKey } from './search-attributes';
import { subscriptionWorkflow, subscriptionWorkflowId } from './subscription';
import { subscriptionSummary, type OrderLineLabel } from './summaries';

export interface OrderLineInput {
  orderId: string;
  /**
   * The order number and what the line is, for staff in the Temporal UI (names, no secret). The
   * Order always passes them; an input recorded before them (test/fixtures) shows ids instead.
   */
  orderNumber?: string;
  label?: OrderLineLabel;
  lineId: string;
  sellerId: string;
  customerId: string;
  /** Payment time (ISO): the 48-hour window and the subscription anchor start here (ORD-8). */
  paidAt: string;
  /** Demo only (DEMO_VALIDATION_MINUTES): the ORD-6 window instead of 48 hours. */
  validationWindowHours?: number;
}

export interface OrderLineState {
  orderId: string;
  lineId: string;
  sellerId: string;
  status: LineStatus;
  paidAt: string;
  validationDueAt: string;
  /** How many validation deadlines passed unanswered (1 after the first, 2 after an extension). */
  deadlinesMissed: number;
  extensions: { by: string; hours: number; at: string; newDueAt: string }[];
  decidedAt?: string;
  decidedBy?: string;
  /** The seller's access instructions, stored by the API (often credentials: never in this state, X-7). */
  accessInstructionsId?: string;
  refusalReason?: string;
  cancelReason?: string;
  refundId?: string;
}

export interface AcceptLine { sellerId: string; accessInstructionsId: string }
export interface RefuseLine { sellerId: string; reason: string }
/** Ops cancel with `staffId`; a customer's withdrawal (SUB-11) cancels with `customerId` instead. */
export interface CancelLine { staffId?: string; customerId?: string; reason: string }
export interface ExtendValidation { staffId: string; hours: number }

export const acceptLineUpdate = defineUpdate<OrderLineState, [AcceptLine]>('acceptLine');
export const refuseLineUpdate = defineUpdate<OrderLineState, [RefuseLine]>('refuseLine');
export const cancelLineUpdate = defineUpdate<OrderLineState, [CancelLine]>('cancelLine');
export const extendValidationUpdate = defineUpdate<OrderLineState, [ExtendValidation]>('extendValidation');
export const orderLineStateQuery = defineQuery<OrderLineState>('orderLineState');

export function orderLineWorkflowId(lineId: string): string {
  return `OrderLine:${lineId}`;
}

type Decision =
  | { kind: 'accept'; by: string; accessInstructionsId: string }
  | { kind: 'refuse'; by: string; reason: string }
  | { kind: 'cancel'; by: string; reason: string };

export async function orderLineWorkflow(input: OrderLineInput): Promise<OrderLineState> {
  const state: OrderLineState = {
    orderId: input.orderId,
    lineId: input.lineId,
    sellerId: input.sellerId,
    status: 'awaiting_validation',
    paidAt: input.paidAt,
    validationDueAt: addHours(input.paidAt, input.validationWindowHours ?? VALIDATION_WINDOW_HOURS),
    deadlinesMissed: 0,
    extensions: [],
  };
  let decision: Decision | undefined;
  let deadlineMoved = false;
  const workflowId = workflowInfo().workflowId;
  const orderNumber = input.orderNumber ?? input.orderId;
  const label: OrderLineLabel = input.label ?? { lineId: input.lineId, position: Number(/_(\d+)$/.exec(input.lineId)?.[1] ?? 1), offerName: input.lineId, sellerName: input.sellerId, billingPeriod: 'unknown' };
  const line = `line ${label.position} of ${orderNumber}`;
  const seller = `seller ${label.sellerName}`;
  const deadline = (): Deadline => ({ rule: 'ORD-7', what: `${seller} must answer`, at: state.validationDueAt });

  // --- setup: commands and state --------------------------------------------------------------
  const refuseUnlessOpen = (): void => {
    if (decision || !isUndecided(state.status)) {
      throw ApplicationFailure.nonRetryable(`line ${state.lineId} is already ${decision ? decisionStatus(decision) : state.status}`, 'LineAlreadyDecided');
    }
  };
  const refuseOtherSeller = (sellerId: string): void => {
    if (sellerId !== state.sellerId) {
      throw ApplicationFailure.nonRetryable(`line ${state.lineId} belongs to another seller`, 'NotYourLine');
    }
  };
  const requireText = (value: string, field: string): void => {
    if (!value.trim()) throw ApplicationFailure.nonRetryable(`${field} must not be empty`, 'InvalidArgument');
  };

  setHandler(orderLineStateQuery, () => state);

  setHandler(
    acceptLineUpdate,
    async (cmd) => decide({ kind: 'accept', by: `seller:${cmd.sellerId}`, accessInstructionsId: cmd.accessInstructionsId }),
    {
      validator: (cmd) => {
        refuseOtherSeller(cmd.sellerId);
        requireText(cmd.accessInstructionsId, 'accessInstructionsId');
        refuseUnlessOpen();
      },
    },
  );
  setHandler(
    refuseLineUpdate,
    async (cmd) => decide({ kind: 'refuse', by: `seller:${cmd.sellerId}`, reason: cmd.reason }),
    {
      validator: (cmd) => {
        refuseOtherSeller(cmd.sellerId);
        requireText(cmd.reason, 'reason');
        refuseUnlessOpen();
      },
    },
  );
  setHandler(
    cancelLineUpdate,
    async (cmd) => decide({ kind: 'cancel', by: cmd.customerId ? `customer:${cmd.customerId}` : `staff:${cmd.staffId}`, reason: cmd.reason }),
    {
      validator: (cmd) => {
        if (!cmd.staffId === !cmd.customerId) throw ApplicationFailure.nonRetryable('exactly one of staffId and customerId', 'InvalidArgument');
        requireText(cmd.reason, 'reason');
        refuseUnlessOpen();
      },
    },
  );
  setHandler(
    extendValidationUpdate,
    async (cmd) => {
      refuseUnlessOpen();
      const at = new Date().toISOString();
      const newDueAt = addHours(at, cmd.hours);
      state.extensions.push({ by: `staff:${cmd.staffId}`, hours: cmd.hours, at, newDueAt });
      state.validationDueAt = newDueAt;
      state.status = 'awaiting_validation';
      deadlineMoved = true;
      await db(`ORD-7: record ops' extension of ${line} by ${cmd.hours} h`).recordValidationExtended({
        lineId: state.lineId,
        orderId: state.orderId,
        workflowId,
        actor: `staff:${cmd.staffId}`,
        at,
        hours: cmd.hours,
        newDueAt,
        extensionNumber: state.extensions.length,
      });
      publishStatus();
      return state;
    },
    {
      validator: (cmd) => {
        if (!Number.isInteger(cmd.hours) || cmd.hours < 1 || cmd.hours > MAX_EXTENSION_HOURS) {
          throw ApplicationFailure.nonRetryable(`hours must be an integer from 1 to ${MAX_EXTENSION_HOURS}`, 'InvalidArgument');
        }
        refuseUnlessOpen();
      },
    },
  );

  /** An update handler records the decision, then answers once the main flow has carried it out. */
  async function decide(d: Decision): Promise<OrderLineState> {
    refuseUnlessOpen(); // two commands accepted by validators in the same task: only the first wins
    decision = d;
    await condition(() => !isUndecided(state.status));
    return state;
  }

  function publishStatus(): void {
    upsertSearchAttributes([
      { key: BusinessStatusKey, value: state.status },
      { key: DueAtKey, value: new Date(state.validationDueAt) },
    ]);
    showDetails();
  }

  /** What staff read in the Temporal UI: the state, the deadline and who must act (ORD-6, ORD-7). */
  function showDetails(carryingOut?: string): void {
    const facts = [`paid ${localTime(state.paidAt)}; the seller's window runs from then (ORD-7)`];
    const last = state.extensions.at(-1);
    if (last) facts.push(`ops granted more hours ${state.extensions.length} time(s), last ${last.hours} h on ${localTime(last.at)} (ORD-7)`);
    if (state.deadlinesMissed > 0) facts.push(`deadlines missed: ${state.deadlinesMissed}`);
    if (state.decidedBy) facts.push(`decided by ${state.decidedBy} on ${localTime(state.decidedAt!)} (X-4)`);
    const title = `Line ${label.position} of ${orderNumber} · ${label.offerName} · ${label.sellerName}`;
    const open = `accept (with access instructions) or refuse (with a reason), from ${seller}`;
    const states: Record<LineStatus, { state: string; deadline?: Deadline; awaiting?: string }> = {
      awaiting_validation: { state: "awaiting the seller's validation (ORD-6)", deadline: deadline(), awaiting: `${open}; ops may cancel or grant more hours` },
      overdue: {
        state: `overdue since ${localTime(state.validationDueAt)} (ORD-7): ops alerted and the customer told`,
        awaiting: `${open}; or, from ops, cancel (full refund) or grant more hours`,
      },
      active: { state: `active (ORD-6): access instructions e-mailed, subscription ${subscriptionWorkflowId(state.lineId)} started (ORD-8)` },
      refused: { state: 'refused by the seller (ORD-6): refunded in full, customer e-mailed' },
      cancelled: { state: `cancelled ${decision?.by.startsWith('customer:') ? "by the customer's withdrawal (SUB-11)" : 'by ops (ORD-7)'}: refunded in full, customer e-mailed` },
    };
    const now = carryingOut ? { state: carryingOut } : states[state.status];
    setCurrentDetails(currentDetails({ title, state: now.state, deadline: now.deadline ?? null, awaiting: now.awaiting ?? null, facts }));
  }

  // --- run: the process ----------------------------------------------------------------------
  publishStatus();
  await db(`ORD-6: hand ${line} to ${seller} for validation`).markLineAwaitingValidation({
    lineId: state.lineId,
    orderId: state.orderId,
    workflowId,
    at: state.paidAt,
    validationDueAt: state.validationDueAt,
  });
  await sendEmail({ rule: 'ORD-5', what: `${line} to validate, to ${seller}` }, (a) =>
    a.composeSellerLineToValidateEmail({ lineId: state.lineId, validationDueAt: state.validationDueAt }),
  );

  while (!decision) {
    deadlineMoved = false;
    if (state.status === 'awaiting_validation') {
      const remainingMs = Date.parse(state.validationDueAt) - Date.now();
      if (remainingMs > 0) {
        await condition(() => decision !== undefined || deadlineMoved, remainingMs, { summary: timerSummary(deadline()) });
      }
      if (decision || deadlineMoved) continue;
      await becomeOverdue();
    } else {
      await condition(() => decision !== undefined || deadlineMoved);
    }
  }

  await carryOut(decision);
  await condition(allHandlersFinished);
  return state;

  // --- steps ---------------------------------------------------------------------------------
  async function becomeOverdue(): Promise<void> {
    state.status = 'overdue';
    state.deadlinesMissed += 1;
    publishStatus();
    const round = state.deadlinesMissed;
    await db(`ORD-7: mark ${line} overdue (round ${round})`).markLineOverdue({
      lineId: state.lineId,
      orderId: state.orderId,
      workflowId,
      at: state.validationDueAt,
      round,
    });
    await sendEmail({ rule: 'ORD-7', what: `ops alert: ${line} overdue (round ${round})` }, (a) => a.composeOverdueOpsAlertEmail({ lineId: state.lineId, round }));
    await sendEmail({ rule: 'ORD-7', what: `${seller} is late on ${line} (round ${round})` }, (a) => a.composeOverdueCustomerEmail({ lineId: state.lineId, round }));
  }

  async function carryOut(d: Decision): Promise<void> {
    const at = new Date().toISOString();
    showDetails(`${decisionStatus(d)} by ${d.by}: being carried out (ORD-6)`);
    if (d.kind === 'accept') {
      await db(`ORD-6: activate ${line} (accepted by ${seller})`).activateLine({
        lineId: state.lineId,
        orderId: state.orderId,
        workflowId,
        actor: d.by,
        at,
        accessInstructionsId: d.accessInstructionsId,
      });
      state.accessInstructionsId = d.accessInstructionsId;
      await sendEmail({ rule: 'ORD-6', what: `access instructions for ${line}` }, (a) => a.composeAccessInstructionsEmail({ lineId: state.lineId }));
      // The subscription lives on for years after this workflow completes (SUB-1, ORD-8).
      await startChild(subscriptionWorkflow, {
        workflowId: subscriptionWorkflowId(state.lineId),
        args: [{ subscriptionId: state.lineId, orderId: state.orderId, orderNumber, customerId: input.customerId, sellerId: state.sellerId, anchor: state.paidAt }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: subscriptionSummary({ offerName: label.offerName, billingPeriod: label.billingPeriod, orderNumber }),
        typedSearchAttributes: [
          { key: OrderIdKey, value: state.orderId },
          { key: OrderNumberKey, value: orderNumber },
          { key: CustomerIdKey, value: input.customerId },
          { key: SellerIdKey, value: state.sellerId },
          { key: BusinessStatusKey, value: 'active' },
          { key: NextDueAtKey, value: new Date(state.paidAt) },
        ],
      });
    } else {
      const [rule, why] = d.kind === 'refuse' ? ['ORD-6', 'refused by the seller'] : d.by.startsWith('customer:') ? ['SUB-11', 'withdrawn by the customer'] : ['ORD-7', 'cancelled by ops'];
      const refund = await refunds(`${rule}: refund ${line} in full (${why})`).refundLine({
        lineId: state.lineId,
        reason: d.kind === 'refuse' ? 'refused_by_seller' : d.by.startsWith('customer:') ? 'withdrawal' : 'cancelled_by_ops',
        at,
      });
      state.refundId = refund.refundId;
      if (d.kind === 'refuse') state.refusalReason = d.reason;
      else state.cancelReason = d.reason;
      await db(`${rule}: close ${line} as ${decisionStatus(d)}`).closeLineUnfulfilled({
        lineId: state.lineId,
        orderId: state.orderId,
        workflowId,
        actor: d.by,
        at,
        status: decisionStatus(d),
        reason: d.reason,
        refundId: refund.refundId,
      });
      await sendEmail({ rule, what: `refund of ${line} (${why})` }, (a) => a.composeLineRefundedEmail({ lineId: state.lineId }));
    }
    state.decidedAt = at;
    state.decidedBy = d.by;
    state.status = decisionStatus(d);
    publishStatus();
  }
}

function decisionStatus(d: Decision): LineStatus {
  return d.kind === 'accept' ? 'active' : d.kind === 'refuse' ? 'refused' : 'cancelled';
}
