// PRT-4, PRT-5: a partner acting for its customers, with its own customer key (an approved partner,
// PRT-1). Each call reads the partnership in force at that moment (X-6, api/partner-access.ts):
// limited access reads and commands the subscriptions of its products and names their support
// contacts; complete access does that for every product, pays renewals and orders (checkout,
// api/checkout.ts, paid by the payer's saved card; a partner paying gets its reseller price,
// PRT-6). Every command is audited with both parties. Reads are not audited (no state change).
import { randomUUID } from 'node:crypto';
import type { Partner, Partnership, Subscription } from '@prisma/client';
import { WorkflowUpdateStage } from '@temporalio/client';
import { percentOf } from '../../domain/money';
import { resellerDiscountApplies } from '../../domain/partner-pricing';
import { isSupportTier } from '../../domain/support';
import { supportConfig } from '../../infra/config';
import { setRenewalModeUpdate, subscriptionWorkflowId } from '../../workflows/subscription';
import { allow, type Principal } from '../auth';
import { checkout, checkoutIdempotency, type CheckoutInput } from '../checkout';
import type { ApiDeps } from '../deps';
import type { IdempotencySpec } from '../idempotency';
import { afterCursor, listQuery, pageOf, toPage } from '../pagination';
import { auditPartnerAction, partnershipInForce, productIdOf, requirePartnerMay, type PartnerAction, type PartnerOrder } from '../partner-access';
import { approvedPartnerOf } from '../partner-principal';
import { Problem } from '../problem';
import { checkoutAnswer, pendingCommand, subscriptionAnswer } from '../response-schemas';
import type { RouteTable } from '../route';
import { startPayNextPeriod } from '../subscription-commands';
import { pendingAnswer, runUpdate } from '../temporal-errors';
import { z } from '../zod';
import { customerSubscriptionItem } from './subscription-lists';

const customerParams = z.object({ customerId: z.string().regex(/^cus_[A-Za-z0-9_-]{1,80}$/, 'must be a cus_… id') });
const subscriptionParams = customerParams.extend({ subscriptionId: z.string().regex(/^lin_[A-Za-z0-9_-]{1,80}$/, 'must be a lin_… id') });

const partnerCustomer = z
  .strictObject({
    partnershipId: z.string(),
    customerId: z.string(),
    customerName: z.string(),
    access: z.enum(['limited', 'complete']),
    productIds: z.array(z.string()).describe('Limited access: the products the partner manages'),
    payer: z.enum(['customer', 'partner']).describe('PRT-5: who pays (complete access)'),
    since: z.string().nullable(),
  })
  .openapi('PartnerCustomer');
const partnerSubscriptionPage = pageOf(customerSubscriptionItem).openapi('PartnerSubscriptionPage');
const contactView = z.strictObject({ contactId: z.string(), subscriptionId: z.string(), name: z.string(), email: z.string(), createdAt: z.string() }).openapi('PartnerSupportContact');

const orderBody = z
  .strictObject({
    lines: z.array(z.strictObject({ offerId: z.string().min(1).max(100) })).min(1).max(20),
    acceptedTerms: z.array(z.strictObject({ sellerId: z.string().min(1).max(100), version: z.string().min(1).max(50) })).max(20),
    cardId: z.string().regex(/^card_[A-Za-z0-9-]{1,80}$/, 'must be a card_… id: a card saved on the paying account').describe("PRT-5: a saved card of the payer: the partner's own (payer partner) or the customer's"),
  })
  .openapi('PartnerOrderRequest');
type OrderBody = z.infer<typeof orderBody>;

/** The offers of a set of products, every version (a subscription is on the version it bought). */
async function offerIdsOf(deps: ApiDeps, productIds: string[]): Promise<string[]> {
  const offers = await deps.db.offer.findMany({ where: { OR: [{ productId: { in: productIds } }, { productId: null, id: { in: productIds } }] }, select: { id: true } });
  return offers.map((o) => o.id);
}

export function registerPartnerCustomerRoutes(routes: RouteTable, deps: ApiDeps): void {
  /** The approved partner calling and its partnership in force with the customer, read now. */
  async function inForce(principal: Principal, customerId: string): Promise<{ partner: Partner; partnership: Partnership }> {
    const partner = await approvedPartnerOf(deps.db, principal);
    return { partner, partnership: await partnershipInForce(deps.db, partner, customerId) };
  }

  /** The customer's subscription, if this action on its product is allowed (PRT-4); another customer's is none (404). */
  async function subscriptionFor(principal: Principal, customerId: string, subscriptionId: string, action: PartnerAction) {
    const { partner, partnership } = await inForce(principal, customerId);
    const sub = await deps.db.subscription.findUnique({ where: { id: subscriptionId } });
    if (!sub || sub.customerId !== customerId) throw Problem.notFound(`customer ${customerId} has no subscription ${subscriptionId}`);
    const offer = await deps.db.offer.findUniqueOrThrow({ where: { id: sub.offerId }, select: { id: true, productId: true } });
    requirePartnerMay(partnership, action, productIdOf(offer));
    return { partner, partnership, sub };
  }

  const audit = (ctx: { partner: Partner; partnership: Partnership; sub: Subscription }, action: string, data: Record<string, unknown>) =>
    auditPartnerAction(deps.db, { ...ctx, action, entityType: 'subscription', entityId: ctx.sub.id, orderId: ctx.sub.orderId, data });

  routes.add({
    method: 'get',
    path: '/partner/customers',
    tag: 'partners',
    summary: "The calling partner's customers: its active partnerships, with the access, products and payer in force (PRT-3, PRT-5), newest invitation first (invited at, then id)",
    allow: allow.customer,
    query: listQuery('partner-customers', {}),
    responses: { 200: { description: 'A page of partnerships in force', schema: pageOf(partnerCustomer).openapi('PartnerCustomerPage') }, 403: { description: 'Not an approved partner (PRT-1)' } },
    handler: async ({ principal, query }) => {
      const partner = await approvedPartnerOf(deps.db, principal);
      const rows = await deps.db.partnership.findMany({
        where: { AND: [{ partnerId: partner.id, status: 'active' }, afterCursor(query.cursor, 'invitedAt')] },
        orderBy: [{ invitedAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const customers = await deps.db.customer.findMany({ where: { id: { in: rows.map((r) => r.customerId) } }, select: { id: true, name: true } });
      const nameOf = new Map(customers.map((c) => [c.id, c.name]));
      const view = (p: Partnership) => ({
        partnershipId: p.id,
        customerId: p.customerId,
        customerName: nameOf.get(p.customerId) ?? p.customerId,
        access: p.access as 'limited' | 'complete',
        productIds: p.productIds,
        payer: p.payer as 'customer' | 'partner',
        since: p.respondedAt?.toISOString() ?? null,
      });
      return { status: 200, body: toPage('partner-customers', rows, query.limit, (p) => ({ at: p.invitedAt, id: p.id }), view) };
    },
  });

  routes.add({
    method: 'get',
    path: '/partner/customers/:customerId/subscriptions',
    tag: 'partners',
    summary: "A customer's subscriptions the calling partner manages (PRT-4: limited access, those of its products; complete, all), newest first (started at, then id)",
    allow: allow.customer,
    params: customerParams,
    query: listQuery('partner-subscriptions', {}),
    responses: { 200: { description: 'A page of subscriptions', schema: partnerSubscriptionPage }, 403: { description: 'Not an approved partner, or no partnership in force with this customer' } },
    handler: async ({ principal, params, query }) => {
      const { partnership } = await inForce(principal, params.customerId);
      const products = partnership.access === 'complete' ? {} : { offerId: { in: await offerIdsOf(deps, partnership.productIds) } };
      const rows = await deps.db.subscription.findMany({
        where: { AND: [{ customerId: params.customerId }, products, afterCursor(query.cursor, 'startedAt')] },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const lines = await deps.db.orderLine.findMany({ where: { id: { in: rows.map((s) => s.id) } }, select: { id: true, name: true } });
      const names = new Map(lines.map((l) => [l.id, l.name]));
      const view = (s: Subscription) => ({
        subscriptionId: s.id,
        orderId: s.orderId,
        customerId: s.customerId,
        sellerId: s.sellerId,
        offerId: s.offerId,
        name: names.get(s.id) ?? s.offerId,
        status: s.status,
        renewalMode: s.renewalMode,
        nextDueAt: s.nextDueAt?.toISOString() ?? null,
        paidPeriods: s.paidPeriods,
        startedAt: s.startedAt.toISOString(),
        endedAt: s.endedAt?.toISOString() ?? null,
        endReason: s.endReason,
        cardLast4: s.cardLast4,
      });
      return { status: 200, body: toPage('partner-subscriptions', rows, query.limit, (s) => ({ at: s.startedAt, id: s.id }), view) };
    },
  });

  const commandResponses = {
    200: { description: 'The answer with the effective date and the new state', schema: subscriptionAnswer },
    202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl (GET /updates/…)', schema: pendingCommand },
    403: { description: 'No partnership in force, or PRT-4 does not allow it (limited access: another product, or renewing)' },
    404: { description: 'No such subscription of this customer' },
    409: { description: 'Refused in this state' },
    422: { description: 'Refused, with the reason' },
  };

  routes.add({
    method: 'post',
    path: '/partner/customers/:customerId/subscriptions/:subscriptionId/renewal-mode',
    tag: 'partners',
    summary: "Switch a customer's subscription between automatic and manual renewal for it (SUB-6, PRT-4: a product the partner manages)",
    allow: allow.customer,
    params: subscriptionParams,
    body: z.strictObject({ mode: z.enum(['auto', 'manual']) }),
    responses: commandResponses,
    handler: async ({ principal, params, body }) => {
      const ctx = await subscriptionFor(principal, params.customerId, params.subscriptionId, 'command');
      // The customer's own command (api/routes/subscriptions.ts): the same Update, its validator deciding.
      const outcome = await runUpdate(deps.temporal, () =>
        deps.temporal.workflow.getHandle(subscriptionWorkflowId(ctx.sub.id)).startUpdate(setRenewalModeUpdate, { args: [{ mode: body.mode }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      );
      await audit(ctx, 'partner.subscription_renewal_mode', { mode: body.mode });
      return outcome.done ? { status: 200, body: outcome.result } : pendingAnswer(outcome);
    },
  });

  routes.add({
    method: 'post',
    path: '/partner/customers/:customerId/subscriptions/:subscriptionId/pay-next-period',
    tag: 'partners',
    summary: "Renew a customer's subscription now on its saved card (SUB-6) for it: complete access only (PRT-4)",
    allow: allow.customer,
    params: subscriptionParams,
    body: z.strictObject({}),
    responses: commandResponses,
    handler: async ({ principal, params }) => {
      const ctx = await subscriptionFor(principal, params.customerId, params.subscriptionId, 'renew');
      const outcome = await runUpdate(deps.temporal, () => startPayNextPeriod(deps, ctx.sub.id));
      await audit(ctx, 'partner.subscription_paid_next_period', {});
      return outcome.done ? { status: 200, body: outcome.result } : pendingAnswer(outcome);
    },
  });

  routes.add({
    method: 'post',
    path: '/partner/customers/:customerId/subscriptions/:subscriptionId/support-contacts',
    tag: 'partners',
    summary: "Name a support contact of a customer's service for it (PRT-4: the customer's users; POL-5: as many as the tier allows)",
    allow: allow.customer,
    params: subscriptionParams,
    body: z.strictObject({ name: z.string().trim().min(1).max(200), email: z.email().max(254) }),
    responses: {
      201: { description: 'The contact', schema: contactView },
      403: { description: 'No partnership in force, or PRT-4 does not allow it (limited access: another product)' },
      404: { description: 'No such subscription of this customer' },
      422: { description: "The tier's contacts are all named (POL-5)" },
    },
    handler: async ({ principal, params, body }) => {
      const ctx = await subscriptionFor(principal, params.customerId, params.subscriptionId, 'manage_users');
      const offer = await deps.db.offer.findUniqueOrThrow({ where: { id: ctx.sub.offerId }, select: { supportTier: true } });
      const policy = supportConfig().tiers[isSupportTier(offer.supportTier) ? offer.supportTier : 'basic'];
      const created = await deps.db.$transaction(async (tx) => {
        // As the customer's own route: one customer's contact changes one at a time, within the tier.
        await tx.$queryRaw`SELECT "id" FROM "Customer" WHERE "id" = ${ctx.sub.customerId} FOR UPDATE`;
        const named = await tx.supportContact.count({ where: { subscriptionId: ctx.sub.id, removedAt: null } });
        if (named >= policy.contacts) {
          throw Problem.unprocessable('support-contacts', 'Support contacts all named', `the ${policy.tier} tier allows ${policy.contacts} named contact(s): remove one first (POL-5)`, { reason: 'ContactsExhausted', rule: 'POL-5', limit: policy.contacts });
        }
        return tx.supportContact.create({ data: { id: `con_${randomUUID()}`, customerId: ctx.sub.customerId, subscriptionId: ctx.sub.id, name: body.name, email: body.email } });
      });
      await audit(ctx, 'partner.support_contact_named', { contactId: created.id });
      return { status: 201, body: { contactId: created.id, subscriptionId: created.subscriptionId, name: created.name, email: created.email, createdAt: created.createdAt.toISOString() } };
    },
  });

  // A checkout's idempotency (a resumed first attempt finishes the same order), keyed per partner.
  const { resume, secretFields, restore } = checkoutIdempotency(deps);
  const orderIdempotency: IdempotencySpec<OrderBody> = { scope: 'partner-order', caller: (_body, actor) => actor, fingerprint: (body) => body, resume, secretFields, restore };

  routes.add({
    method: 'post',
    path: '/partner/customers/:customerId/orders',
    tag: 'partners',
    summary:
      "Order for a customer (PRT-4: complete access only): a checkout on the customer's account, paid with the payer's saved card (PRT-5); a partner paying gets its reseller price (PRT-6) and the invoices in its organisation. Idempotency-Key makes a retry safe",
    allow: allow.customer,
    params: customerParams,
    body: orderBody,
    idempotency: orderIdempotency,
    responses: {
      201: { description: 'The order, paid', schema: checkoutAnswer },
      402: { description: 'The card was declined' },
      403: { description: 'No partnership in force, or limited access (PRT-4: a limited partner cannot order)' },
      422: { description: 'A card not saved on the paying account, an offer not orderable, terms not accepted' },
    },
    handler: async ({ principal, params, body, idempotency }) => {
      const { partner, partnership } = await inForce(principal, params.customerId);
      requirePartnerMay(partnership, 'order');
      const payer = partnership.payer as 'customer' | 'partner';
      // the card by id, and only one saved on the paying account.
      const payingAccount = payer === 'partner' ? partner.customerId : params.customerId;
      const card = await deps.db.paymentCard.findUnique({ where: { id: body.cardId } });
      if (!card || card.customerId !== payingAccount) {
        const message = `must be a card saved on the ${payer === 'partner' ? "partner's own" : "customer's"} account (PRT-5: the ${payer} pays)`;
        throw Problem.unprocessable('card-not-of-payer', 'Card not of the payer', message, { errors: [{ field: 'body.cardId', message }] });
      }
      const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: params.customerId } });
      if (!customer.address || !customer.country) {
        throw Problem.unprocessable('no-billing-address', 'No billing address', `customer ${customer.id} has no billing address yet: its first own checkout gives it (INV-1)`);
      }
      // No card typed: the partner order's saved card pays (checkout takes it from `order`).
      const input = {
        customer: { email: customer.email, name: customer.name, type: customer.type as 'individual' | 'business', address: customer.address, country: customer.country, vatNumber: customer.vatNumber ?? undefined, registrationNumber: customer.registrationNumber ?? undefined },
        lines: body.lines,
        acceptedTerms: body.acceptedTerms,
      } as CheckoutInput;
      const discounted = resellerDiscountApplies({ access: partnership.access as 'complete', payer });
      const order: PartnerOrder = {
        partnerId: partner.id,
        payer,
        card: { id: card.id, token: card.token, last4: card.last4, brand: card.brand },
        // PRT-6: the reseller discount off the public unit price (the volume tier, if any, follows on it).
        unitPriceOf: (offer) => (discounted ? offer.priceCents - percentOf(offer.priceCents, offer.partnerDiscountBp) : offer.priceCents),
      };
      // Checked out as the customer's account (its address, its subscriptions), placed by the partner.
      const asCustomer: Principal = { kind: 'customer', label: `partner:${partner.id}`, customerId: params.customerId };
      // checkout's order.created entry names both parties (actor partner:<id>, the customer and the payer).
      return checkout(deps, asCustomer, input, idempotency!, order);
    },
  });
}
