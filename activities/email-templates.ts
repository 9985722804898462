// Texts of the order process e-mails: plain text, one function per message, no I/O. Dates are
// shown in the business time zone (domain/time-format.ts), never as raw ISO UTC. Links are the
// signed ones of api/signed-links.ts, which open in a browser without an API key: each is a
// credential, so the staff's copy (`maskedText`) has it replaced by HIDDEN.
import { formatMoney } from '../domain/money';
import { formatDateTime, withArticle } from '../domain/time-format';

export interface SellerIdentity {
  name: string;
  legalName: string;
  address: string;
  contactEmail: string;
  contactPhone: string;
}

export interface LineView {
  id: string;
  name: string;
  billingPeriod: string;
  priceCents: number;
  vatCents: number;
  totalCents: number;
  currency: string;
  seller: SellerIdentity;
}

export interface Message {
  subject: string;
  text: string;
  /** The text with its secrets replaced by HIDDEN: what staff read (least privilege). */
  maskedText?: string;
}

export const HIDDEN = '[hidden]';

const when = (iso: string) => formatDateTime(iso);

/** A message whose text carries signed links: the staff's copy has each replaced by HIDDEN. */
export function withLinks(subject: string, body: (shown: (link: string) => string) => string): Message {
  return { subject, text: body((link) => link), maskedText: body(() => HIDDEN) };
}

export function purchaseOrder(o: {
  id: string;
  number: string;
  paidAt: string;
  currency: string;
  totalExclVatCents: number;
  totalVatCents: number;
  totalCents: number;
  lines: LineView[];
  /** GET /orders/:orderId, read signed in (or with the checkout's order token). */
  orderUrl: string;
  /** SUB-11: who the buyer is (14 or 7 days), until when, and the signed link that withdraws. */
  customerType: string;
  withdrawalDays: number;
  withdrawalDeadline: string;
  withdrawalUrl: string;
}): Message {
  const lines = o.lines.map(
    (l) =>
      `- ${l.name} (${l.billingPeriod}), sold by ${l.seller.name}: ${formatMoney(l.priceCents, l.currency)} excl. VAT + ` +
      `${formatMoney(l.vatCents, l.currency)} VAT = ${formatMoney(l.totalCents, l.currency)}`,
  );
  const sellers = [...new Map(o.lines.map((l) => [l.seller.legalName, l.seller])).values()].map(
    (s) => `- ${s.legalName} (${s.name}), ${s.address}, ${s.contactEmail}, ${s.contactPhone}`,
  );
  return withLinks(`Purchase order ${o.number}`, (link) =>
    [
      `Thank you for your order ${o.number}, paid on ${when(o.paidAt)}.`,
      `Order id: ${o.id}. Follow it at ${o.orderUrl} (signed in, or with the order token of your checkout).`,
      '',
      'Lines:',
      ...lines,
      '',
      `Total excl. VAT: ${formatMoney(o.totalExclVatCents, o.currency)}`,
      `VAT: ${formatMoney(o.totalVatCents, o.currency)}`,
      `Total paid: ${formatMoney(o.totalCents, o.currency)}`,
      '',
      'Sellers:',
      ...sellers,
      '',
      'Each seller validates its lines within 48 hours; you will receive the access instructions by e-mail.',
      '',
      `Changed your mind? As ${withArticle(o.customerType)} customer you may withdraw from this order within ${o.withdrawalDays} days, until ${when(o.withdrawalDeadline)}: everything paid on it is refunded in full and its services end.`,
      `Withdraw here: ${link(o.withdrawalUrl)}`,
    ].join('\n'),
  );
}

export function sellerLineToValidate(l: LineView & { orderNumber: string; validationDueAt: string; acceptUrl: string }): Message {
  return {
    subject: `New order ${l.orderNumber}: line ${l.id} to validate`,
    text: [
      `Order ${l.orderNumber} includes your offer "${l.name}" (line ${l.id}).`,
      `Accept it with the access instructions for the customer, or refuse it with a reason, before ${when(l.validationDueAt)}.`,
      `Accept: POST ${l.acceptUrl}/accept   Refuse: POST ${l.acceptUrl}/refuse`,
    ].join('\n'),
  };
}

export function overdueOpsAlert(l: LineView & { orderNumber: string; round: number; lineUrl: string }): Message {
  return {
    subject: `[ops] Line ${l.id} of order ${l.orderNumber} is overdue`,
    text: [
      `${l.seller.name} has not validated line ${l.id} ("${l.name}") in time (deadline missed: ${l.round}).`,
      `Cancel it with a full refund or grant more hours: ${l.lineUrl}`,
    ].join('\n'),
  };
}

export function overdueCustomer(l: LineView & { orderNumber: string; supportContact: string }): Message {
  return {
    subject: `Order ${l.orderNumber}: ${l.seller.name} is late`,
    text: [
      `${l.seller.name} has not yet validated "${l.name}" from your order ${l.orderNumber} within 48 hours.`,
      'The seller can still accept it; our team has been alerted.',
      `You can reach the marketplace at ${l.supportContact}.`,
    ].join('\n'),
  };
}

export function accessInstructions(l: LineView & { orderNumber: string; instructions: string }): Message {
  return {
    subject: `Order ${l.orderNumber}: "${l.name}" is active`,
    text: [`${l.seller.name} has activated "${l.name}".`, '', 'Access instructions:', l.instructions].join('\n'),
    maskedText: [`${l.seller.name} has activated "${l.name}".`, '', 'Access instructions:', HIDDEN].join('\n'),
  };
}

export function lineRefunded(
  l: LineView & { orderNumber: string; status: string; reason: string; creditNote?: { number: string; url: string } },
): Message {
  const why = l.status === 'refused' ? `${l.seller.name} refused it: ${l.reason}` : `the marketplace cancelled it: ${l.reason}`;
  return withLinks(`Order ${l.orderNumber}: "${l.name}" refunded`, (link) =>
    [
      `"${l.name}" from your order ${l.orderNumber} will not be delivered: ${why}.`,
      `${formatMoney(l.totalCents, l.currency)} is refunded in full to your card.`,
      ...(l.creditNote ? ['', `Credit note ${l.creditNote.number} (PDF): ${link(l.creditNote.url)}`] : []),
    ].join('\n'),
  );
}

export function invoiceIssued(i: {
  number: string;
  orderNumber: string;
  issuedAt: string;
  currency: string;
  exclVatCents: number;
  vatCents: number;
  totalCents: number;
  lines: { description: string; totalCents: number }[];
  seller: SellerIdentity;
  /** The signed document link (INV-1). */
  pdfUrl: string;
}): Message {
  return withLinks(`Invoice ${i.number}: order ${i.orderNumber}, ${i.seller.name}`, (link) =>
    [
      `Invoice ${i.number}, issued on ${when(i.issuedAt)} by ${i.seller.legalName} (${i.seller.name}), ${i.seller.address}, for your order ${i.orderNumber}.`,
      '',
      ...i.lines.map((l) => `- ${l.description}: ${formatMoney(l.totalCents, i.currency)}`),
      '',
      `Total excl. VAT: ${formatMoney(i.exclVatCents, i.currency)}`,
      `VAT: ${formatMoney(i.vatCents, i.currency)}`,
      `Total paid: ${formatMoney(i.totalCents, i.currency)}`,
      '',
      `Download the invoice (PDF): ${link(i.pdfUrl)}`,
    ].join('\n'),
  );
}

/** the link that proves control of the address; single use, expiring. */
export function signInLink(s: { link: string; expiresAt: string }): Message {
  const body = (link: string) =>
    [
      'Someone (we hope you) asked to sign in to the marketplace with this address.',
      `Open this link to sign in: ${link}`,
      `It works once, until ${when(s.expiresAt)}. If you did not ask, ignore this e-mail: nothing changes.`,
    ].join('\n');
  return { subject: 'Your sign-in link', text: body(s.link), maskedText: body(HIDDEN) };
}
