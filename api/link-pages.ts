// The small server-rendered pages the e-mailed links open (api/routes/links.ts): a form whose POST
// carries out the command, a result page, or a readable refusal. Every interpolated value is
// escaped by the `html` tag; no script runs on these pages (the CSP forbids it).
import { formatDateTime, withArticle } from '../domain/time-format';

/** HTML that is already escaped (made by `html`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fragment(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Tagged template: the literal parts as written, every value escaped (nested `html` kept). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => {
    out += fragment(v) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** Headers of every link page: never cached, never framed, no referrer (the URL is the credential), no script. */
export const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

export const HTML_TYPE = 'text/html; charset=utf-8';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;line-height:1.45;color:#1d1d1f}
h1{font-size:1.5rem}label{display:block;margin:.8rem 0 .2rem}input{font-size:1rem;padding:.4rem;width:14rem}
button{font-size:1rem;padding:.5rem 1.2rem;margin-top:1rem;cursor:pointer}.error{color:#a00000;border-left:3px solid #a00000;padding-left:.6rem}
.done{border-left:3px solid #0a7d32;padding-left:.6rem}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{color:#555}dd{margin:0}`;

export function renderPage(title: string, body: SafeHtml): Buffer {
  return Buffer.from(
    html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · Marketplace</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<style>${new SafeHtml(STYLE)}</style></head>
<body><main><h1>${title}</h1>
${body}
</main></body></html>`.value,
  );
}

/** A refusal: why, and what the person can do next. */
export function refusalPage(title: string, detail: string, hint?: string): Buffer {
  return renderPage(title, html`<p class="error" id="reason" role="alert">${detail}</p>${hint ? html`<p id="hint">${hint}</p>` : ''}`);
}

const errorBlock = (error?: string) => (error ? html`<p class="error" id="error" role="alert">${error}</p>` : '');

const facts = (rows: [string, unknown][]) => html`<dl>${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;

export interface SubscriptionFacts {
  name: string;
  subscriptionId: string;
  status: string;
  cardLast4: string;
  nextDueAt: string | null;
}

function statusText(s: SubscriptionFacts): string {
  if (s.status === 'past_due') return 'payment overdue';
  return s.status;
}

/** The card inputs of the forms that take a new card (card update, support invoice): the fields of the link routes' card form. */
const cardFields = html`<label for="number">Card number</label><input id="number" name="number" inputmode="numeric" autocomplete="cc-number" required pattern="[0-9 ]{12,23}" maxlength="23">
<label for="expMonth">Expiry month (1 to 12)</label><input id="expMonth" name="expMonth" inputmode="numeric" autocomplete="cc-exp-month" required pattern="[0-9]{1,2}" maxlength="2">
<label for="expYear">Expiry year</label><input id="expYear" name="expYear" inputmode="numeric" autocomplete="cc-exp-year" required pattern="[0-9]{4}" maxlength="4">
<label for="cvc">Security code</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" required pattern="[0-9]{3,4}" maxlength="4">`;

// --- SUB-5: card update ----------------------------------------------------------------------------------

export function cardUpdatePage(s: SubscriptionFacts, error?: string): Buffer {
  return renderPage(
    'Update your card',
    html`<p>Replace the card of your subscription <strong>${s.name}</strong>. ${s.status === 'past_due' ? 'The overdue payment is retried at once on the new card.' : 'Every later payment uses the new card.'}</p>
${facts([
  ['Subscription', s.subscriptionId],
  ['Status', statusText(s)],
  ['Card in use', `ending ${s.cardLast4}`],
])}
${errorBlock(error)}
<form method="post" autocomplete="off">
${cardFields}
<div><button type="submit" id="submit">Save this card</button></div>
</form>`,
  );
}

export function cardUpdatedPage(s: { name: string; last4: string; status: string; nextDueAt: string | null; message: string }): Buffer {
  const outcome =
    s.status === 'past_due'
      ? 'The overdue payment could not be taken on this card yet: it stays overdue, and is retried as announced in the e-mail.'
      : s.nextDueAt
        ? `Your subscription is ${s.status}; the next payment is due on ${formatDateTime(s.nextDueAt)}.`
        : `Your subscription is ${s.status}.`;
  return renderPage('Card updated', html`<p class="done" id="result" role="status">The card ending ${s.last4} is now the card of ${s.name}.</p><p id="outcome">${outcome}</p>`);
}

// --- SUB-6: manual payment -------------------------------------------------------------------------------

export interface PaymentFacts extends SubscriptionFacts {
  amount: string;
  amountExclVat: string;
  vat: string;
}

export function paymentPage(p: PaymentFacts, error?: string): Buffer {
  return renderPage(
    'Pay your next period',
    html`<p>Pay the next period of <strong>${p.name}</strong> now, on the card you saved.</p>
${facts([
  ['Subscription', p.subscriptionId],
  ['Period starting', p.nextDueAt ? formatDateTime(p.nextDueAt) : 'now'],
  ['Amount', `${p.amount} (${p.amountExclVat} excl. VAT + ${p.vat} VAT)`],
  ['Card', `ending ${p.cardLast4}`],
])}
${errorBlock(error)}
<form method="post"><button type="submit" id="submit">Pay ${p.amount}</button></form>`,
  );
}

export function paymentDonePage(p: { name: string; paidUntil: string | null }): Buffer {
  return renderPage(
    'Payment received',
    html`<p class="done" id="result" role="status">Thank you: the next period of ${p.name} is paid${p.paidUntil ? html`, until ${formatDateTime(p.paidUntil)}` : ''}.</p><p>The invoice is on its way by e-mail.</p>`,
  );
}

// --- SUB-10: deletion confirmation -----------------------------------------------------------------------

export function deletionPage(d: { name: string; subscriptionId: string; codeExpiresAt: string }, error?: string): Buffer {
  return renderPage(
    'Confirm the deletion',
    html`<p>You asked to delete <strong>${d.name}</strong> (subscription ${d.subscriptionId}) immediately and for good. The service is deleted at once; no refund applies (except a withdrawal within the legal period).</p>
<p>Type the confirmation code from the e-mail. It works until ${formatDateTime(d.codeExpiresAt)}; after 5 wrong codes it stops working and you can ask for a new one.</p>
${errorBlock(error)}
<form method="post" autocomplete="off">
<label for="code">Confirmation code</label><input id="code" name="code" required minlength="8" maxlength="20" autocapitalize="characters" spellcheck="false">
<div><button type="submit" id="submit">Delete for good</button></div>
</form>`,
  );
}

export function deletionDonePage(d: { name: string; at: string | null }): Buffer {
  return renderPage('Subscription deleted', html`<p class="done" id="result" role="status">${d.name} was deleted${d.at ? html` on ${formatDateTime(d.at)}` : ''}. A confirmation is on its way by e-mail.</p>`);
}

// --- SUB-11: withdrawal ----------------------------------------------------------------------------------

export interface WithdrawalFacts {
  orderId: string;
  orderNumber: string;
  paidAt: string;
  customerType: string;
  deadline: string;
  total: string;
  lines: { name: string; status: string }[];
}

export function withdrawalPage(w: WithdrawalFacts, error?: string): Buffer {
  return renderPage(
    'Withdraw from your order',
    html`<p>As ${withArticle(w.customerType)} customer, you may withdraw from order <strong>${w.orderNumber}</strong> until ${formatDateTime(w.deadline)}. Everything paid on it is refunded in full to your card, and its services end.</p>
${facts([
  ['Order', `${w.orderNumber} (${w.orderId})`],
  ['Paid on', formatDateTime(w.paidAt)],
  ['Total paid', w.total],
])}
<ul>${w.lines.map((l) => html`<li>${l.name} (${l.status.replace(/_/g, ' ')})</li>`)}</ul>
${errorBlock(error)}
<form method="post"><button type="submit" id="submit">Withdraw and get a full refund</button></form>`,
  );
}

export function withdrawalDonePage(w: { orderNumber: string; withdrawnAt: string; lines: { lineId: string; name: string; message: string }[] }): Buffer {
  return renderPage(
    'Withdrawal registered',
    html`<p class="done" id="result" role="status">Your withdrawal from order ${w.orderNumber} is registered (${formatDateTime(w.withdrawnAt)}): the payments are refunded in full.</p>
<ul>${w.lines.map((l) => html`<li>${l.name}: ${l.message}</li>`)}</ul>`,
  );
}

// --- DIA-4: a support invoice ---------------------------------------------------------------------------

export interface SupportInvoiceFacts {
  ticketId: string;
  subject: string;
  offerName: string;
  invoiceNumber: string;
  /** Incl. VAT, and its parts. */
  amount: string;
  amountExclVat: string;
  vat: string;
  dueAt: string;
}

export function supportPaymentPage(s: SupportInvoiceFacts, error?: string): Buffer {
  return renderPage(
    'Pay your support invoice',
    html`<p>Pay invoice <strong>${s.invoiceNumber}</strong> of your support ticket on <strong>${s.offerName}</strong> by card.</p>
${facts([
  ['Ticket', `${s.ticketId} (“${s.subject}”)`],
  ['Invoice', s.invoiceNumber],
  ['Amount', `${s.amount} incl. VAT (${s.amountExclVat} excl. VAT + ${s.vat} VAT)`],
  ['Due', formatDateTime(s.dueAt)],
])}
<p>Unpaid on its due date, the invoice counts as contested: it is cancelled, and you have no support any more.</p>
${errorBlock(error)}
<form method="post" autocomplete="off">
${cardFields}
<div><button type="submit" id="submit">Pay ${s.amount}</button></div>
</form>`,
  );
}

export function supportPaidPage(p: { ticketId: string; invoiceNumber: string; amount: string; paidAt: string }): Buffer {
  return renderPage(
    'Payment received',
    html`<p class="done" id="result" role="status">Thank you: invoice ${p.invoiceNumber} (${p.amount}) is paid, on ${formatDateTime(p.paidAt)}. Ticket ${p.ticketId} is closed.</p><p>A confirmation is on its way by e-mail.</p>`,
  );
}

// --- any command still being carried out ----------------------------------------------------------------

export function pendingPage(what: string): Buffer {
  return renderPage(
    'Request received',
    html`<p class="done" id="result" role="status">Your request (${what}) was accepted and is being carried out. You will receive an e-mail when it is done; there is no need to send it again.</p>`,
  );
}
