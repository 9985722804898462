// ACC-3: what keeps a customer account from closing, and the tombstones its personal data is
// replaced by. Pure: the activities read the rows, this decides (README "Account closure").

/** The three obstacles of ACC-3, each naming the thing in the way. */
export type ClosureObstacleKind = 'active_service' | 'unpaid_invoice' | 'order_in_progress';

export interface ClosureObstacle {
  kind: ClosureObstacleKind;
  /** What is in the way: a subscription (= line) id, an invoice number, an order number, a ticket id. */
  ref: string;
  detail: string;
}

/** The rows the decision reads, as the activity loads them for one customer. */
export interface ClosureFacts {
  /** Subscriptions (their line ids) not terminated: active or past_due. */
  subscriptions: { id: string; status: string; name: string }[];
  /** Lines of the customer's paid orders with no Subscription row (a service, or not yet started). */
  lines: { id: string; status: string; name: string; orderNumber: string }[];
  /** Orders whose card charge is not settled yet. */
  pendingOrders: { number: string }[];
  /** Tickets not ended (open, awaiting the customer, support or a payment). */
  openTickets: { id: string; status: string }[];
  /** Support invoices (DIA-4) neither paid by a captured payment nor cancelled by a credit note. */
  unpaidInvoices: { number: string; dueAt: string | null; totalCents: number; currency: string }[];
}

/** Lines still with their seller: the order is in progress until each is decided (ORD-6, ORD-7). */
const LINE_IN_PROGRESS = new Set(['awaiting_payment', 'awaiting_validation', 'overdue']);
/** Ticket statuses after which nothing more happens on a ticket (DIA-8). */
export const TICKET_ENDED = ['closed', 'paid', 'contested'];

/**
 * ACC-3 house rules: an active service is a subscription not terminated, an active line without
 * a subscription (a service) or an open ticket (support being given); an unpaid invoice is a
 * support invoice neither paid nor cancelled, or a subscription past due (a period owed);
 * an order in progress is one whose charge is pending or with a line its seller has not decided.
 */
export function closureObstacles(f: ClosureFacts): ClosureObstacle[] {
  const found: ClosureObstacle[] = [];
  for (const s of f.subscriptions) {
    found.push({ kind: 'active_service', ref: s.id, detail: `subscription ${s.id} (${s.name}) is ${s.status}: terminate it first` });
    if (s.status === 'past_due') found.push({ kind: 'unpaid_invoice', ref: s.id, detail: `subscription ${s.id} (${s.name}) has a period due and unpaid (past due)` });
  }
  for (const l of f.lines) {
    if (l.status === 'active') found.push({ kind: 'active_service', ref: l.id, detail: `service ${l.id} (${l.name}, order ${l.orderNumber}) is active` });
    else if (LINE_IN_PROGRESS.has(l.status)) found.push({ kind: 'order_in_progress', ref: l.orderNumber, detail: `order ${l.orderNumber}: line ${l.id} (${l.name}) is ${l.status.replace('_', ' ')}` });
  }
  for (const o of f.pendingOrders) found.push({ kind: 'order_in_progress', ref: o.number, detail: `order ${o.number}: its payment is pending` });
  for (const t of f.openTickets) found.push({ kind: 'active_service', ref: t.id, detail: `support ticket ${t.id} is open (${t.status.replace(/_/g, ' ')}): close it first` });
  for (const i of f.unpaidInvoices) {
    const due = i.dueAt ? `, due ${i.dueAt.slice(0, 10)}` : '';
    found.push({ kind: 'unpaid_invoice', ref: i.number, detail: `invoice ${i.number} (${(i.totalCents / 100).toFixed(2)} ${i.currency}${due}) is unpaid` });
  }
  return found;
}

/** The address a closed account keeps: unique (Customer.email is), deliverable nowhere (RFC 2606 .invalid). */
export function erasedEmail(customerId: string): string {
  return `erased-${customerId}@erased.invalid`;
}

/** What replaces a name, a contact or an address. */
export const ERASED = '[erased]';

/** What replaces the text of an e-mail sent to (or about) a closed account. */
export const ERASED_TEXT = '[erased: the account was closed and its personal data erased (ACC-3)]';

/**
 * A PostgreSQL regular expression (ARE, matched case-insensitively) for the address as a whole:
 * not inside a longer one (`a@b.test` is not in `xa@b.test` nor in `a@b.testing`), but at the
 * end of a sentence (`… a@b.test.`) or in `<a@b.test>`.
 */
export function addressPattern(email: string): string {
  const literal = email.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
  return `(?<![A-Za-z0-9._%+-])${literal}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`;
}
