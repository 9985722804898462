// Order:<orderId> — from checkout to the sellers' decisions (ORD-4, ORD-5, ORD-6).
// Reads top to bottom: take the one card charge for the first period of every line; on a
// decline the order fails and nothing reaches the sellers; once paid, issue each seller's invoice
// (INV-1), send the purchase order and the invoices, then run one OrderLine child workflow per
// line and wait for every seller's decision.
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  executeChild,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LineStatus } from '../domain/order-line';
import { GATEWAY_UNAVAILABLE, db, gatewayGaveUp, payments } from './activity-options';
import { sendEmail } from './email-delivery';
import { orderLineWorkflow, orderLineWorkflowId } from './order-line';
import { CustomerIdKey, OrderIdKey, SellerIdKey, StatusKey } from './search-attributes';

export interface OrderInput {
  orderId: string;
  /** Known at checkout for a signed-in customer or an existing address; else set at capture. */
  customerId?: string;
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
  const charge = await payments.chargeOrder({ orderId: input.orderId, workflowId, at }).catch(async (err: unknown) => {
    // The gateway was unreachable for the whole retry limit (below its key lifetime): the order
    // fails as a decline would, with the reason (ORD-4); nothing reaches the sellers.
    if (!gatewayGaveUp(err)) throw err;
    return db.failOrderCharge({ orderId: input.orderId, workflowId, at, ...GATEWAY_UNAVAILABLE });
  });
  state.lines = charge.lines.map((l) => ({ ...l, status: charge.status === 'captured' ? 'awaiting_validation' : 'payment_failed' }));

  if (charge.status === 'declined') {
    state.status = 'payment_failed';
    state.failure = charge.failure;
    upsertSearchAttributes([{ key: StatusKey, value: state.status }]);
    await condition(allHandlersFinished);
    return state;
  }

  state.status = 'paid';
  state.paidAt = charge.paidAt;
  // The account exists from the capture on (a new address's account is created by it).
  const customerId = charge.customerId;
  upsertSearchAttributes([
    { key: StatusKey, value: state.status },
    { key: CustomerIdKey, value: customerId },
  ]);

  // INV-1: each seller's invoice for its share of the captured payment, numbered at payment
  // (before any seller decides), then e-mailed with the purchase order.
  const invoices: string[] = [];
  for (const sellerId of new Set(state.lines.map((l) => l.sellerId))) {
    invoices.push((await db.issueCheckoutInvoice({ orderId: input.orderId, sellerId })).invoiceId);
  }

  await sendEmail(db.composePurchaseOrderEmail({ orderId: input.orderId }));
  for (const invoiceId of invoices) await sendEmail(db.composeInvoiceEmail({ invoiceId }));

  await Promise.all(
    state.lines.map(async (line) => {
      const outcome = await executeChild(orderLineWorkflow, {
        workflowId: orderLineWorkflowId(line.lineId),
        args: [{ orderId: input.orderId, lineId: line.lineId, sellerId: line.sellerId, customerId, paidAt: charge.paidAt }],
        // A line outlives a cancelled or reset order process: its deadline is its own.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: OrderIdKey, value: input.orderId },
          { key: CustomerIdKey, value: customerId },
          { key: SellerIdKey, value: line.sellerId },
          { key: StatusKey, value: 'awaiting_validation' },
        ],
      });
      line.status = outcome.status;
    }),
  );

  state.status = 'completed';
  upsertSearchAttributes([{ key: StatusKey, value: state.status }]);
  await condition(allHandlersFinished);
  return state;
}
