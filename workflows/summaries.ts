// The static summaries staff read in the Temporal Web UI's workflow list (conventions:
// docs/temporal-ui.md), one per kind of process, used by every start site (the API, the
// activities and the parent workflows) so each process reads the same wherever it is started.
// One line of plain text: the order number, the offer, the seller, the buyer's account id; never a
// secret (card data, codes, access instructions, sign-in tokens) nor personal data (a name, an
// e-mail address): a history cannot be edited, and ACC-3 erases a closed account's personal data.

/** What a line is, for staff (names, not secrets): carried in the Order's and OrderLine's inputs. */
export interface OrderLineLabel {
  lineId: string;
  /** 1-based, as on the purchase order. */
  position: number;
  offerName: string;
  /** The seller's legal name, as on its invoices. */
  sellerName: string;
  billingPeriod: string;
}

/** What the checkout knows of an order for staff: its number and its lines. */
export interface OrderAbout {
  number: string;
  lines: OrderLineLabel[];
}

/** "Order O-2026-000042 · 2 lines" (the account may not exist yet: staff filter by CustomerId once it does). */
export function orderSummary(o: { number: string; lineCount: number }): string {
  return `Order ${o.number} · ${o.lineCount} line${o.lineCount === 1 ? '' : 's'}`;
}

/** "Line 1 of O-2026-000042 · Acme Mail Pro · Acme Cloud SAS". */
export function orderLineSummary(orderNumber: string, line: OrderLineLabel): string {
  return `Line ${line.position} of ${orderNumber} · ${line.offerName} · ${line.sellerName}`;
}

/** "Subscription Acme Mail Pro · monthly · O-2026-000042". */
export function subscriptionSummary(s: { offerName: string; billingPeriod: string; orderNumber: string }): string {
  return `Subscription ${s.offerName} · ${s.billingPeriod} · ${s.orderNumber}`;
}

/** "Withdrawal from O-2026-000042". */
export function withdrawalSummary(orderNumber: string): string {
  return `Withdrawal from ${orderNumber}`;
}

/** "E-mail: purchase order O-2026-000042". */
export function emailSummary(what: string): string {
  return `E-mail: ${what}`;
}

/** "Closure case case_1f… · Acme Cloud SAS" (MED-1, MED-6, MED-7). */
export function sellerCaseSummary(c: { caseId: string; kind: string; sellerName: string }): string {
  const kind = c.kind === 'closure' ? 'Closure case' : c.kind === 'closure_request' ? 'Closure request' : 'Complaint';
  return `${kind} ${c.caseId} · ${c.sellerName}`;
}

/** "Incident ticket tkt_3f… · Acme Mail Pro · customer cus_…" (the subject is the customer's text: not shown). */
export function ticketSummary(t: { ticketId: string; kind: string; offerName: string; customerId: string }): string {
  return `${t.kind === 'incident' ? 'Incident' : 'Support'} ticket ${t.ticketId} · ${t.offerName} · customer ${t.customerId}`;
}

/** "Subscriptions of Acme Cloud SAS end (MED-5, case case_1f…)". */
export function sellerClosureSummary(c: { sellerName: string; caseId: string }): string {
  return `Subscriptions of ${c.sellerName} end (MED-5, case ${c.caseId})`;
}

/** "Seller application sapp_1f… · Acme Cloud SAS" (KYC-1). */
export function sellerApplicationSummary(a: { applicationId: string; companyName: string }): string {
  return `Seller application ${a.applicationId} · ${a.companyName}`;
}
