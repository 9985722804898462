// POL-4: a seller refunds a payment of its own subscription (activities/seller-refunds.ts), and
// lists the refunds of that subscription; finance reads them too. Another seller's subscription is
// none (404, X-6). The refund route takes an Idempotency-Key: a retry after a lost answer or a
// crash finishes the first attempt's refund instead of making a second.
import type { Refund } from '@prisma/client';
import { createSellerRefunds, SellerRefundRefusal, type SellerRefund } from '../../activities/seller-refunds';
import { loadConfig } from '../../infra/config';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { startEmailDelivery } from '../email-delivery';
import type { IdempotencySpec } from '../idempotency';
import { afterCursor, listQuery, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

const params = z.object({ subscriptionId: z.string().regex(/^lin_[A-Za-z0-9_-]{1,80}$/, 'must be a lin_… id') });
const PAYMENT_ID = /^(order:ord_[A-Za-z0-9_-]{1,80}:checkout|sub:lin_[A-Za-z0-9_-]{1,80}:(period|quantity):[1-9][0-9]{0,5})$/;

const refundBody = z.strictObject({
  paymentId: z.string().regex(PAYMENT_ID, 'must be a payment id: order:<orderId>:checkout, sub:<subscriptionId>:period:<n> or sub:<subscriptionId>:quantity:<n>'),
  amountCents: z
    .number({ error: 'must be the amount to refund in cents, incl. VAT' })
    .int('must be a whole number of cents')
    .min(1, 'must be at least 1 cent')
    .max(2_147_483_647, 'must be at most 2147483647 cents'),
  reason: z.string().trim().min(1, 'must not be empty').max(500),
});
type RefundBody = z.infer<typeof refundBody>;

const creditNote = z.strictObject({ invoiceId: z.string(), number: z.string() });
const refundAnswer = z
  .strictObject({
    refundId: z.string(),
    subscriptionId: z.string(),
    paymentId: z.string(),
    amountCents: z.number().int(),
    currency: z.string(),
    reason: z.string(),
    createdAt: z.string(),
    creditNote,
    refundedSoFarCents: z.number().int().openapi({ description: "Refunded on this payment's share of the subscription, for every reason, this refund included" }),
    refundableLeftCents: z.number().int().openapi({ description: 'What a seller refund of this payment may still take' }),
  })
  .openapi('SellerRefund');
const refundItem = z
  .strictObject({
    refundId: z.string(),
    paymentId: z.string(),
    amountCents: z.number().int(),
    currency: z.string(),
    reason: z.string().openapi({ description: "The seller's reason, or the event that refunded the line (refused, cancelled, withdrawal)" }),
    createdAt: z.string(),
    creditNote: creditNote.nullable(),
  })
  .openapi('SubscriptionRefund');
const refundPage = pageOf(refundItem).openapi('SubscriptionRefundPage');

const LIST = 'subscription-refunds';
const TITLES: Record<string, string> = {
  'service-not-refundable': 'Services are never refunded',
  'payment-not-of-subscription': 'Not a payment of this subscription',
  'refund-window-over': 'Refund window over',
  'over-refund': 'More than remains refundable',
};

/** The API's answer to a refusal of the refund logic. */
function problemOf(err: unknown): unknown {
  if (!(err instanceof SellerRefundRefusal)) return err;
  if (err.kind === 'not_found') return Problem.notFound(err.message);
  // No money moved; the gateway, not the caller, refused.
  if (err.kind === 'gateway') return new Problem(502, err.slug, 'Refund refused by the payment gateway', err.message);
  return Problem.unprocessable(err.slug, TITLES[err.slug] ?? 'Refund refused', err.message, { ...err.details, errors: [{ field: err.field!, message: err.message }] });
}

const sellerOf = (p: Principal) => (p.kind === 'seller' ? p.sellerId : '');

export function registerSellerRefundRoutes(routes: RouteTable, deps: ApiDeps): void {
  const refunds = createSellerRefunds({ db: deps.db, gateway: deps.gateway, publicUrl: deps.publicUrl ?? loadConfig().publicUrl });

  /** The e-mail is in the outbox with the refund; its delivery starts here (a repeat keeps the running one). */
  async function answer(refund: SellerRefund) {
    await startEmailDelivery(deps, refund.emailId, `seller refund, subscription ${refund.subscriptionId}`);
    const { emailId: _emailId, ...body } = refund;
    return { status: 201, body };
  }

  /** Runs the refund logic, its refusals answered as problems. */
  async function answered(run: () => Promise<SellerRefund>) {
    try {
      return await answer(await run());
    } catch (err) {
      throw problemOf(err);
    }
  }

  const idempotency: IdempotencySpec<RefundBody> = {
    scope: 'seller-refund',
    caller: (_body, actor) => actor,
    fingerprint: (body) => body,
    resume: (refundId) => answered(() => refunds.settle(refundId)),
  };

  routes.add({
    method: 'post',
    path: '/seller/subscriptions/:subscriptionId/refunds',
    tag: 'seller refunds',
    summary: 'Refund a payment of one of your subscriptions, in full or in part, within 30 days of it (POL-4); never a service. Credit note, ledger and e-mail to the customer; Idempotency-Key makes a retry safe',
    allow: allow.seller,
    params,
    body: refundBody,
    idempotency,
    responses: {
      201: { description: 'The refund, its credit note, and what remains refundable', schema: refundAnswer },
      404: { description: 'No such subscription of the caller' },
      422: { description: 'Refused by POL-4, naming the field: a service, a payment of another subscription, after the 30 days, more than remains refundable' },
    },
    handler: ({ principal, params: p, body, idempotency: request }) =>
      answered(() =>
        refunds.grant({
          subscriptionId: p.subscriptionId,
          sellerId: sellerOf(principal),
          ...body,
          actor: actorOf(principal),
          at: new Date().toISOString(),
          claim: (tx, refundId) => request!.claim(tx, refundId),
        }),
      ),
  });

  routes.add({
    method: 'get',
    path: '/seller/subscriptions/:subscriptionId/refunds',
    tag: 'seller refunds',
    summary: "The refunds of one of your subscriptions, every reason, newest first (created at, then id), with their credit notes (POL-4, X-6); finance reads any subscription's",
    // Reading stays open to a suspended or closed seller: it still answers for its refunds.
    allow: allow.anyOf((p) => p.kind === 'seller', allow.staff('finance')),
    params,
    query: listQuery(LIST, {}),
    responses: { 200: { description: 'A page of refunds', schema: refundPage }, 404: { description: 'No such subscription (of the caller, for a seller)' } },
    handler: async ({ principal, params: p, query }) => {
      const subscription = await deps.db.subscription.findUnique({ where: { id: p.subscriptionId }, select: { sellerId: true } });
      if (!subscription || (principal.kind === 'seller' && subscription.sellerId !== principal.sellerId)) throw Problem.notFound(`no subscription ${p.subscriptionId}`);
      const rows = await deps.db.refund.findMany({
        where: { AND: [{ lineId: p.subscriptionId }, afterCursor(query.cursor, 'createdAt')] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const notes = await deps.db.invoice.findMany({ where: { kind: 'credit_note', refundId: { in: rows.map((r) => r.id) } }, select: { id: true, number: true, refundId: true } });
      const noteOf = new Map(notes.map((n) => [n.refundId, { invoiceId: n.id, number: n.number }]));
      const view = (r: Refund) => ({ refundId: r.id, paymentId: r.paymentId, amountCents: r.amountCents, currency: r.currency, reason: r.reason, createdAt: r.createdAt.toISOString(), creditNote: noteOf.get(r.id) ?? null });
      return { status: 200, body: toPage(LIST, rows, query.limit, (r) => ({ at: r.createdAt, id: r.id }), view) };
    },
  });
}
