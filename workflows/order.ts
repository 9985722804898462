// Order:<orderId> — from checkout to the sellers' decisions (ORD-4, ORD-5, ORD-6).
// Reads top to bottom: take the one card charge for the first period of every line (an order of
// free-trial lines only, costing nothing now, has its card verified instead, POL-1); on a decline
// the order fails and nothing reaches the sellers; once paid, issue the invoice of each seller
// paid something (INV-1), send the purchase order and the invoices, then run one OrderLine child
// workflow per line and wait for every seller's decision.
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  executeChild,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { VALIDATION_WINDOW_HOURS, addHours, type LineStatus } from '../domain/order-line';
import { GATEWAY_UNAVAILABLE, db, gatewayGaveUp, payments } from './activity-options';
import { currentDetails, localTime, type Details } from './current-details';
import { sendEmail } from './email-delivery';
import { orderLineWorkflow, orderLineWorkflowId } from './order-line';
import { BusinessStatusKey, CustomerIdKey, OrderIdKey, OrderNumberKey, SellerIdKey } from './search-attributes';
import { orderLineSummary, type OrderLineLabel } from './summaries';

export interface OrderInput {
  orderId: string;
  /** Known at checkout for a signed-in customer or an existing address; else set at capture. */
  customerId?: string;
  /** The order number (O-2026-000042): staff find the order and its lines by it. */
  number: string;
  /** What each line is, for its child's summary and the details staff read (names, no secret). */
  lines: OrderLineLabel[];
  /** Demo only (DEMO_VALIDATION_MINUTES): the ORD-6 window instead of 48 hours. */
  validationWindowHours?: number;
}

export type OrderStatus = 'payment_pending' | 'payment_failed' | 'paid' | 'completed';

export interface CheckoutResult {
  orderId: string;
  status: 'paid' | 'payment_failed';
  paidAt?: string;
  failure?: { code: string; message: string };
}

export interface OrderState {
  orderId: string;
  status: OrderStatus;
  paidAt?: string;
  failure?: { code: string; message: string };
  lines: { lineId: string; sellerId: string; status: LineStatus | 'awaiting_payment' | 'payment_failed' }[];
}

/** Answers once the checkout charge is settled: the API's checkout call waits on it. */
export const checkoutResultUpdate = defineUpdate<CheckoutResult>('checkoutResult');
export const orderStateQuery = defineQuery<OrderState>('orderState');

export function orderWorkflowId(orderId: string): string {
  return `Order:${orderId}`;
}

export async function orderWorkflow(input: OrderInput): Promise<OrderState> {
  const workflowId = workflowInfo().workflowId;
  const state: OrderState = { orderId: input.orderId, status: 'payment_pending', lines: [] };
  const number = input.number;
  const labelOf = (lineId: string, sellerId: string, i: number): OrderLineLabel =>
    input.lines.find((l) => l.lineId === lineId) ?? { lineId, position: i + 1, offerName: lineId, sellerName: sellerId, billingPeriod: 'unknown' };
  const sellerName = (sellerId: string): string => {
    const line = state.lines.find((l) => l.sellerId === sellerId);
    return (line && input.lines.find((l) => l.lineId === line.lineId)?.sellerName) ?? sellerId;
  };
  const show = (d: Omit<Details, 'title'>): void => setCurrentDetails(currentDetails({ title: `Order ${number}`, ...d }));
  show({ state: 'awaiting the card charge for the first period of every line (ORD-4)', awaiting: "the payment gateway's answer" });

  // --- setup ---------------------------------------------------------------------------------
  setHandler(orderStateQuery, () => state);
  setHandler(checkoutResultUpdate, async (): Promise<CheckoutResult> => {
    await condition(() => state.status !== 'payment_pending');
    return {
      orderId: state.orderId,
      status: state.status === 'payment_failed' ? 'payment_failed' : 'paid',
      paidAt: state.paidAt,
      failure: state.failure,
    };
  });

  // --- run -----------------------------------------------------------------------------------
  const at = new Date().toISOString();
  const charge = await payments(`ORD-4: one card charge for the first period of every line of ${number}`)
    .chargeOrder({ orderId: input.orderId, workflowId, at })
    .catch(async (err: unknown) => {
      // The gateway was unreachable for the whole retry limit (below its key lifetime): the order
      // fails as a decline would, with the reason (ORD-4); nothing reaches the sellers.
      if (!gatewayGaveUp(err)) throw err;
      return db(`ORD-4: record the charge of ${number} as failed (gateway unreachable)`).failOrderCharge({ orderId: input.orderId, workflowId, at, ...GATEWAY_UNAVAILABLE });
    });
  state.lines = charge.lines.map((l) => ({ ...l, status: charge.status === 'captured' ? 'awaiting_validation' : 'payment_failed' }));

  if (charge.status === 'declined') {
    state.status = 'payment_failed';
    state.failure = charge.failure;
    upsertSearchAttributes([{ key: BusinessStatusKey, value: state.status }]);
    show({ state: `payment failed (ORD-4): ${charge.failure?.code ?? 'declined'}; nothing was sent to the sellers` });
    await condition(allHandlersFinished);
    return state;
  }

  state.status = 'paid';
  state.paidAt = charge.paidAt;
  // The account exists from the capture on (a new address's account is created by it).
  const customerId = charge.customerId;
  upsertSearchAttributes([
    { key: BusinessStatusKey, value: state.status },
    { key: CustomerIdKey, value: customerId },
  ]);
  const paidAt = `paid ${localTime(charge.paidAt)}`;
  show({ state: `paid (ORD-4): issuing the invoices and e-mailing the purchase order (INV-1, ORD-5)`, facts: [paidAt] });

  // INV-1: each seller's invoice for its share of the captured payment, numbered at payment
  // (before any seller decides), then e-mailed with the purchase order.
  const invoices: { invoiceId: string; sellerId: string }[] = [];
  // POL-1: a seller whose every line is on a free trial was paid nothing: it has no invoice yet.
  for (const sellerId of new Set(charge.lines.filter((l) => l.charged).map((l) => l.sellerId))) {
    const issued = await db(`INV-1: issue the invoice of ${sellerName(sellerId)} for ${number}`).issueCheckoutInvoice({ orderId: input.orderId, sellerId });
    invoices.push({ invoiceId: issued.invoiceId, sellerId });
  }

  await sendEmail({ rule: 'ORD-5', what: `purchase order ${number}` }, (a) => a.composePurchaseOrderEmail({ orderId: input.orderId }));
  for (const { invoiceId, sellerId } of invoices) {
    await sendEmail({ rule: 'INV-1', what: `invoice of ${sellerName(sellerId)} for ${number}` }, (a) => a.composeInvoiceEmail({ invoiceId }));
  }

  // What staff read while the sellers decide: each line's state as its child reports it.
  const labels = state.lines.map((l, i) => labelOf(l.lineId, l.sellerId, i));
  const showDecisions = (): void => {
    const open = state.lines.filter((l) => l.status === 'awaiting_validation');
    const sellers = [...new Set(open.map((l) => sellerName(l.sellerId)))];
    show({
      state: `paid: ${state.lines.length - open.length} of ${state.lines.length} lines decided by their sellers (ORD-6)`,
      // The first deadline of each line; ops may extend a line (its own workflow shows the new one).
      deadline: open.length > 0 ? { rule: 'ORD-7', what: `${sellers.join(', ')} must answer`, at: addHours(charge.paidAt, input.validationWindowHours ?? VALIDATION_WINDOW_HOURS) } : null,
      awaiting: open.length > 0 ? `accept or refuse each open line, from ${sellers.map((s) => `seller ${s}`).join(', ')}` : null,
      facts: [paidAt, ...state.lines.map((l, i) => `line ${labels[i].position} · ${labels[i].offerName} · ${labels[i].sellerName}: ${l.status}`)],
    });
  };
  showDecisions();

  await Promise.all(
    state.lines.map(async (line, i) => {
      const label = labels[i];
      const outcome = await executeChild(orderLineWorkflow, {
        workflowId: orderLineWorkflowId(line.lineId),
        args: [
          {
            orderId: input.orderId,
            orderNumber: number,
            label,
            lineId: line.lineId,
            sellerId: line.sellerId,
            customerId,
            paidAt: charge.paidAt,
            ...(input.validationWindowHours ? { validationWindowHours: input.validationWindowHours } : {}),
          },
        ],
        // A line outlives a cancelled or reset order process: its deadline is its own.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: orderLineSummary(number, label),
        typedSearchAttributes: [
          { key: OrderIdKey, value: input.orderId },
          { key: OrderNumberKey, value: number },
          { key: CustomerIdKey, value: customerId },
          { key: SellerIdKey, value: line.sellerId },
          { key: BusinessStatusKey, value: 'awaiting_validation' },
        ],
      });
      line.status = outcome.status;
      showDecisions();
    }),
  );

  state.status = 'completed';
  upsertSearchAttributes([{ key: BusinessStatusKey, value: state.status }]);
  const count = (s: string) => state.lines.filter((l) => l.status === s).length;
  show({
    state: `completed: every line decided (ORD-6): ${count('active')} active, ${count('refused')} refused, ${count('cancelled')} cancelled`,
    facts: [paidAt, ...state.lines.map((l, i) => `line ${labels[i].position} · ${labels[i].offerName} · ${labels[i].sellerName}: ${l.status}`)],
  });
  await condition(allHandlersFinished);
  return state;
}
