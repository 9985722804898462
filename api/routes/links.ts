// The links e-mails carry (api/signed-links.ts), opened in a browser without an API key: a GET
// shows a page (or, for a document, the PDF) and never changes anything, because mail scanners
// open links; the page's form POSTs (application/x-www-form-urlencoded, or the same fields as
// JSON) and carries out the command the authenticated route does (api/subscription-commands.ts). The link
// is the proof: whoever holds it may, as with a sign-in link. A refused link (altered, cut short,
// for another page, expired) or command answers a readable page to a browser that asks for
// text/html, and application/problem+json to everyone else (X-5).
import type { NextFunction, Request, Response } from 'express';
import { deletionCodeId, DELETION_CODE_LENGTH } from '../../activities/subscriptions';
import { formatMoney, lineAmounts } from '../../domain/money';
import { withdrawalDeadline } from '../../domain/subscription';
import { businessTimeZone, formatDateTime } from '../../domain/time-format';
import type { EffectiveAnswer } from '../../workflows/subscription';
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { documentDownload } from '../document-download';
import { confirmDeletion, payNextPeriod, replaceCard, withdrawOrder } from '../subscription-commands';
import { payTicket } from '../ticket-payment';
import * as pages from '../link-pages';
import { Problem } from '../problem';
import type { RouteResult, RouteTable } from '../route';
import { checkLink, LINK_TOKEN_PATTERN, parseDeletionLinkSubject, type LinkPurpose } from '../signed-links';
import type { UpdateOutcome } from '../temporal-errors';
import { z } from '../zod';

const tokenParams = z.object({ token: z.string().max(600).regex(LINK_TOKEN_PATTERN, 'the token of an e-mailed link, copied whole') });
const empty = z.object({}).strict();
// Form fields arrive as text: the card's numbers are checked as digits here, converted below.
const cardForm = z
  .object({
    number: z.string().regex(/^[\d -]{12,23}$/, 'digits only'),
    expMonth: z.string().regex(/^(0?[1-9]|1[0-2])$/, 'a month, 1 to 12'),
    expYear: z.string().regex(/^(20\d\d|2100)$/, 'a year, 2000 to 2100'),
    cvc: z.string().regex(/^\d{3,4}$/, '3 or 4 digits'),
  })
  .strict();
const codeForm = z.object({ code: z.string().trim().length(DELETION_CODE_LENGTH, `the ${DELETION_CODE_LENGTH}-character code of the e-mail`) }).strict();

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

// Every refusal is a problem, or a readable page (text/html) to a browser that asks for one.
const refusals = {
  400: { description: 'The link is malformed (params.token), or a form field is wrong; a page to a browser' },
  404: { description: 'The link is not valid: altered, cut short or made for another page; a page to a browser' },
  410: { description: 'The link has expired; a page to a browser' },
};

/** Does the caller (a browser) ask for a page rather than a problem document? It must name text/html and prefer it. */
export function wantsHtml(req: Request): boolean {
  const accept = req.header('accept');
  return accept !== undefined && /\btext\/html\b/i.test(accept) && req.accepts(['application/problem+json', 'application/json', 'text/html']) === 'text/html';
}

export function page(status: number, body: Buffer): RouteResult {
  return { status, body, contentType: pages.HTML_TYPE, headers: pages.PAGE_HEADERS };
}

const WHAT_NEXT: Record<LinkPurpose, string> = {
  document: 'Sign in to the marketplace to download the document from your account.',
  'card-update': 'Sign in to the marketplace to replace the card of your subscription.',
  'manual-payment': 'Sign in to the marketplace to pay the next period of your subscription.',
  'deletion-confirmation': 'Ask for the deletion again: a new code and link are e-mailed.',
  withdrawal: 'The withdrawal period is over; the seller\u2019s refund policy may still apply.',
  'support-payment': 'Sign in to the marketplace to see the support invoice: unpaid on its due date, it counts as contested (DIA-6).',
  'tender-withdrawal': 'The call for tenders has closed by itself: there is nothing left to withdraw.',
};

/** The link's subject, or the refusal: 404 for an invalid link (which is never told apart), 410 for an expired one. */
export function subjectOf(purpose: LinkPurpose, token: string): string {
  const check = checkLink(purpose, token);
  if (check.status === 'valid') return check.subject;
  if (check.status === 'expired') {
    return fail(410, 'link-expired', 'Link expired', `this link expired on ${formatDateTime(check.expiresAt)}`, WHAT_NEXT[purpose]);
  }
  return fail(404, 'link-invalid', 'Link not valid', 'this link is not valid: it was changed, cut short, or is not for this page', 'Open the link from the e-mail again, copied whole.');
}

function fail(status: number, slug: string, title: string, detail: string, hint: string): never {
  throw new Problem(status, slug, title, detail, { hint, errors: [{ field: 'params.token', message: detail }] });
}

/**
 * A browser gets a readable page for every refusal of a link route, including those raised before
 * the handler (a malformed token, a wrong form field); other callers get the problem document.
 * A 401 (a bad API key sent along) goes on to the API's handler, which counts it (rate limits).
 */
export function linkErrorPages(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!(err instanceof Problem) || err.status === 401 || err.status >= 500 || !wantsHtml(req)) return next(err);
  const hint = typeof err.extra.hint === 'string' ? err.extra.hint : err.status === 400 ? 'Go back, correct the form and send it again; or open the link from the e-mail again, copied whole.' : undefined;
  res.status(err.status).set(pages.PAGE_HEADERS).type(pages.HTML_TYPE).send(pages.refusalPage(err.title, err.detail ?? err.title, hint));
}

export function registerLinkRoutes(routes: RouteTable, deps: ApiDeps): void {
  /** The subscription a link names, with what its pages show. */
  async function subscriptionOf(id: string, opts: { ended: 'refuse' | 'allow' } = { ended: 'refuse' }) {
    const [sub, line] = await Promise.all([deps.db.subscription.findUnique({ where: { id } }), deps.db.orderLine.findUnique({ where: { id } })]);
    if (!sub || !line) throw Problem.notFound(`no subscription ${id}`);
    const facts: pages.SubscriptionFacts = { name: line.name, subscriptionId: sub.id, status: sub.status, cardLast4: sub.cardLast4, nextDueAt: sub.nextDueAt?.toISOString() ?? null };
    if (opts.ended === 'refuse' && sub.status === 'terminated') {
      throw Problem.conflict(`${line.name} has ended (${(sub.endReason ?? 'ended').replace(/_/g, ' ')})${sub.endedAt ? ` on ${formatDateTime(sub.endedAt)}` : ''}: there is nothing left to do with this link`, {
        reason: 'SubscriptionEnded',
      });
    }
    return { sub, line, facts };
  }

  /** A command's outcome as a page: its result, or (still being carried out) a page saying so. */
  function outcomePage(outcome: UpdateOutcome<EffectiveAnswer>, what: string, done: (a: EffectiveAnswer) => Buffer): RouteResult {
    return outcome.done ? page(200, done(outcome.result)) : page(202, pages.pendingPage(what));
  }

  /**
   * Runs a POST's command; a refusal the person can correct (a wrong code, a declined or invalid
   * card) shows the form again with the reason, to a browser.
   */
  async function orForm(req: Request, run: () => Promise<RouteResult>, form: (error: string) => Buffer | Promise<Buffer>): Promise<RouteResult> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof Problem && err.status === 422 && wantsHtml(req)) return page(422, await form(err.detail ?? err.title));
      throw err;
    }
  }

  // --- INV-1: a document -------------------------------------------------------------------------

  routes.add({
    method: 'get',
    path: '/links/document/:token',
    tag: 'links',
    summary: 'An invoice or credit note as a PDF, from the link of its e-mail (INV-1); the link works 30 days, then the document is downloaded signed in',
    allow: allow.anyone,
    params: tokenParams,
    responses: { 200: { description: 'The document (a download)', contentType: 'application/pdf' }, ...refusals },
    handler: async ({ params }) => {
      const invoiceId = subjectOf('document', params.token);
      const inv = await deps.db.invoice.findUnique({ where: { id: invoiceId } });
      if (!inv) throw Problem.notFound(`no document ${invoiceId}`);
      return documentDownload(deps.db, inv, 'pdf', pages.PAGE_HEADERS);
    },
  });

  // --- SUB-5: card update ------------------------------------------------------------------------

  routes.add({
    method: 'get',
    path: '/links/card-update/:token',
    tag: 'links',
    summary: 'The page of a card-update link (SUB-5): a form for the new card; opening it changes nothing',
    allow: allow.anyone,
    params: tokenParams,
    responses: { 200: { description: 'The form (HTML)', contentType: 'text/html' }, 409: { description: 'The subscription has ended' }, ...refusals },
    handler: async ({ params }) => {
      const { facts } = await subscriptionOf(subjectOf('card-update', params.token));
      return page(200, pages.cardUpdatePage(facts));
    },
  });

  routes.add({
    method: 'post',
    path: '/links/card-update/:token',
    tag: 'links',
    summary: 'Replace the card from a card-update link (SUB-4, SUB-5): saved as the API saves it, a past-due payment retried at once',
    allow: allow.anyone,
    params: tokenParams,
    body: cardForm,
    bodyContentTypes: FORM_TYPES,
    responses: {
      200: { description: 'The card is replaced (HTML result page)', contentType: 'text/html' },
      202: { description: 'Accepted, still being carried out (HTML page)', contentType: 'text/html' },
      409: { description: 'The subscription has ended' },
      422: { description: 'The card is refused by the gateway (body.number)' },
      ...refusals,
    },
    handler: async ({ params, body, req }) => {
      const id = subjectOf('card-update', params.token);
      const { facts } = await subscriptionOf(id);
      const card = { number: body.number, expMonth: Number(body.expMonth), expYear: Number(body.expYear), cvc: body.cvc };
      return orForm(
        req,
        async () =>
          outcomePage(await replaceCard(deps, id, card), 'card update', (a) =>
            pages.cardUpdatedPage({ name: facts.name, last4: a.state.card.last4, status: a.state.status, nextDueAt: a.state.nextDueAt, message: a.message }),
          ),
        (error) => pages.cardUpdatePage(facts, error),
      );
    },
  });

  // --- SUB-6: manual payment ---------------------------------------------------------------------

  async function paymentFacts(id: string): Promise<pages.PaymentFacts> {
    const { sub, facts } = await subscriptionOf(id);
    // The price in force when the period is charged (SUB-3): the offer's current one.
    const offer = await deps.db.offer.findUniqueOrThrow({ where: { id: sub.offerId } });
    const a = lineAmounts(offer.priceCents, offer.vatRateBp);
    return { ...facts, amount: formatMoney(a.totalCents, offer.currency), amountExclVat: formatMoney(a.exclVatCents, offer.currency), vat: formatMoney(a.vatCents, offer.currency) };
  }

  routes.add({
    method: 'get',
    path: '/links/manual-payment/:token',
    tag: 'links',
    summary: 'The page of a payment link (SUB-6): the amount and card, and a button to pay; opening it changes nothing',
    allow: allow.anyone,
    params: tokenParams,
    responses: { 200: { description: 'The payment page (HTML)', contentType: 'text/html' }, 409: { description: 'The subscription has ended' }, ...refusals },
    handler: async ({ params }) => page(200, pages.paymentPage(await paymentFacts(subjectOf('manual-payment', params.token)))),
  });

  routes.add({
    method: 'post',
    path: '/links/manual-payment/:token',
    tag: 'links',
    summary: 'Pay the next period (SUB-6), or the overdue one (SUB-5), from a payment link, on the saved card',
    allow: allow.anyone,
    params: tokenParams,
    body: empty,
    bodyContentTypes: FORM_TYPES,
    responses: {
      200: { description: 'Paid (HTML result page)', contentType: 'text/html' },
      202: { description: 'Accepted, still being carried out (HTML page)', contentType: 'text/html' },
      409: { description: 'Already paid, or the subscription has ended' },
      422: { description: 'The card was declined (reason PaymentDeclined)' },
      ...refusals,
    },
    handler: async ({ params, req }) => {
      const id = subjectOf('manual-payment', params.token);
      const facts = await paymentFacts(id);
      return orForm(
        req,
        async () => outcomePage(await payNextPeriod(deps, id), 'payment', (a) => pages.paymentDonePage({ name: facts.name, paidUntil: a.state.nextDueAt })),
        (error) => pages.paymentPage(facts, error),
      );
    },
  });

  // --- DIA-4: a support invoice -----------------------------------------------------------------

  /**
   * The ticket a support-payment link names and its invoice, while it awaits payment. Read from
   * the rows the workflow keeps (DIA-8), so the page shows even while no worker runs; a payment
   * racing another is still refused by the workflow (AlreadyPaid, 409).
   */
  async function supportInvoiceOf(token: string) {
    const ticketId = subjectOf('support-payment', token);
    const t = await deps.db.ticket.findUnique({ where: { id: ticketId } });
    if (!t) throw Problem.notFound(`no ticket ${ticketId}`);
    const [inv, offer] = await Promise.all([
      t.invoiceId ? deps.db.invoice.findUnique({ where: { id: t.invoiceId } }) : null,
      deps.db.offer.findUnique({ where: { id: t.offerId }, select: { name: true } }),
    ]);
    if (!inv || t.status !== 'awaiting_payment') throw nothingToPay(t, inv?.number);
    const facts: pages.SupportInvoiceFacts = {
      ticketId: t.id,
      subject: t.subject,
      offerName: offer?.name ?? t.offerId,
      invoiceNumber: inv.number,
      amount: formatMoney(inv.totalCents, inv.currency),
      amountExclVat: formatMoney(inv.exclVatCents, inv.currency),
      vat: formatMoney(inv.vatCents, inv.currency),
      dueAt: (inv.dueAt ?? inv.issuedAt).toISOString(),
    };
    return { ticket: t, facts };
  }

  /** Paid, contested (DIA-5, DIA-6) or closed: the link has nothing left to do, said with the reason. */
  function nothingToPay(t: { id: string; status: string; closedAt: Date | null; closeReason: string | null }, invoiceNumber: string | undefined): Problem {
    const invoice = invoiceNumber ? `invoice ${invoiceNumber}` : `the invoice of ticket ${t.id}`;
    const when = t.closedAt ? ` on ${formatDateTime(t.closedAt)}` : '';
    const detail =
      t.status === 'paid'
        ? `${invoice} was already paid${when}: there is nothing to pay`
        : t.status === 'contested'
          ? `${invoice} was cancelled by a credit note${when} (${t.closeReason ?? 'contested'}): there is nothing to pay`
          : invoiceNumber
            ? `ticket ${t.id} is closed (${t.closeReason ?? t.status.replace(/_/g, ' ')}): there is nothing to pay`
            : `ticket ${t.id} has no invoice to pay`;
    return new Problem(409, 'nothing-to-pay', 'Nothing to pay', detail, { reason: 'NothingToPay', hint: 'Sign in to the marketplace to see the ticket and its documents.' });
  }

  routes.add({
    method: 'get',
    path: '/links/support-payment/:token',
    tag: 'links',
    summary: "The page of a support invoice's payment link (DIA-4): the ticket, the invoice, its amount and due date, and a card form; opening it changes nothing",
    allow: allow.anyone,
    params: tokenParams,
    responses: { 200: { description: 'The payment form (HTML)', contentType: 'text/html' }, 409: { description: 'Nothing to pay: the invoice is paid, contested, or the ticket closed (reason NothingToPay)' }, ...refusals },
    handler: async ({ params }) => page(200, pages.supportPaymentPage((await supportInvoiceOf(params.token)).facts)),
  });

  routes.add({
    method: 'post',
    path: '/links/support-payment/:token',
    tag: 'links',
    summary: "Pay a support ticket's invoice by card from its payment link (DIA-4), as the ticket's customer",
    allow: allow.anyone,
    params: tokenParams,
    body: cardForm,
    bodyContentTypes: FORM_TYPES,
    responses: {
      200: { description: 'Paid (HTML result page)', contentType: 'text/html' },
      202: { description: 'Accepted, still being carried out (HTML page)', contentType: 'text/html' },
      409: { description: 'Nothing to pay: the invoice is paid, contested, or the ticket closed (reason NothingToPay, AlreadyPaid, TicketClosed)' },
      422: { description: 'The card was declined (reason PaymentDeclined) or is invalid (body.number); a browser gets the form again with the reason' },
      ...refusals,
    },
    handler: async ({ params, body, req }) => {
      const { ticket, facts } = await supportInvoiceOf(params.token);
      const card = { number: body.number, expMonth: Number(body.expMonth), expYear: Number(body.expYear), cvc: body.cvc };
      return orForm(
        req,
        async () => {
          const outcome = await payTicket(deps, ticket.id, ticket.customerId, card);
          if (!outcome.done) return page(202, pages.pendingPage('payment'));
          const { payment, invoice } = outcome.result;
          if (!payment || !invoice) throw new Error(`unreachable: ticket ${ticket.id} answered its payment without one`);
          return page(200, pages.supportPaidPage({ ticketId: ticket.id, invoiceNumber: invoice.number, amount: formatMoney(payment.amountCents, invoice.currency), paidAt: payment.paidAt }));
        },
        (error) => pages.supportPaymentPage(facts, error),
      );
    },
  });

  // --- SUB-10: deletion confirmation -------------------------------------------------------------

  /** The request the link was e-mailed for, while it is the latest and still open. */
  async function deletionRequestOf(token: string) {
    const named = parseDeletionLinkSubject(subjectOf('deletion-confirmation', token));
    if (!named) throw Problem.notFound('this link names no deletion request');
    const { facts } = await subscriptionOf(named.subscriptionId);
    const latest = await deps.db.deletionCode.findFirst({ where: { subscriptionId: named.subscriptionId }, orderBy: { createdAt: 'desc' } });
    if (!latest) throw Problem.conflict('no deletion was requested', { reason: 'NoDeletionRequested' });
    // Refused before the code is compared: a superseded request's code would count a wrong try against the new one.
    if (latest.id !== deletionCodeId(named.subscriptionId, named.request)) {
      throw Problem.conflict('a newer confirmation code was e-mailed: use the link of the latest e-mail', { reason: 'CodeExpired' });
    }
    if (latest.status === 'exhausted') {
      throw Problem.conflict('5 wrong codes were typed: this code no longer works; ask for the deletion again to get a new one', { reason: 'TooManyAttempts' });
    }
    return { subscriptionId: named.subscriptionId, facts, codeExpiresAt: latest.expiresAt.toISOString() };
  }

  routes.add({
    method: 'get',
    path: '/links/deletion-confirmation/:token',
    tag: 'links',
    summary: 'The page of a deletion link (SUB-10): it asks for the code of the e-mail (never in the link); opening it changes nothing',
    allow: allow.anyone,
    params: tokenParams,
    responses: {
      200: { description: 'The form (HTML)', contentType: 'text/html' },
      409: { description: 'The subscription has ended, a newer code was sent, or this code took 5 wrong tries' },
      ...refusals,
    },
    handler: async ({ params }) => {
      const d = await deletionRequestOf(params.token);
      return page(200, pages.deletionPage({ name: d.facts.name, subscriptionId: d.subscriptionId, codeExpiresAt: d.codeExpiresAt }));
    },
  });

  routes.add({
    method: 'post',
    path: '/links/deletion-confirmation/:token',
    tag: 'links',
    summary: 'Confirm immediate deletion with the e-mailed code (SUB-10), from the deletion link; 5 wrong codes and it must be requested again',
    allow: allow.anyone,
    params: tokenParams,
    body: codeForm,
    bodyContentTypes: FORM_TYPES,
    responses: {
      200: { description: 'Deleted (HTML result page)', contentType: 'text/html' },
      202: { description: 'Accepted, still being carried out (HTML page)', contentType: 'text/html' },
      409: { description: 'The subscription has ended, a newer code was sent, or this code took 5 wrong tries' },
      422: { description: 'Wrong or expired code (reason WrongCode, TooManyAttempts, CodeExpired)' },
      ...refusals,
    },
    handler: async ({ params, body, req }) => {
      const d = await deletionRequestOf(params.token);
      return orForm(
        req,
        async () => outcomePage(await confirmDeletion(deps, d.subscriptionId, body.code), 'deletion', (a) => pages.deletionDonePage({ name: d.facts.name, at: a.effectiveAt ?? a.state.endedAt })),
        (error) => pages.deletionPage({ name: d.facts.name, subscriptionId: d.subscriptionId, codeExpiresAt: d.codeExpiresAt }, error),
      );
    },
  });

  // --- SUB-11: withdrawal ------------------------------------------------------------------------

  async function orderOf(token: string) {
    const orderId = subjectOf('withdrawal', token);
    const order = await deps.db.order.findUnique({ where: { id: orderId }, include: { customer: true, lines: { orderBy: { position: 'asc' } } } });
    if (!order) throw Problem.notFound(`no order ${orderId}`);
    if (!order.paidAt) throw Problem.conflict('this order was never paid: there is nothing to withdraw from');
    const customerType = order.customerType ?? order.customer?.type ?? 'individual';
    const facts: pages.WithdrawalFacts = {
      orderId: order.id,
      orderNumber: order.number,
      paidAt: order.paidAt.toISOString(),
      customerType,
      deadline: withdrawalDeadline(order.paidAt.toISOString(), customerType, businessTimeZone()),
      total: formatMoney(order.totalCents, order.currency),
      lines: order.lines.map((l) => ({ name: l.name, status: l.status })),
    };
    return { order, facts };
  }

  routes.add({
    method: 'get',
    path: '/links/withdrawal/:token',
    tag: 'links',
    summary: 'The page of a withdrawal link (SUB-11): the order, the deadline, and a button to withdraw; opening it changes nothing',
    allow: allow.anyone,
    params: tokenParams,
    responses: { 200: { description: 'The withdrawal page (HTML)', contentType: 'text/html' }, 409: { description: 'The order was never paid' }, ...refusals },
    handler: async ({ params }) => page(200, pages.withdrawalPage((await orderOf(params.token)).facts)),
  });

  routes.add({
    method: 'post',
    path: '/links/withdrawal/:token',
    tag: 'links',
    summary: 'Withdraw from the order from its withdrawal link (SUB-11): full refund, services end; a repeat shows the same result',
    allow: allow.anyone,
    params: tokenParams,
    body: empty,
    bodyContentTypes: FORM_TYPES,
    responses: {
      200: { description: 'Withdrawn (HTML result page with each line\u2019s outcome)', contentType: 'text/html' },
      409: { description: 'The order was never paid' },
      422: { description: 'Refused after the window, with the reason' },
      ...refusals,
    },
    handler: async ({ params, req }) => {
      const { order, facts } = await orderOf(params.token);
      return orForm(
        req,
        async () => {
          const result = await withdrawOrder(deps, order);
          if (result.status !== 'withdrawn') throw new Error('unreachable: a refused withdrawal is thrown as a problem');
          const names = new Map(order.lines.map((l) => [l.id, l.name]));
          return page(200, pages.withdrawalDonePage({ orderNumber: order.number, withdrawnAt: result.withdrawnAt, lines: result.lines.map((l) => ({ ...l, name: names.get(l.lineId) ?? l.lineId })) }));
        },
        (error) => pages.withdrawalPage(facts, error),
      );
    },
  });
}
